"""Equivalence fixtures: small random U-Nets of every shipped kind, with inputs, the mirror's outputs, the loss
gradient and one Adam step, written under test/fixtures/torch/ for the TypeScript test
(test/torch-mirror.test.ts) to check the app against, in CI, without Python.

    python3 scripts/torch/fixtures.py write   # regenerate
    python3 scripts/torch/fixtures.py check   # the mirror against the committed fixtures (selftest.py runs this)
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from aez_unet import FlatParams, forward, param_specs, pixel_loss  # noqa: E402
from train import adam_step  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'torch')
PATCH = 32
LR = 1e-3

# One of each shipped kind, small: photo (noise map, RGB), scan (grey), inpaint (mask plane, composited output).
CASES = {
    'photo': {'arch': {'kind': 'unet', 'channels': 3, 'noiseMap': True, 'widths': [6, 8, 12], 'blocks': [1, 1, 2]}, 'loss': 'charbonnier', 'n': 2},
    'scan': {'arch': {'kind': 'unet', 'channels': 1, 'noiseMap': False, 'widths': [4, 8], 'blocks': [1, 1]}, 'loss': 'charbonnier', 'n': 2},
    'inpaint': {'arch': {'kind': 'unet', 'channels': 3, 'noiseMap': False, 'widths': [4, 6, 8], 'blocks': [1, 2, 1], 'extraInputs': 1, 'maskedOutput': True}, 'loss': 'mse', 'n': 2},
}
FIELDS = ['params', 'input', 'target', 'sigma', 'output', 'grad', 'after']


def compute(case, seed):
    arch = case['arch']
    g = torch.Generator().manual_seed(seed)
    specs = param_specs(arch)
    size = sum(math.prod(s) for _, s, _ in specs)
    # Random weights at the init scale, biases too (so they are tested), not the zeros training starts from.
    flat = torch.cat([torch.randn(math.prod(s), generator=g) * max(std, 0.05) for _, s, std in specs])
    n, c = case['n'], arch['channels']
    in_c = c + arch.get('extraInputs', 0)
    x = torch.rand(n, in_c, PATCH, PATCH, generator=g)
    if arch.get('maskedOutput'):
        x[:, -1] = (torch.rand(n, PATCH, PATCH, generator=g) > 0.7).float()
    target = torch.rand(n, c, PATCH, PATCH, generator=g)
    sigma = torch.rand(n, generator=g) * 0.2 if arch['noiseMap'] else torch.zeros(0)
    flat.requires_grad_(True)
    out = forward(FlatParams(arch, flat), x, sigma if arch['noiseMap'] else None)
    pixel_loss(arch, out, target, x, case['loss']).backward()
    grad = flat.grad.detach().clone()
    after = flat.detach().clone()
    adam_step(after, grad.clone(), torch.zeros(size), torch.zeros(size), 1, LR)
    nhwc = lambda t: t.detach().permute(0, 2, 3, 1).contiguous().numpy().ravel()  # noqa: E731
    return {'params': flat.detach().numpy(), 'input': nhwc(x), 'target': nhwc(target), 'sigma': sigma.numpy(), 'output': nhwc(out), 'grad': grad.numpy(), 'after': after.numpy()}


def write():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, case) in enumerate(CASES.items()):
        arrays = compute(case, 100 + i)
        meta = {'arch': case['arch'], 'loss': case['loss'], 'n': case['n'], 'patch': PATCH, 'lr': LR, 'fields': {}}
        offset = 0
        for f in FIELDS:
            meta['fields'][f] = [offset, int(arrays[f].size)]
            offset += int(arrays[f].size)
        with open(os.path.join(OUT, f'{name}.json'), 'w') as fh:
            json.dump(meta, fh, indent=1)
        with open(os.path.join(OUT, f'{name}.bin'), 'wb') as fh:
            fh.write(np.concatenate([arrays[f].astype('<f4') for f in FIELDS]).tobytes())
        print(f'wrote {name}: {offset * 4} bytes')


def check():
    worst = 0.0
    for i, (name, case) in enumerate(CASES.items()):
        with open(os.path.join(OUT, f'{name}.json')) as fh:
            meta = json.load(fh)
        stored = np.fromfile(os.path.join(OUT, f'{name}.bin'), dtype='<f4')
        arrays = compute(case, 100 + i)
        for f in FIELDS:
            o, n = meta['fields'][f]
            d = float(np.max(np.abs(stored[o:o + n] - arrays[f]))) if n else 0.0
            scale = max(1.0, float(np.max(np.abs(arrays[f])))) if n else 1.0
            worst = max(worst, d / scale)
            if d > 1e-4 * scale:
                raise SystemExit(f'{name}.{f}: the mirror differs from its fixture by {d:.3g}')
    print(f'mirror matches its fixtures (largest relative difference {worst:.2e})')


if __name__ == '__main__':
    {'write': write, 'check': check}[sys.argv[1] if len(sys.argv) > 1 else 'check']()
