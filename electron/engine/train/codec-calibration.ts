// What the trainer (and scripts/calibrate-codec.ts) writes for a codec: the float model it trained plus
// the grid shifts of the integer-exact synthesis, calibrated on crops of the training photos, so every
// codec model the project produces decodes to the same pixels on every engine.
import * as tf from '@tensorflow/tfjs';
import type { HyperpriorConfig } from '../codec/model/config.js';
import { trainableCodecConfig } from '../codec/model/config.js';
import { calibrateShifts, withExactSynthesis } from '../codec/model/exact-synthesis-calibration.js';
import { hyperpriorParamSpecs } from '../codec/model/hyperprior.js';
import type { Params } from '../nn/unet.js';
import { Rng } from '../util/rng.js';
import { CodecSource } from './codec-source.js';
import type { ImageStore } from './image-store.js';

/** Crops and their largest side: 16 × 6 levels of 128×128, a few seconds on one core. */
const CROPS = 16;
const SIDE = 128;
const SEED = 0x5eed;

export function exactCodecModel(cfg: HyperpriorConfig, weights: Map<string, Float32Array>, store: ImageStore): { arch: HyperpriorConfig; weights: Map<string, Float32Array> } {
  const arch = trainableCodecConfig(cfg);
  const params: Params = new Map(hyperpriorParamSpecs(arch).map((s) => [s.name, tf.tensor(weights.get(s.name)!, s.shape, 'float32')]));
  // Crops no larger than the smallest photo (a run on small photos trains on patches of 64): a crop larger than
  // its image would read past it.
  const smallest = Math.min(...store.images.map((im) => Math.min(im.width, im.height)));
  const side = Math.max(64, Math.min(SIDE, Math.floor(smallest / 64) * 64));
  const batch = new CodecSource(store, arch.lambdas.length).sample(new Rng(SEED), CROPS, side);
  const size = side * side * 3;
  const crops = Array.from({ length: CROPS }, (_, i) => tf.tensor4d(batch.input.subarray(i * size, (i + 1) * size), [1, side, side, 3]));
  try {
    const plain = new Map(hyperpriorParamSpecs(arch).map((s) => [s.name, weights.get(s.name)!]));
    return withExactSynthesis(arch, plain, calibrateShifts(arch, plain, params, crops));
  } finally {
    tf.dispose([...params.values(), ...crops]);
  }
}
