// Grows a trained U-Net to wider levels without changing what it computes, so a bigger model can start
// from a trained one (`aez train --init-from M --widths …`) instead of from scratch.
//
// Every level's features are a residual stream that convolutions write into (head, down, up, a block's
// second convolution) and read from (a block's first convolution, down, up, tail). The new stream
// channels start at zero: their writers' new output weights and biases are zero. Readers get random
// weights on those channels (they multiply zeros, so the output is unchanged, and the gradient reaches
// the writers). A block's new hidden channels are computed (random weights) but not yet used: the second
// convolution's weights from them start at zero. Training then grows the new channels from there.
import { Rng } from '../util/rng.js';
import { paramSpecs, type UNetConfig } from './unet.js';

/** Whether `to` is `from` with the same structure and every level at least as wide. */
export function canWidenUNet(from: UNetConfig, to: UNetConfig): boolean {
  const rest = (c: UNetConfig) => JSON.stringify({ ...c, widths: c.widths.length });
  return rest(from) === rest(to) && from.widths.every((w, l) => to.widths[l] >= w);
}

/** A channel axis: `blocks` consecutive groups (pixel-(un)shuffled layouts have 4) of old/new widths. */
interface Axis {
  blocks: number;
  old: number;
  now: number;
}

const fixed = (n: number): Axis => ({ blocks: 1, old: n, now: n });

/** The old index of new channel `i` on `a`, or -1 for a new channel. */
function oldIndex(a: Axis, i: number): number {
  const block = Math.floor(i / a.now);
  const c = i % a.now;
  return c < a.old ? block * a.old + c : -1;
}

interface Layout {
  in: Axis;
  out: Axis;
  /** Writes into a residual stream: its new output channels start at zero. */
  writes: boolean;
  /** Reads a block's hidden channels: its weights from new ones start at zero. */
  readsHidden: boolean;
}

function layoutOf(name: string, from: UNetConfig, to: UNetConfig, inPlanes: number): Layout {
  const stream = (l: number, blocks = 1): Axis => ({ blocks, old: from.widths[l], now: to.widths[l] });
  const layer = name.replace(/\.[wb]$/, '');
  let m: RegExpExecArray | null;
  if (layer === 'head') return { in: fixed(inPlanes), out: stream(0), writes: true, readsHidden: false };
  if (layer === 'tail') return { in: stream(0), out: fixed(4 * to.channels), writes: false, readsHidden: false };
  if ((m = /^(?:enc|dec)(\d+)\.b\d+\.c([12])$/.exec(layer))) {
    const l = Number(m[1]);
    return m[2] === '1'
      ? { in: stream(l), out: stream(l), writes: false, readsHidden: false }
      : { in: stream(l), out: stream(l), writes: true, readsHidden: true };
  }
  if ((m = /^down(\d+)$/.exec(layer))) {
    const l = Number(m[1]);
    return { in: stream(l - 1, 4), out: stream(l), writes: true, readsHidden: false };
  }
  if ((m = /^up(\d+)$/.exec(layer))) {
    const l = Number(m[1]);
    return { in: stream(l), out: stream(l - 1, 4), writes: true, readsHidden: false };
  }
  throw new Error(`cannot widen: unknown layer ${layer}`);
}

/**
 * The weights of `to` (a wider `from`, see canWidenUNet) computing the same function as `weights`;
 * HWIO weights and biases by parameter name, as in model files.
 */
export function widenUNetWeights(from: UNetConfig, weights: Map<string, Float32Array>, to: UNetConfig, seed: number): Map<string, Float32Array> {
  if (!canWidenUNet(from, to)) throw new Error(`cannot widen ${JSON.stringify(from)} to ${JSON.stringify(to)}`);
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array>();
  const specs = paramSpecs(to);
  const inPlanes = specs[0].shape[2];
  for (const spec of specs) {
    const old = weights.get(spec.name);
    if (!old) throw new Error(`cannot widen: weight ${spec.name} missing`);
    const lay = layoutOf(spec.name, from, to, inPlanes);
    if (spec.name.endsWith('.b')) {
      out.set(spec.name, Float32Array.from({ length: spec.shape[0] }, (_, o) => {
        const oo = oldIndex(lay.out, o);
        return oo < 0 ? 0 : old[oo];
      }));
      continue;
    }
    const [kh, kw, cin, cout] = spec.shape;
    const oldCin = lay.in.blocks * lay.in.old;
    const oldCout = lay.out.blocks * lay.out.old;
    const inMap = Array.from({ length: cin }, (_, i) => oldIndex(lay.in, i));
    const outMap = Array.from({ length: cout }, (_, o) => oldIndex(lay.out, o));
    const w = new Float32Array(kh * kw * cin * cout);
    for (let t = 0; t < kh * kw; t++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          const oi = inMap[i];
          const oo = outMap[o];
          let v: number;
          if (oi >= 0 && oo >= 0) v = old[(t * oldCin + oi) * oldCout + oo];
          else if (oo < 0) v = lay.writes ? 0 : rng.normal() * spec.std;
          else v = lay.readsHidden ? 0 : rng.normal() * spec.std;
          w[(t * cin + i) * cout + o] = v;
        }
    out.set(spec.name, w);
  }
  return out;
}
