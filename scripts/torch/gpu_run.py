#!/usr/bin/env python3
"""Trains from a pack (scripts/torch-pack.ts) for a fixed wall-clock budget, on a machine with PyTorch and no
Node: the GPU machine, which comes in short slots. The data are made here in Python with the app's semantics
(codec: random crops of the photos with the eight flips/rotations, each sample at a random quality level); the
forward pass, loss, Adam step and schedule are the mirror's (aez_codec.py, train.py), the validation the
trainer's rate-distortion score. The step count is set from the speed measured in the first steps, so the
cosine schedule ends with the budget.

Writes into OUT (each file small enough to come back from the device machine): params.f32, m.f32, v.f32 (the
Adam state), best.f32 (the best validated weights), state.json and log.txt, refreshed at every validation, so a
run stopped by its time limit still leaves its last validated state. `gpu_import.py` turns OUT into a run folder
here (checkpoint and calibrated model), from which `train.py` or `aez train` continue.

    python3 scripts/torch/gpu_run.py --pack gpu-pack/codec --out OUT [--minutes 9] [--device cuda]
"""
import argparse
import io
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import aez_codec  # noqa: E402
from aez_arch import flat_params  # noqa: E402
from model_io import load_model_dir  # noqa: E402
from train import adam_step, learning_rate  # noqa: E402


def load_images(pack, meta, device):
    from PIL import Image
    out = []
    for img in meta['images']:
        with open(os.path.join(pack, img['file']), 'rb') as f:
            im = Image.open(io.BytesIO(f.read())).convert('RGB')
        out.append(torch.from_numpy(np.asarray(im, dtype=np.uint8).copy()).to(device))  # [H, W, 3]
    return out


def sample_batch(images, n, patch, levels, gen, device):
    """n random crops (any of the 8 flips/rotations), [n, 3, patch, patch] in 0..1, and a quality level each."""
    idx = torch.randint(len(images), (n,), generator=gen).tolist()
    crops = []
    for i in idx:
        img = images[i]
        h, w = img.shape[0], img.shape[1]
        y = int(torch.randint(h - patch + 1, (1,), generator=gen))
        x = int(torch.randint(w - patch + 1, (1,), generator=gen))
        c = img[y:y + patch, x:x + patch].permute(2, 0, 1)
        t = int(torch.randint(8, (1,), generator=gen))
        c = torch.rot90(c, t % 4, (1, 2))
        if t >= 4:
            c = c.flip(2)
        crops.append(c)
    x = torch.stack(crops).float().div_(255)
    lv = torch.randint(levels, (n,), generator=gen).to(device)
    return x, lv


