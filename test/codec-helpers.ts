// A small random codec model for tests: every parameter matters (non-zero biases, varied gains and z
// prior), so the pipeline tests exercise real entropy coding rather than all-zero latents.
import * as tf from '@tensorflow/tfjs';
import { EXACT_SHIFTS_PARAM, trainableCodecConfig, type HyperpriorConfig } from '../electron/engine/codec/model/config.js';
import { calibrateShifts } from '../electron/engine/codec/model/exact-synthesis-calibration.js';
import { hyperpriorInitParams, hyperpriorParamSpecs } from '../electron/engine/codec/model/hyperprior.js';
import { codecModelFrom, type CodecModel } from '../electron/engine/codec/codec-model.js';
import type { LoadedModel } from '../electron/engine/models/model-file.js';
import { saveModelDir } from '../electron/engine/models/model-file.js';
import { Rng } from '../electron/engine/util/rng.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';

export const TINY_CODEC: HyperpriorConfig = { kind: 'hyperprior', channels: 3, n: 8, m: 12, nz: 6, lambdas: [0.004, 0.02, 0.08], exactSynthesis: true };

export function tinyCodecWeights(cfg: HyperpriorConfig = TINY_CODEC, seed = 3): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const params = hyperpriorInitParams(trainableCodecConfig(cfg), seed);
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of params) {
    const w = (t.dataSync() as Float32Array).slice();
    if (name.endsWith('.b')) for (let i = 0; i < w.length; i++) w[i] = 0.05 * rng.normal();
    if (name === 'z.loc') for (let i = 0; i < w.length; i++) w[i] = 0.3 * rng.normal();
    if (name === 'z.logscale') for (let i = 0; i < w.length; i++) w[i] = 0.5 * rng.normal();
    // Large analysis output so y spans many integers at every level.
    if (name === 'ga3.w') for (let i = 0; i < w.length; i++) w[i] *= 8;
    weights.set(name, w);
  }
  const shapes = new Map([...params].map(([k, t]) => [k, t.shape]));
  tf.dispose([...params.values()]);
  if (!cfg.exactSynthesis) return weights;
  // Calibrated as the trainer does, on two smooth random 64×64 images.
  const crops = [0, 1].map((i) =>
    tf.tidy(() => tf.clipByValue(tf.add(tf.image.resizeBilinear(tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', seed + i) as tf.Tensor4D, [64, 64]), tf.randomNormal([1, 64, 64, 3], 0, 0.05, 'float32', seed + 10 + i)), 0, 1) as tf.Tensor4D),
  );
  const tensors = new Map([...weights].map(([k, v]) => [k, tf.tensor(v, shapes.get(k)!)]));
  try {
    weights.set(EXACT_SHIFTS_PARAM, calibrateShifts(trainableCodecConfig(cfg), weights, tensors, crops));
  } finally {
    tf.dispose([...tensors.values(), ...crops]);
  }
  return weights;
}

export function tinyLoadedCodec(cfg: HyperpriorConfig = TINY_CODEC, seed = 3): LoadedModel {
  const weights = tinyCodecWeights(cfg, seed);
  return {
    manifest: {
      format: 'aez-model',
      version: 1,
      id: 'tiny-codec',
      task: 'codec',
      arch: cfg,
      dtype: 'float32',
      weights: hyperpriorParamSpecs(cfg).map((s) => ({ name: s.name, shape: s.shape })),
      sha256: (seed * 7919).toString(16).padStart(64, 'a'),
    },
    dir: '/nonexistent/tiny-codec',
    weights,
  };
}

export function tinyCodec(cfg: HyperpriorConfig = TINY_CODEC, seed = 3): CodecModel {
  return codecModelFrom(tinyLoadedCodec(cfg, seed));
}

/** Saves the tiny codec as an installed model folder `dir` (float16 weights, as shipped models are). */
export async function saveTinyCodec(dir: string, cfg: HyperpriorConfig = TINY_CODEC, seed = 3): Promise<void> {
  await initBackend();
  await saveModelDir(dir, tinyCodecWeights(cfg, seed), { id: 'tiny-codec', task: 'codec', arch: cfg, dtype: 'float16' });
}
