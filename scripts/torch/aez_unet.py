"""The denoising/inpainting U-Net of electron/engine/nn/unet.ts, in PyTorch.

Parameters live in ONE flat float32 vector, in the order and layout of the app's weights file (paramSpecs:
convolution weights HWIO, then biases), so the mirror reads and writes the app's model folders and the TypeScript
trainer's checkpoints without any conversion, and its Adam step is the same arithmetic on the same vector.
Pixel (un)shuffle use the app's channel order (dy, dx, c), not torch.pixel_unshuffle's (c, dy, dx).
"""
import math
import torch
import torch.nn.functional as F


def _conv_specs(name, k, cin, cout, gain=1.0):
    return [(f'{name}.w', [k, k, cin, cout], gain * math.sqrt(2 / (k * k * cin))), (f'{name}.b', [cout], 0.0)]


def _block_specs(name, w):
    return _conv_specs(f'{name}.c1', 3, w, w) + _conv_specs(f'{name}.c2', 3, w, w, 0.1)


def input_channels(cfg):
    return cfg['channels'] + cfg.get('extraInputs', 0)


def param_specs(cfg):
    """(name, shape, init std) of every parameter, in the weights file's order (unet.ts paramSpecs)."""
    widths, blocks = cfg['widths'], cfg['blocks']
    in_c = 4 * (input_channels(cfg) + (1 if cfg['noiseMap'] else 0))
    specs = _conv_specs('head', 3, in_c, widths[0])
    last = len(widths) - 1
    for l in range(len(widths)):
        if l > 0:
            specs += _conv_specs(f'down{l}', 1, 4 * widths[l - 1], widths[l])
        for b in range(blocks[l]):
            specs += _block_specs(f'enc{l}.b{b}', widths[l])
    for l in range(last - 1, -1, -1):
        specs += _conv_specs(f'up{l + 1}', 1, widths[l + 1], 4 * widths[l])
        for b in range(blocks[l]):
            specs += _block_specs(f'dec{l}.b{b}', widths[l])
    specs += _conv_specs('tail', 3, widths[0], 4 * cfg['channels'], 0.1)
    return specs


def size_multiple(cfg):
    return 2 ** len(cfg['widths'])


def unshuffle2(x):
    """[N, C, H, W] -> [N, 4C, H/2, W/2], channel (dy*2 + dx)*C + c as the app's pixelUnshuffle2."""
    n, c, h, w = x.shape
    return x.view(n, c, h // 2, 2, w // 2, 2).permute(0, 3, 5, 1, 2, 4).reshape(n, 4 * c, h // 2, w // 2)


def shuffle2(x):
    """Inverse of unshuffle2: [N, 4C, H, W] -> [N, C, 2H, 2W]."""
    n, c4, h, w = x.shape
    c = c4 // 4
    return x.view(n, 2, 2, c, h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, c, 2 * h, 2 * w)


class FlatParams:
    """The flat parameter vector and a view of each parameter (HWIO weights shown to torch as OIHW)."""

    def __init__(self, cfg, flat, specs=None):
        self.cfg = cfg
        self.flat = flat
        self.views = {}
        offset = 0
        for name, shape, _ in specs if specs is not None else param_specs(cfg):
            n = math.prod(shape)
            v = flat[offset:offset + n].view(*shape)
            self.views[name] = v.permute(3, 2, 0, 1) if len(shape) == 4 else v
            offset += n
        self.size = offset

    def conv(self, name, x):
        w = self.views[f'{name}.w']
        return F.conv2d(x, w, self.views[f'{name}.b'], padding=w.shape[-1] // 2)


def parameter_count(cfg):
    return sum(math.prod(s) for _, s, _ in param_specs(cfg))


def forward(p, x, sigma=None):
    """x: [N, inputChannels, H, W] in 0..1 (NCHW); sigma: [N] noise levels in 0..1 for noise-map models.
    Returns the cleaned image [N, channels, H, W] exactly as unet.ts forward does."""
    cfg = p.cfg
    n, _, h, w = x.shape
    inp = x
    if cfg['noiseMap']:
        if sigma is None:
            raise ValueError('this model needs a noise level (sigma)')
        plane = sigma.to(x.dtype).view(n, 1, 1, 1).expand(n, 1, h, w)
        inp = torch.cat([x, plane], 1)

    def block(name, f):
        return f + p.conv(f'{name}.c2', F.relu(p.conv(f'{name}.c1', f)))

    f = F.relu(p.conv('head', unshuffle2(inp)))
    skips = []
    levels = len(cfg['widths'])
    for l in range(levels):
        if l > 0:
            skips.append(f)
            f = p.conv(f'down{l}', unshuffle2(f))
        for b in range(cfg['blocks'][l]):
            f = block(f'enc{l}.b{b}', f)
    for l in range(levels - 2, -1, -1):
        f = shuffle2(p.conv(f'up{l + 1}', f)) + skips[l]
        for b in range(cfg['blocks'][l]):
            f = block(f'dec{l}.b{b}', f)
    noise = shuffle2(p.conv('tail', f))
    c = cfg['channels']
    extra = cfg.get('extraInputs', 0)
    if extra == 0:
        return x - noise
    img = x[:, :c]
    if not cfg.get('maskedOutput'):
        return img - noise
    mask = x[:, c + extra - 1:c + extra]
    return img - mask * noise


def pixel_loss(cfg, out, target, x, kind='charbonnier'):
    """The trainer's loss (train/grad-core.ts): Charbonnier or squared error, averaged over all values, or for a
    masked-output model (the inpainter) over hole values only."""
    d = out - target
    per = d * d if kind == 'mse' else torch.sqrt(d * d + 1e-6)
    if cfg.get('maskedOutput'):
        hole = x[:, -1:]
        values = torch.clamp(hole.sum() * cfg['channels'], min=1)
        return (per * hole).sum() / values
    return per.mean()
