// A loaded codec model: the TensorFlow.js parameters of its transforms, the float64 hyper-synthesis
// weights and the integer z tables (the two things entropy decoding depends on), and the quality scale.
//
// Quality. The model is trained at L levels (config.ts `lambdas`). A file's quality byte q (1…255) selects
// a continuous level t = (q − 1)/QUALITY_STEPS in [0, L−1]; the gains are interpolated between the two
// nearest trained levels in the log domain (Cui et al. 2021 show this traces a smooth rate–distortion
// curve). The user-facing quality is 1 + t: 1 … L, fractional values allowed.
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../models/model-file.js';
import type { Params } from '../nn/unet.js';
import type { CdfTableSet } from './entropy/cdf.js';
import { detExp } from './entropy/det-math.js';
import { CodecError } from './errors.js';
import { EXACT_SHIFTS_PARAM, type HyperpriorConfig } from './model/config.js';
import { exactSynthesisFrom, exactTensors, type ExactSynthesis, type ExactTensors } from './model/exact-synthesis.js';
import { hyperSynthesisWeights, type HyperSynthesisWeights } from './model/hyper-synthesis-f64.js';
import { zPriorTables } from './model/z-prior.js';

/** Quality-byte steps between two trained levels. */
export const QUALITY_STEPS = 50;

export interface CodecModel {
  id: string;
  dir: string;
  /** SHA-256 of the weights (hex), whose first 16 bytes go into every file. */
  sha256: string;
  cfg: HyperpriorConfig;
  /** Float32 weights by name (what the ONNX export takes). */
  weights: Map<string, Float32Array>;
  /** TensorFlow.js tensors of the weights, made on first use (an onnxruntime run never needs them). */
  readonly params: Params;
  hs: HyperSynthesisWeights;
  /** The integer-exact synthesis the decoder runs (exact-synthesis.ts). */
  exact: ExactSynthesis;
  /** Its TensorFlow.js tensors, made on first use like `params`. */
  readonly exactTensors: ExactTensors;
  zTables: CdfTableSet;
  gainLog: Float32Array;
  igainLog: Float32Array;
}

export function isCodecModel(m: LoadedModel): boolean {
  return m.manifest.arch.kind === 'hyperprior';
}

export function codecModelFrom(m: LoadedModel): CodecModel {
  const arch = m.manifest.arch;
  if (arch.kind !== 'hyperprior') throw new CodecError('AEZ_ARGUMENT', `model ${m.manifest.id} is a ${m.manifest.task} model, not an image codec`);
  const cfg = arch as HyperpriorConfig;
  if (!cfg.exactSynthesis) {
    throw new CodecError(
      'AEZ_ARGUMENT',
      `model ${m.manifest.id} was written before exact decoding: its synthesis has no calibrated grid. Make it exact with \`node dist/scripts/calibrate-codec.js --model ${m.dir} --out <folder>\`.`,
    );
  }
  let exact: ExactSynthesis;
  try {
    exact = exactSynthesisFrom(cfg, m.weights, m.weights.get(EXACT_SHIFTS_PARAM)!);
  } catch (e) {
    throw new CodecError('AEZ_ARGUMENT', `model ${m.manifest.id}: ${(e as Error).message}`);
  }
  let params: Params | undefined;
  let tensors: ExactTensors | undefined;
  const makeParams = (): Params => {
    const p: Params = new Map();
    // tf.keep: the first use may come inside a tf.tidy, which must not dispose the model's weights.
    for (const w of m.manifest.weights) p.set(w.name, tf.keep(tf.tensor(m.weights.get(w.name)!, w.shape, 'float32')));
    return p;
  };
  return {
    id: m.manifest.id,
    dir: m.dir,
    sha256: m.manifest.sha256,
    cfg,
    weights: m.weights,
    get params() {
      return (params ??= makeParams());
    },
    hs: hyperSynthesisWeights(cfg, m.weights),
    exact,
    get exactTensors() {
      return (tensors ??= exactTensors(exact));
    },
    zTables: zPriorTables(m.weights.get('z.loc')!, m.weights.get('z.logscale')!),
    gainLog: m.weights.get('gain.log')!,
    igainLog: m.weights.get('igain.log')!,
  };
}


/** Highest quality byte of a model with L levels. */
export function maxQualityByte(cfg: HyperpriorConfig): number {
  return 1 + (cfg.lambdas.length - 1) * QUALITY_STEPS;
}

/** User quality (1 … L, fractional allowed) → quality byte. */
export function qualityByte(cfg: HyperpriorConfig, quality: number): number {
  const L = cfg.lambdas.length;
  if (!(quality >= 1 && quality <= L)) throw new CodecError('AEZ_ARGUMENT', `quality must be between 1 and ${L}, got ${quality}`);
  return 1 + Math.round((quality - 1) * QUALITY_STEPS);
}

/** Quality byte → user quality. */
export function qualityFromByte(q: number): number {
  return 1 + (q - 1) / QUALITY_STEPS;
}

/** The gain (or inverse gain) vector of quality byte q, interpolated in the log domain. */
/** The two trained levels a quality byte lies between (i, i+1) and how far along (f in 0..1). */
export function levelMix(cfg: HyperpriorConfig, q: number): { i: number; f: number } {
  const t = (q - 1) / QUALITY_STEPS;
  const i = Math.min(Math.floor(t), cfg.lambdas.length - 2);
  return { i, f: cfg.lambdas.length === 1 ? 0 : t - i };
}

export function gainsFor(model: CodecModel, q: number, which: 'gain' | 'igain'): Float32Array {
  const { m, lambdas } = model.cfg;
  if (!(Number.isInteger(q) && q >= 1 && q <= maxQualityByte(model.cfg))) {
    throw new CodecError('AEZ_HEADER', `quality ${q} is outside this model's range 1…${maxQualityByte(model.cfg)}`);
  }
  const { i, f } = levelMix(model.cfg, q);
  const table = which === 'gain' ? model.gainLog : model.igainLog;
  const out = new Float32Array(m);
  for (let c = 0; c < m; c++) {
    const a = table[i * m + c];
    const b = lambdas.length === 1 ? a : table[(i + 1) * m + c];
    // detExp: the inverse gain feeds the exact synthesis, so it must be the same double everywhere.
    out[c] = detExp(a * (1 - f) + b * f);
  }
  return out;
}
