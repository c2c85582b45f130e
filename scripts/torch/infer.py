#!/usr/bin/env python3
"""Runs an AEZ U-Net model folder in PyTorch on one whole image (no tiling), for equivalence checks against the
app (`aez denoise`). The image gets the app's reflected context around it (32 px, image/tiling.ts DEFAULT_TILE)
and is padded on to the model's size multiple the same way, so its borders see what the app's tiles see.

    python3 scripts/torch/infer.py --model models/photo --in noisy.png --out clean.png [--sigma 25]
    python3 scripts/torch/infer.py --model models/inpaint --in prefilled.png --mask holes.png --out filled.png

The inpainter takes the image with its holes already pre-filled the way its card says (`inputs.prefill`:
Telea's fill, e.g. from `aez inpaint --method telea`, or zeros) and the mask (white = hole).
"""
import argparse
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
from aez_unet import FlatParams, forward, size_multiple  # noqa: E402
from model_io import load_model_dir  # noqa: E402


MARGIN = 32  # the app's tile context (electron/engine/image/tiling.ts DEFAULT_TILE.margin)


def run(model_dir, image, sigma=None, mask=None, threads=None):
    """image: HxWxC float32 0..1 (C = the model's channels); mask: HxW 0/1 for the inpainter. Returns HxWxC."""
    if threads:
        torch.set_num_threads(threads)
    manifest, flat = load_model_dir(model_dir)
    arch = manifest['arch']
    h, w, _ = image.shape
    x = torch.from_numpy(image).permute(2, 0, 1)[None]
    if arch.get('extraInputs', 0):
        if mask is None:
            raise SystemExit(f'{model_dir} is an inpainting model: give --mask')
        x = torch.cat([x * (1 - torch.from_numpy(mask)[None, None]) if manifest.get('inputs', {}).get('prefill') == 'zero' else x,
                       torch.from_numpy(mask)[None, None]], 1)
    m = size_multiple(arch)
    ph, pw = MARGIN + (-(h + 2 * MARGIN) % m), MARGIN + (-(w + 2 * MARGIN) % m)
    # numpy's 'reflect' is the app's reflectIndex (mirror without repeating the edge), also past one period.
    x = torch.from_numpy(np.pad(x.numpy(), ((0, 0), (0, 0), (MARGIN, ph), (MARGIN, pw)), mode='reflect'))
    s = None
    if arch['noiseMap']:
        if sigma is None:
            raise SystemExit(f'{model_dir} needs a noise level: give --sigma (0..100, 8-bit units)')
        s = torch.tensor([sigma / 255.0])
    with torch.no_grad():
        out = forward(FlatParams(arch, torch.from_numpy(flat)), x.float(), s)
    return out[0, :, MARGIN:MARGIN + h, MARGIN:MARGIN + w].permute(1, 2, 0).numpy()


def main():
    ap = argparse.ArgumentParser(description='Run an AEZ U-Net model in PyTorch on one image.')
    ap.add_argument('--model', required=True)
    ap.add_argument('--in', dest='inp', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--sigma', type=float)
    ap.add_argument('--mask')
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    a = ap.parse_args()
    manifest, _ = load_model_dir(a.model)
    channels = manifest['arch']['channels']
    img = np.asarray(Image.open(a.inp).convert('RGB' if channels == 3 else 'L'), dtype=np.float32) / 255.0
    if img.ndim == 2:
        img = img[:, :, None]
    mask = None
    if a.mask:
        mask = (np.asarray(Image.open(a.mask).convert('L'), dtype=np.float32) >= 128).astype(np.float32)
    out = run(a.model, img, a.sigma, mask, a.threads)
    u8 = np.round(np.clip(out, 0, 1) * 255).astype(np.uint8)
    Image.fromarray(u8[:, :, 0] if channels == 1 else u8).save(a.out)
    print(f'wrote {a.out}')


if __name__ == '__main__':
    main()
