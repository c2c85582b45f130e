"""Equivalence fixtures: small random U-Nets of every shipped kind, with inputs, the mirror's outputs, the loss
gradient and one Adam step, and a small random codec with its rate, distortion, reconstruction and gradient,
written under test/fixtures/torch/ for the TypeScript test
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
import aez_codec  # noqa: E402
from aez_arch import flat_params  # noqa: E402
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

# The codec, small, with three quality levels; checked with real rounding (validation mode), the mode whose
# output does not depend on random noise: bpp, MSE, reconstruction and the gradient of the RD cost.
CODEC = {'arch': {'kind': 'hyperprior', 'channels': 3, 'n': 8, 'm': 6, 'nz': 4, 'lambdas': [0.0018, 0.013, 0.0483]}, 'n': 3, 'patch': 64}
CODEC_FIELDS = ['params', 'input', 'levels', 'bpp', 'mse', 'output', 'grad']


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


def codec_params(arch, g):
    """Random weights near the app's initialisation (GDN with beta ~1 and a small positive gamma), so rates and
    reconstructions are in a realistic range; every parameter non-zero so that each is tested."""
    parts = []
    for name, shape, std in aez_codec.param_specs(arch):
        r = torch.randn(math.prod(shape), generator=g)
        if name.endswith('.beta'):
            t = 1 + 0.1 * r
        elif name.endswith('.gamma'):
            c = shape[3]
            t = (0.02 * r.abs()).view(c, c) + 0.1 * torch.eye(c)
            t = t.reshape(-1)
        elif name.startswith('gain'):
            t = 2.5 + 0.2 * r  # gains of about 12, so y spans several quantisation bins
        elif name.startswith('igain'):
            t = -2.5 + 0.2 * r
        elif name == 'z.loc':
            t = 0.5 * r
        elif name == 'z.logscale':
            t = 0.3 * r
        else:
            t = r * max(std, 0.05)
        parts.append(t)
    return torch.cat(parts)


def compute_codec(seed):
    arch = CODEC['arch']
    g = torch.Generator().manual_seed(seed)
    flat = codec_params(arch, g)
    n, patch = CODEC['n'], CODEC['patch']
    # A smooth image with detail, not white noise, so the latents are in the range real photos give.
    yy, xx = torch.meshgrid(torch.linspace(0, 1, patch), torch.linspace(0, 1, patch), indexing='ij')
    base = torch.stack([0.5 + 0.4 * torch.sin(6 * xx + 3 * yy), 0.5 + 0.3 * torch.cos(9 * yy), 0.3 + 0.5 * xx * yy])
    x = (base.unsqueeze(0) + 0.05 * torch.rand(n, 3, patch, patch, generator=g)).clamp(0, 1)
    levels = torch.arange(n) % len(arch['lambdas'])
    flat.requires_grad_(True)
    p = flat_params(arch, flat)
    bpp, mse, x_hat = aez_codec.rd_forward(p, x, levels)
    lambdas = torch.tensor(arch['lambdas'])[levels] * 255 * 255
    (bpp + lambdas * mse).mean().backward()
    nhwc = lambda t: t.detach().permute(0, 2, 3, 1).contiguous().numpy().ravel()  # noqa: E731
    return {'params': flat.detach().numpy(), 'input': nhwc(x), 'levels': levels.float().numpy(), 'bpp': bpp.detach().numpy(),
            'mse': mse.detach().numpy(), 'output': nhwc(x_hat), 'grad': flat.grad.numpy()}


def _save(name, meta, arrays, fields):
    meta['fields'] = {}
    offset = 0
    for f in fields:
        meta['fields'][f] = [offset, int(arrays[f].size)]
        offset += int(arrays[f].size)
    with open(os.path.join(OUT, f'{name}.json'), 'w') as fh:
        json.dump(meta, fh, indent=1)
    with open(os.path.join(OUT, f'{name}.bin'), 'wb') as fh:
        fh.write(np.concatenate([arrays[f].astype('<f4') for f in fields]).tobytes())
    print(f'wrote {name}: {offset * 4} bytes')


def _compare(name, arrays, fields):
    with open(os.path.join(OUT, f'{name}.json')) as fh:
        meta = json.load(fh)
    stored = np.fromfile(os.path.join(OUT, f'{name}.bin'), dtype='<f4')
    worst = 0.0
    for f in fields:
        o, n = meta['fields'][f]
        d = float(np.max(np.abs(stored[o:o + n] - arrays[f]))) if n else 0.0
        scale = max(1.0, float(np.max(np.abs(arrays[f])))) if n else 1.0
        worst = max(worst, d / scale)
        if d > 1e-4 * scale:
            raise SystemExit(f'{name}.{f}: the mirror differs from its fixture by {d:.3g}')
    return worst


def write():
    os.makedirs(OUT, exist_ok=True)
    _save('codec', {'arch': CODEC['arch'], 'n': CODEC['n'], 'patch': CODEC['patch']}, compute_codec(200), CODEC_FIELDS)
    for i, (name, case) in enumerate(CASES.items()):
        _save(name, {'arch': case['arch'], 'loss': case['loss'], 'n': case['n'], 'patch': PATCH, 'lr': LR}, compute(case, 100 + i), FIELDS)


def check():
    worst = max(_compare(name, compute(case, 100 + i), FIELDS) for i, (name, case) in enumerate(CASES.items()))
    worst = max(worst, _compare('codec', compute_codec(200), CODEC_FIELDS))
    print(f'mirror matches its fixtures (largest relative difference {worst:.2e})')


if __name__ == '__main__':
    {'write': write, 'check': check}[sys.argv[1] if len(sys.argv) > 1 else 'check']()
