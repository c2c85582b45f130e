// Grows a trained U-Net by new levels below its deepest one without changing what it computes, so a model
// that sees farther (each level doubles the reach of its convolutions) can start from a trained one
// (`aez train --init-from M --widths <same…, new> --blocks <same…, new>`).
//
// The old deepest level ran its blocks once; with a level below it, it also gets decoder blocks, and the
// new level's output is added to its stream through `up{L}`. That conv and the new decoder blocks' second
// convolutions start at zero, so the old stream passes through untouched; everything else new starts at
// its usual random weights, so gradients reach it once `up{L}` moves off zero.
import { Rng } from '../util/rng.js';
import { paramSpecs, type UNetConfig } from './unet.js';

/** Whether `to` is `from` with levels added below and the old levels' widths and blocks kept. */
export function canDeepenUNet(from: UNetConfig, to: UNetConfig): boolean {
  const rest = (c: UNetConfig) => JSON.stringify({ ...c, widths: 0, blocks: 0 });
  const L = from.widths.length;
  return (
    rest(from) === rest(to) &&
    to.widths.length > L &&
    to.blocks.length === to.widths.length &&
    from.widths.every((w, l) => to.widths[l] === w) &&
    from.blocks.every((b, l) => to.blocks[l] === b)
  );
}

/** The weights of `to` (a deeper `from`, see canDeepenUNet) computing the same function as `weights`. */
export function deepenUNetWeights(from: UNetConfig, weights: Map<string, Float32Array>, to: UNetConfig, seed: number): Map<string, Float32Array> {
  if (!canDeepenUNet(from, to)) throw new Error(`cannot deepen ${JSON.stringify(from)} to ${JSON.stringify(to)}`);
  const rng = new Rng(seed);
  const L = from.widths.length;
  const old = new Map(paramSpecs(from).map((s) => [s.name, s.shape.join('x')]));
  // Writers into the old deepest stream that must start silent.
  const silent = new RegExp(`^(?:up${L}|dec${L - 1}\\.b\\d+\\.c2)\\.[wb]$`);
  const out = new Map<string, Float32Array>();
  for (const spec of paramSpecs(to)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (old.has(spec.name)) {
      const w = weights.get(spec.name);
      if (!w || old.get(spec.name) !== spec.shape.join('x') || w.length !== size) throw new Error(`cannot deepen: weight ${spec.name} missing or of another shape`);
      out.set(spec.name, w);
      continue;
    }
    const std = silent.test(spec.name) ? 0 : spec.std;
    out.set(spec.name, Float32Array.from({ length: size }, () => (std > 0 ? rng.normal() * std : 0)));
  }
  return out;
}
