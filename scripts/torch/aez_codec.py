"""The codec of electron/engine/codec/model/hyperprior.ts, in PyTorch: a mean-scale hyperprior with gain vectors
per quality level, simplified GDN / inverse GDN, pixel (un)shuffle + 3x3 convolutions, and the rate-distortion
loss with the same rules (uniform noise for the rate, straight-through rounding into the synthesis, the same
likelihood bounds). Parameters are one flat vector in the app's weights-file order (aez_unet.FlatParams), so
the mirror trains from and writes back the app's own files. Encoding and decoding stay the app's: the mirror
only trains; the app calibrates the integer-exact synthesis when it writes the model (torch-feed.ts export).
"""
import math

import torch
import torch.nn.functional as F

from aez_unet import shuffle2, unshuffle2

SCALE_BOUND = 0.11  # hyperprior.ts SCALE_BOUND (the smallest entropy-coding table's scale)
LIKELIHOOD_BOUND = 1e-9
EXACT_SHIFTS_PARAM = 'gs.act_log2'
EXACT_POINTS = 7


def _conv(name, k, cin, cout, gain=math.sqrt(0.5)):
    return [(f'{name}.w', [k, k, cin, cout], gain * math.sqrt(2 / (k * k * cin))), (f'{name}.b', [cout], 0.0)]


def _gdn(name, c):
    return [(f'{name}.beta', [c], 0.0), (f'{name}.gamma', [1, 1, c, c], 0.0)]


def param_specs(cfg):
    """(name, shape, init std) of every parameter in the weights file's order (hyperpriorParamSpecs)."""
    n, m, nz, ch = cfg['n'], cfg['m'], cfg['nz'], cfg['channels']
    levels = len(cfg['lambdas'])
    specs = (_conv('ga0', 3, 4 * ch, n) + _gdn('ga0.gdn', n) + _conv('ga1', 3, 4 * n, n) + _gdn('ga1.gdn', n)
             + _conv('ga2', 3, 4 * n, n) + _gdn('ga2.gdn', n) + _conv('ga3', 3, 4 * n, m)
             + _conv('gs0', 3, m, 4 * n) + _gdn('gs0.igdn', n) + _conv('gs1', 3, n, 4 * n) + _gdn('gs1.igdn', n)
             + _conv('gs2', 3, n, 4 * n) + _gdn('gs2.igdn', n) + _conv('gs3', 3, n, 4 * ch, 0.1)
             + _conv('ha0', 3, m, n, 1) + _conv('ha1', 3, 4 * n, n, 1) + _conv('ha2', 3, 4 * n, nz)
             + _conv('hs0', 3, nz, 4 * n, 1) + _conv('hs1', 3, n, 4 * n, 1) + _conv('hs2', 1, n, 2 * m, 0.5)
             + [('z.loc', [nz], 0.0), ('z.logscale', [nz], 0.0), ('gain.log', [levels, m], 0.0), ('igain.log', [levels, m], 0.0)])
    if cfg.get('exactSynthesis'):
        specs.append((EXACT_SHIFTS_PARAM, [EXACT_POINTS], 0.0))
    return specs


def _gdn_norm(p, name, x):
    """|gamma| . |x| + |beta| + 1e-4 over channels: the GDN denominator, or the IGDN multiplier."""
    gamma = p.views[f'{name}.gamma'].abs()
    return F.conv2d(x.abs(), gamma) + (p.views[f'{name}.beta'].abs() + 1e-4).view(1, -1, 1, 1)


def analysis(p, x):
    """y = g_a(x): x [N,3,H,W] in 0..1 -> [N,M,H/16,W/16]."""
    f = p.conv('ga0', unshuffle2(x - 0.5))
    for s in range(3):
        if s > 0:
            f = p.conv(f'ga{s}', unshuffle2(f))
        f = f / _gdn_norm(p, f'ga{s}.gdn', f)
    return p.conv('ga3', unshuffle2(f))


def synthesis(p, y):
    f = y
    for s in range(3):
        f = shuffle2(p.conv(f'gs{s}', f))
        f = f * _gdn_norm(p, f'gs{s}.igdn', f)
    return shuffle2(p.conv('gs3', f)) + 0.5


def hyper_analysis(p, y):
    f = F.relu(p.conv('ha0', y))
    f = F.relu(p.conv('ha1', unshuffle2(f)))
    return p.conv('ha2', unshuffle2(f))


def hyper_synthesis(p, z):
    f = F.relu(shuffle2(p.conv('hs0', z)))
    f = F.relu(shuffle2(p.conv('hs1', f)))
    return p.conv('hs2', f)


def level_gains(p, which, levels):
    """exp(gain.log[level]) per sample, [N,M,1,1]."""
    return torch.exp(p.views[f'{which}.log'][levels]).unsqueeze(-1).unsqueeze(-1)


def ste_round(x):
    return x + (torch.round(x) - x).detach()


def _logistic_mass(v, loc, scale):
    d = (v - loc).abs()
    return torch.clamp(torch.sigmoid((0.5 - d) / scale) - torch.sigmoid((-0.5 - d) / scale), min=LIKELIHOOD_BOUND)


def _gaussian_mass(d, sigma):
    a = d.abs()
    k = math.sqrt(0.5)
    return torch.clamp(0.5 * (torch.erf((0.5 - a) / sigma * k) - torch.erf((-0.5 - a) / sigma * k)), min=LIKELIHOOD_BOUND)


def rd_forward(p, x, levels, noise=None):
    """(bpp [N], mse [N], x_hat) as hyperprior.ts rdForward. `noise`: None for validation (rounding everywhere),
    else a function shape -> uniform(-0.5, 0.5) tensor (training: noise in the rate, straight-through rounding
    into the synthesis)."""
    m = p.cfg['m']
    h, w = x.shape[2], x.shape[3]
    y = analysis(p, x) * level_gains(p, 'gain', levels)
    z = hyper_analysis(p, y)
    z_rate = torch.round(z) if noise is None else z + noise(z.shape)
    z_hat = torch.round(z) if noise is None else ste_round(z)
    loc = p.views['z.loc'].view(1, -1, 1, 1)
    zscale = (torch.exp(p.views['z.logscale']) + 0.05).view(1, -1, 1, 1)
    z_bits = -torch.log(_logistic_mass(z_rate, loc, zscale)).sum((1, 2, 3))
    hs = hyper_synthesis(p, z_hat)
    mu, log_sigma = hs[:, :m], hs[:, m:]
    sigma = torch.clamp(torch.pow(2.0, log_sigma), min=SCALE_BOUND)
    centred = y - mu
    y_rate = torch.round(centred) if noise is None else centred + noise(centred.shape)
    y_bits = -torch.log(_gaussian_mass(y_rate, sigma)).sum((1, 2, 3))
    y_hat = mu + ste_round(centred)
    x_hat = synthesis(p, y_hat * level_gains(p, 'igain', levels))
    bpp = (y_bits + z_bits) / (math.log(2) * h * w)
    mse = ((x_hat - x) ** 2).mean((1, 2, 3))
    return bpp, mse, x_hat


def rd_loss(p, x, levels, noise=None):
    """Mean over the batch of bpp + lambda*255^2*MSE, each sample at its own quality level (hyperprior.ts rdLoss)."""
    bpp, mse, _ = rd_forward(p, x, levels, noise)
    lambdas = torch.tensor(p.cfg['lambdas'], dtype=x.dtype, device=x.device)[levels] * 255 * 255
    return (bpp + lambdas * mse).mean()


def uniform_noise(generator=None, device='cpu'):
    return lambda shape: torch.rand(shape, generator=generator, device=device) - 0.5
