#!/usr/bin/env python3
"""Turns what gpu_run.py left in OUT into a run folder here: the trainer's checkpoint (so `train.py` or
`aez train` continue the run, on the GPU's batch and patch) and the model folder of the best validated
weights, written by the app's own code (dist/scripts/torch-feed.js), which calibrates the codec's exact
synthesis, so the model decodes bit-identically on every engine. Then `scripts/ship-model.ts` ships it.

    python3 scripts/torch/gpu_import.py OUT --pack gpu-pack/codec --run runs/codec-gpu
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from feed import Feed  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out', help="gpu_run.py's output folder")
    ap.add_argument('--pack', required=True, help='the pack that run trained from (its run record)')
    ap.add_argument('--run', required=True, help='the run folder to write (must not hold another run)')
    a = ap.parse_args(argv)
    with open(os.path.join(a.out, 'state.json'), encoding='utf8') as f:
        state = json.load(f)
    with open(os.path.join(a.pack, 'pack.json'), encoding='utf8') as f:
        pack = json.load(f)
    run = os.path.abspath(a.run)
    if os.path.exists(os.path.join(run, 'checkpoint.json')) or os.path.exists(os.path.join(run, 'run.json')):
        raise SystemExit(f'{run} already holds a run; choose a new folder')
    arrays = {n: np.fromfile(os.path.join(a.out, f'{n}.f32'), dtype='<f4') for n in ('params', 'm', 'v', 'best')}
    size = sum(int(np.prod(s['shape'])) for s in pack['specs'])
    for n, arr in arrays.items():
        if arr.size != size:
            raise SystemExit(f'{a.out}/{n}.f32 holds {arr.size} values; the pack\'s model has {size}')
    if state['config']['arch'] != pack['config']['arch']:
        raise SystemExit(f'{a.out} was not trained from {a.pack} (the architectures differ)')
    os.makedirs(run, exist_ok=True)
    step = state['step']
    bin_name = f'checkpoint-{step}.bin'
    np.concatenate([arrays['params'], arrays['m'], arrays['v']]).astype('<f4').tofile(os.path.join(run, bin_name))
    checkpoint = {'step': step, 'config': state['config'], 'elapsedMs': state['elapsedMs'], 'history': state['history'],
                  'adamT': state['adamT'], 'bin': bin_name}
    if state.get('best'):
        checkpoint['best'] = state['best']
    record = {**pack['record'], 'trainer': f'pytorch-mirror-gpu ({state.get("device", "?")})'}
    with open(os.path.join(run, 'run.json'), 'w', encoding='utf8') as f:
        json.dump(record, f, indent=1)
    with open(os.path.join(run, 'checkpoint.json'), 'w', encoding='utf8') as f:
        json.dump(checkpoint, f, indent=1)
    # The app's own writer: the feeder resumes the run just written and exports the best weights through it.
    feed = Feed({'out': run, 'steps': state['config']['steps']})
    start, _ = feed.start()
    if not start['resume'] or start['resume']['step'] != step:
        raise SystemExit('the feeder did not resume the imported checkpoint')
    best = state.get('best') or {'step': step, 'metric': None}
    feed.call({'op': 'export', 'step': best['step'], 'metric': best['metric']}, arrays['best'])
    feed.close()
    print(f'{run}: checkpoint at step {step} of {state["config"]["steps"]}, model of step {best["step"]} '
          f'(val {best["metric"]}) in {os.path.join(run, "model")}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