def initial_params(pack, meta, device, seed):
    names = [s['name'] for s in meta['specs']]
    if meta['initFrom']:
        m, flat = load_model_dir(os.path.join(pack, meta['initFrom']))
        offsets = {}
        o = 0
        for w in m['weights']:
            offsets[w['name']] = (o, math.prod(w['shape']))
            o += math.prod(w['shape'])
        return torch.from_numpy(np.concatenate([flat[offsets[n][0]:offsets[n][0] + offsets[n][1]] for n in names])).to(device)
    # A fresh codec with the app's initialisation rules (hyperprior.ts hyperpriorInitParams), torch's own draws.
    g = torch.Generator().manual_seed(seed)
    arch = meta['config']['arch']
    mid = arch['lambdas'][len(arch['lambdas']) // 2]
    parts = []
    for name, shape, std in aez_codec.param_specs(arch):
        t = torch.randn(math.prod(shape), generator=g) * std if std > 0 else torch.zeros(math.prod(shape))
        if name.endswith('.beta'):
            t.fill_(1)
        if name.endswith('.gamma'):
            c = shape[3]
            t = torch.full((c, c), 1e-3)
            t.fill_diagonal_(0.1)
            t = t.reshape(-1)
        if name in ('gain.log', 'igain.log'):
            g_l = torch.tensor([0.5 * math.log(lam / mid) for lam in arch['lambdas']]).repeat_interleave(shape[1])
            t = g_l if name == 'gain.log' else -g_l
        parts.append(t)
    return torch.cat(parts).to(device)


def validate(arch, flat, val, device):
    """The trainer's score (codec-validate.ts): mean over crops and levels of bpp + lambda*255^2*MSE, real rounding."""
    levels = len(arch['lambdas'])
    cost = 0.0
    per = [[0.0, 0.0] for _ in range(levels)]
    with torch.no_grad():
        p = flat_params(arch, flat)
        for x in val:
            xs = x.expand(levels, -1, -1, -1)
            bpp, _, x_hat = aez_codec.rd_forward(p, xs, torch.arange(levels, device=device))
            mse = ((x_hat.clamp(0, 1) - xs) ** 2).mean((1, 2, 3))
            for l in range(levels):
                b, e = float(bpp[l]), float(mse[l])
                cost += (b + arch['lambdas'][l] * 255 * 255 * e) / (levels * len(val))
                per[l][0] += b / len(val)
                per[l][1] += 10 * math.log10(1 / max(e, 1e-10)) / len(val)
    return cost, per


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pack', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--minutes', type=float, default=9.0, help='wall-clock budget for training, start-up included')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--val-every', type=int, default=0, help='default: about every 40 s of training')
    ap.add_argument('--seed', type=int, default=None, help='default: the pack config\'s')
    a = ap.parse_args(argv)
    t_start = time.time()
    budget = a.minutes * 60
    torch.set_num_threads(max(1, a.threads))
    device = torch.device(a.device)
    if device.type == 'cuda':
        # TF32 for the convolutions (10-bit mantissa products, float32 sums): safe for these transforms; the
        # rate terms (erf, log, sigmoid) are element-wise and stay float32.
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    os.makedirs(a.out, exist_ok=True)
    log_file = open(os.path.join(a.out, 'log.txt'), 'a', encoding='utf8')

    def log(line):
        print(line, file=sys.stderr, flush=True)
        log_file.write(line + '\n')
        log_file.flush()

    with open(os.path.join(a.pack, 'pack.json'), encoding='utf8') as f:
        meta = json.load(f)
    if meta.get('format') != 'aez-gpu-pack' or meta.get('version') != 1:
        raise SystemExit(f'{a.pack}: not an AEZ GPU pack (make one with dist/scripts/torch-pack.js)')
    cfg = meta['config']
    arch = cfg['arch']
    if arch['kind'] != 'hyperprior':
        raise SystemExit(f'{a.pack}: gpu_run trains the codec; this pack is for {cfg["task"]}')
    seed = cfg['seed'] if a.seed is None else a.seed
    images = load_images(a.pack, meta, device)
    raw = np.fromfile(os.path.join(a.pack, 'val.u8'), dtype=np.uint8)
    val, o = [], 0
    for v in meta['val']:
        n = v['width'] * v['height'] * 3
        val.append(torch.from_numpy(raw[o:o + n].astype(np.float32) / 255).view(1, v['height'], v['width'], 3).permute(0, 3, 1, 2).contiguous().to(device))
        o += n
    flat = initial_params(a.pack, meta, device, seed)
    size = flat.numel()
    m = torch.zeros(size, device=device)
    v = torch.zeros(size, device=device)
    best = None
    best_flat = flat.clone()
    history = []
    batch, patch, lr0 = cfg['batch'], cfg['patch'], cfg['lr']
    gen = torch.Generator().manual_seed(seed)
    noise_gen = torch.Generator(device=device).manual_seed(seed + 1)
    noise = aez_codec.uniform_noise(noise_gen, device)
    levels = len(arch['lambdas'])
    log(f'{len(images)} photos, {len(val)} validation crops, {size} parameters on {device}; batch {batch} x {patch}^2; '
        f'budget {a.minutes:g} min ({time.time() - t_start:.0f} s to load)')

    stop = {'now': False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))

    def save(step, total, t, train_s):
        for name, arr in (('params', flat), ('m', m), ('v', v), ('best', best_flat)):
            tmp = os.path.join(a.out, f'.{name}.f32.tmp')
            arr.detach().float().cpu().numpy().astype('<f4').tofile(tmp)
            os.replace(tmp, os.path.join(a.out, f'{name}.f32'))
        state = {'step': step, 'total': total, 'adamT': t, 'elapsedMs': train_s * 1000, 'history': history, 'best': best,
                 'config': {**cfg, 'seed': seed, 'steps': total}, 'device': str(device)}
        tmp = os.path.join(a.out, '.state.json.tmp')
        with open(tmp, 'w', encoding='utf8') as f:
            json.dump(state, f, indent=1)
        os.replace(tmp, os.path.join(a.out, 'state.json'))

    # Warm-up steps measure the speed; the total is what the rest of the budget allows (a margin kept for the
    # last validation and the writes).
    step, t, total = 0, 0, None
    probe = 20
    train_started = time.time()
    val_every = a.val_every
    ema = float('nan')
    while not stop['now']:
        if total is None and step == probe:
            per_step = (time.time() - probe_t0) / (probe - 5)
            left = budget - (time.time() - t_start) - min(30, 0.1 * budget)
            total = max(step + 1, step + int(left / per_step))
            if not val_every:
                val_every = max(10, int(40 / per_step))
            log(f'{per_step * 1000:.1f} ms/step: {total} steps in the budget, validating every {val_every}')
        if step == 5:
            probe_t0 = time.time()
        if total is not None and step >= total:
            break
        lr = learning_rate(step, total or 10 ** 9, lr0)
        x, lv = sample_batch(images, batch, patch, levels, gen, device)
        flat.requires_grad_(True)
        loss = aez_codec.rd_loss(flat_params(arch, flat), x, lv, noise)
        loss.backward()
        with torch.no_grad():
            grad = flat.grad
            flat.requires_grad_(False)
            flat.grad = None
            t += 1
            adam_step(flat, grad, m, v, t, lr)
        step += 1
        if step % 10 == 0:
            lv_ = float(loss)
            if not math.isfinite(lv_):
                raise SystemExit(f'training diverged at step {step} (loss {lv_})')
            ema = lv_ if math.isnan(ema) else 0.9 * ema + 0.1 * lv_
        if total is not None and (step % val_every == 0 or step == total or time.time() - t_start > budget - min(20, 0.05 * budget)):
            cost, per = validate(arch, flat, val, device)
            if best is None or cost < best['metric']:
                best = {'step': step, 'metric': cost}
                best_flat = flat.detach().clone()
            train_s = time.time() - train_started
            history.append({'step': step, 'total': total, 'loss': ema, 'lr': lr, 'elapsedMs': train_s * 1000,
                            'val': {'metric': 'rd', 'value': cost, 'best': best['metric']}})
            log(f'step {step}/{total}  loss {ema:.4f}  lr {lr:.2e}  val rd {cost:.4f} (best {best["metric"]:.4f})  '
                + '  '.join(f'q{i + 1} {b:.3f}/{p:.2f}' for i, (b, p) in enumerate(per)))
            save(step, total, t, train_s)
            if time.time() - t_start > budget - min(20, 0.05 * budget):
                break
    if total is None or history == [] or history[-1]['step'] != step:
        cost, _ = validate(arch, flat, val, device)
        if best is None or cost < best['metric']:
            best = {'step': step, 'metric': cost}
            best_flat = flat.detach().clone()
        save(step, total or step, t, time.time() - train_started)
    log(f'stopped at step {step} after {(time.time() - t_start) / 60:.1f} min; best val rd {best["metric"]:.4f} at step {best["step"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
