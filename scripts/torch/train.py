#!/usr/bin/env python3
"""The PyTorch mirror of `aez train` for every shipped model (photo, scan, inpaint, codec): same flags, same meanings,
same data, schedule, validation, checkpoints and model folder, with PyTorch doing the arithmetic (about twice
as fast on a CPU, and it runs on CUDA). Checkpoints are the TypeScript trainer's own files, so a run started
by one resumes under the other. Ctrl-C (or SIGTERM) stops after the step in hand with a checkpoint; exit 130.

    python3 scripts/torch/train.py --task photo --out runs/p --steps 20000 [--threads 2] [--device cpu|cuda]
"""
import argparse
import math
import os
import signal
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from aez_arch import flat_params  # noqa: E402
from aez_codec import rd_forward, rd_loss, uniform_noise  # noqa: E402
from aez_unet import forward, pixel_loss  # noqa: E402
from feed import Feed, floats  # noqa: E402


def learning_rate(step, total, lr, warmup=200, floor=0.02):
    """train/adam.ts learningRate: linear warm-up, then cosine decay to lr·floor."""
    if step < warmup:
        return lr * (step + 1) / warmup
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    return lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def adam_step(params, grad, m, v, t, lr, clip=1.0, b1=0.9, b2=0.999, eps=1e-8):
    """train/adam.ts adamStep on the flat vectors (in place): global-norm clip, bias-corrected Adam."""
    norm = float(torch.linalg.vector_norm(grad.double()))
    scale = clip / norm if clip and norm > clip else 1.0
    g = grad * scale
    c1 = 1 - b1 ** t
    c2 = 1 - b2 ** t
    m.mul_(b1).add_(g, alpha=1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    params.sub_((lr / c1) * m / (torch.sqrt(v / c2) + eps))
    return norm


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-t', '--task', required=True, choices=['photo', 'scan', 'inpaint', 'codec'])
    ap.add_argument('--out', required=True)
    ap.add_argument('--steps', type=int, default=20000)
    ap.add_argument('--batch', type=int)
    ap.add_argument('--patch', type=int)
    ap.add_argument('--lr', type=float)
    ap.add_argument('--seed', type=int)
    ap.add_argument('--val-every', type=int)
    ap.add_argument('--checkpoint-every', type=int)
    ap.add_argument('--data', nargs='+')
    ap.add_argument('--val')
    ap.add_argument('--widths')
    ap.add_argument('--blocks')
    ap.add_argument('--loss', choices=['charbonnier', 'mse'])
    ap.add_argument('--id')
    ap.add_argument('--init-from')
    ap.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--json', action='store_true', help='print progress as JSON lines')
    return ap.parse_args(argv)


def feeder_options(a):
    o = {'task': a.task, 'out': os.path.abspath(a.out), 'steps': a.steps}
    for key, val in [('batch', a.batch), ('patch', a.patch), ('lr', a.lr), ('seed', a.seed), ('valEvery', a.val_every),
                     ('checkpointEvery', a.checkpoint_every), ('loss', a.loss), ('id', a.id), ('initFrom', a.init_from)]:
        if val is not None:
            o[key] = val
    if a.data:
        o['data'] = [os.path.abspath(d) for d in a.data]
    if a.val:
        o['val'] = os.path.abspath(a.val)
    for key in ('widths', 'blocks'):
        if getattr(a, key):
            o[key] = [int(x) for x in getattr(a, key).split(',')]
    return o


def nchw(a, n, h, w, c, device):
    return torch.from_numpy(np.array(a, dtype=np.float32).reshape(n, h, w, c)).permute(0, 3, 1, 2).contiguous().to(device)


def main(argv=None):
    a = parse_args(argv if argv is not None else sys.argv[1:])
    torch.set_num_threads(max(1, a.threads))
    device = torch.device(a.device)
    torch.manual_seed(0)
    stop = {'now': False}

    def on_signal(signum, _frame):
        if stop['now']:
            sys.exit(130)
        stop['now'] = True
        print('\nstopping after this step… (press Ctrl-C again to quit at once)', file=sys.stderr)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    feed = Feed(feeder_options(a))
    start, data = feed.start()
    cfg = start['config']
    arch = cfg['arch']
    size = sum(math.prod(s['shape']) for s in start['specs'])
    resume = start['resume']
    flat = torch.from_numpy(data[:size].copy()).to(device)
    m = torch.zeros(size, device=device)
    v = torch.zeros(size, device=device)
    offset = size
    if resume:
        m = torch.from_numpy(data[size:2 * size].copy()).to(device)
        v = torch.from_numpy(data[2 * size:3 * size].copy()).to(device)
        offset = 3 * size
    val_items = start['val']['items']
    val_inputs = []
    for it in val_items:
        n = it['ch'] * it['cw'] * it['inC']
        val_inputs.append((nchw(floats(data, offset, n), 1, it['ch'], it['cw'], it['inC'], device), it))
        offset += n
    metric_name = start['val']['metric']
    step = resume['step'] if resume else 0
    t = resume['adamT'] if resume else 0
    elapsed_before = resume['elapsedMs'] if resume else 0
    history = resume['history'] if resume else []
    best = resume.get('best') if resume else None
    print(f'{"resuming" if resume else "starting"} {cfg["id"]} at step {step} of {cfg["steps"]} on {device} '
          f'({torch.get_num_threads()} threads); {size} parameters', file=sys.stderr)

    last_bin = f'checkpoint-{step}.bin' if resume else None
    started = time.time()

    def elapsed_ms():
        return elapsed_before + (time.time() - started) * 1000

    def checkpoint():
        nonlocal last_bin
        state = {'step': step, 'elapsedMs': elapsed_ms(), 'history': history, 'adamT': t}
        if best:
            state['best'] = best
        feed.call({'op': 'checkpoint', 'state': state, 'previousBin': last_bin}, flat.cpu().numpy(), m.cpu().numpy(), v.cpu().numpy())
        last_bin = f'checkpoint-{step}.bin'

    codec = arch['kind'] == 'hyperprior'

    def validate_codec():
        """Per item: bpp and clipped MSE at every level with real rounding, then the middle level's output."""
        levels = len(arch['lambdas'])
        outs = []
        with torch.no_grad():
            p = flat_params(arch, flat)
            for x, _ in val_inputs:
                xs = x.expand(levels, -1, -1, -1)
                bpp, _, x_hat = rd_forward(p, xs, torch.arange(levels, device=device))
                mse = ((x_hat.clamp(0, 1) - xs) ** 2).mean((1, 2, 3))
                mid = x_hat[levels // 2].permute(1, 2, 0).cpu().numpy().ravel()
                outs += [bpp.cpu().numpy(), mse.cpu().numpy(), mid]
        msg, _ = feed.call({'op': 'val'}, np.concatenate(outs))
        levels_txt = '  '.join(f"q{i + 1} {lv['bpp']:.3f} bpp {lv['psnr']:.2f} dB" for i, lv in enumerate(msg['levels']))
        print(f'  validation at step {step}: {levels_txt}', file=sys.stderr)
        return msg['value']

    def validate():
        if codec:
            return validate_codec()
        outs = []
        with torch.no_grad():
            p = flat_params(arch, flat)
            for x, it in val_inputs:
                sigma = torch.tensor([it['sigma']], device=device) if it['sigma'] is not None else None
                outs.append(forward(p, x, sigma).permute(0, 2, 3, 1).cpu().numpy().ravel())
        msg, _ = feed.call({'op': 'val'}, np.concatenate(outs))
        return msg['value']

    ema = float('nan')
    window_start, window_steps = time.time(), 0
    pending = feed.send({'op': 'batch', 'step': step}) if step < cfg['steps'] else None
    while step < cfg['steps'] and not stop['now']:
        msg, raw = feed.wait(pending)
        pending = feed.send({'op': 'batch', 'step': step + 1}) if step + 1 < cfg['steps'] else None
        n, patch, c, in_c = msg['n'], msg['patch'], msg['channels'], msg['inC']
        x = nchw(floats(raw, 0, n * patch * patch * in_c), n, patch, patch, in_c, device)
        y = nchw(floats(raw, n * patch * patch * in_c, n * patch * patch * c), n, patch, patch, c, device)
        tail = n * patch * patch * (in_c + c)
        sigma = torch.from_numpy(floats(raw, tail, n).copy()).to(device) if msg['sigma'] else None

        lr = learning_rate(step, cfg['steps'], cfg['lr'])
        flat.requires_grad_(True)
        p = flat_params(arch, flat)
        if codec:
            # The codec: rate + lambda*distortion at each sample's quality level; the noise is a function of the
            # batch's seed, so a resumed run draws what the uninterrupted one would have.
            levels = torch.from_numpy(floats(raw, tail, n).astype(np.int64)).to(device)
            gen = torch.Generator(device=device).manual_seed(int(msg['noiseSeed']))
            loss = rd_loss(p, y, levels, uniform_noise(gen, device))
        else:
            loss = pixel_loss(arch, forward(p, x, sigma), y, x, cfg.get('loss', 'charbonnier'))
        loss.backward()
        with torch.no_grad():
            grad = flat.grad
            flat.requires_grad_(False)
            flat.grad = None
            t += 1
            adam_step(flat, grad, m, v, t, lr)
        loss_value = float(loss)
        if not math.isfinite(loss_value):
            raise SystemExit(f'training diverged at step {step} (loss {loss_value})')
        ema = loss_value if math.isnan(ema) else 0.98 * ema + 0.02 * loss_value
        step += 1
        window_steps += 1
        now = time.time()
        sps = window_steps / max(1e-3, now - window_start)
        if now - window_start > 20:
            window_start, window_steps = now, 0
        progress = {'step': step, 'total': cfg['steps'], 'loss': ema, 'lr': lr, 'stepsPerSec': sps, 'elapsedMs': elapsed_ms()}
        if step % cfg['valEvery'] == 0 or step == cfg['steps']:
            value = validate()
            better = best is None or (value > best['metric'] if metric_name == 'psnr' else value < best['metric'])
            if better:
                best = {'step': step, 'metric': value}
                feed.call({'op': 'export', 'step': step, 'metric': value}, flat.cpu().numpy())
            progress['val'] = {'metric': metric_name, 'value': value, 'best': best['metric']}
            history.append(progress)
            feed.call({'op': 'sample', 'step': step})
        if a.json:
            print(__import__('json').dumps(progress), flush=True)
        elif step % 10 == 0 or 'val' in progress:
            digits = 2 if metric_name == 'psnr' else 4
            vtxt = f"  val {metric_name} {progress['val']['value']:.{digits}f} (best {progress['val']['best']:.{digits}f})" if 'val' in progress else ''
            print(f'step {step}/{cfg["steps"]}  loss {ema:.5f}  lr {lr:.2e}  {sps:.2f} steps/s{vtxt}', file=sys.stderr, flush=True)
        if step % cfg['checkpointEvery'] == 0 or step == cfg['steps']:
            checkpoint()
    stopped = step < cfg['steps']
    if stopped and step > 0:
        checkpoint()
    if pending is not None:
        feed.wait(pending)
    feed.close()
    print(f'{"stopped" if stopped else "finished"} at step {step} after {elapsed_ms() / 60000:.1f} min; '
          f'best model in {os.path.join(os.path.abspath(a.out), "model")}', file=sys.stderr)
    return 130 if stopped else 0


if __name__ == '__main__':
    sys.exit(main())
