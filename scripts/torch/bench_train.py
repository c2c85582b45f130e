#!/usr/bin/env python3
"""ms per training step, `aez train` (TypeScript, tfjs-wasm worker threads) against the PyTorch mirror, for each
shipped model (a U-Net's widths and blocks from models/<task>/model.json; the codec's preset) at its preset batch and patch, both measured
in this one run, taking turns. Each run trains `--steps` steps from scratch on the shared data with validation
and checkpoints pushed past the end; ms/step is taken from the steps after `--skip` (warm-up excluded), from the
trainers' own JSON progress (elapsed time at each step).

    python3 scripts/torch/bench_train.py [--steps 30] [--skip 10] [--threads 2] [--tasks photo,scan,inpaint,codec]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
PRESETS = {'photo': (16, 64), 'scan': (16, 96), 'inpaint': (8, 128), 'codec': (8, 128)}  # batch, patch (train/presets.ts)


def ms_per_step(cmd, skip, steps):
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f'{" ".join(cmd)} failed:\n{out.stderr[-2000:]}')
    elapsed = {}
    for line in out.stdout.splitlines():
        if line.startswith('{'):
            p = json.loads(line)
            elapsed[p['step']] = p['elapsedMs']
    return (elapsed[steps] - elapsed[skip]) / (steps - skip)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--skip', type=int, default=10)
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--tasks', default='photo,scan,inpaint')
    a = ap.parse_args()
    rows = []
    for task in a.tasks.split(','):
        with open(os.path.join(ROOT, 'models', task, 'model.json')) as f:
            arch = json.load(f)['arch']
        batch, patch = PRESETS[task]
        shape = [] if arch['kind'] == 'hyperprior' else ['--widths', ','.join(map(str, arch['widths'])), '--blocks', ','.join(map(str, arch['blocks']))]
        common = ['--task', task, '--steps', str(a.steps), '--batch', str(batch), '--patch', str(patch), *shape,
                  '--val-every', '1000000', '--checkpoint-every', '1000000', '--json']
        times = {}
        for who in ('ts', 'torch'):
            d = tempfile.mkdtemp(prefix=f'aez-bench-{task}-{who}-')
            try:
                if who == 'ts':
                    cmd = ['node', 'bin/aez.js', 'train', *common, '--out', d, '--workers', str(a.threads)]
                else:
                    cmd = [sys.executable, 'scripts/torch/train.py', *common, '--out', d, '--threads', str(a.threads)]
                times[who] = ms_per_step(cmd, a.skip, a.steps)
            finally:
                shutil.rmtree(d, ignore_errors=True)
            print(f'{task} {who}: {times[who]:.0f} ms/step', file=sys.stderr, flush=True)
        rows.append((task, arch, batch, patch, times['ts'], times['torch']))
    print('| model | widths / blocks (codec: sizes) | batch × patch² | aez train (ms/step) | PyTorch mirror (ms/step) | speed-up |')
    print('|---|---|---|---|---|---|')
    for task, arch, batch, patch, ts, pt in rows:
        shape = f"N {arch['n']}, M {arch['m']}, NZ {arch['nz']}" if arch['kind'] == 'hyperprior' else f"{'/'.join(map(str, arch['widths']))} / {'/'.join(map(str, arch['blocks']))}"
        print(f"| {task} | {shape} | {batch} × {patch}² | {ts:.0f} | {pt:.0f} | {ts / pt:.2f}× |")


if __name__ == '__main__':
    main()
