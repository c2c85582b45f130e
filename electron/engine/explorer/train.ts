// Trains one demo model (autoencoder or VAE) on Fashion-MNIST or MNIST: Adam, fixed batch size, seeded
// shuffles and reparameterisation noise, in-process (the models are small: a few hundred thousand weights).
// These runs are short (minutes to an hour on two cores), so there is no checkpointing; progress is reported
// through a callback. Saving (weights, embeddings of the explorer's sample, model card) is done by
// saveTrainedDemo so tests can train without writing.
import * as tf from '@tensorflow/tfjs';
import { adamStep, createAdam, learningRate } from '../train/adam.js';
import { activeBackend } from '../tfjs/backend.js';
import { AezError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { NET_PIXELS, NET_SIDE, RAW_PIXELS, cropImages, toNetBatch, type DemoDataset, type DemoDatasetName, type ImageSet } from './datasets.js';
import { decode, encode, initParams, lossParts, normalNoise, paramSpecs, countParams, type DemoArch, type Params } from './models.js';
import type { DemoMetrics, NewDemoManifest } from './model-io.js';

export interface DemoTrainConfig {
  name: string;
  title: string;
  arch: DemoArch;
  dataset: DemoDatasetName;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  recon: 'bce' | 'mse';
  /** Weight of the KL term for a VAE (ignored by the plain autoencoder). */
  beta: number;
  /** Stop after this many steps (smoke runs); default: epochs × steps per epoch. */
  maxSteps?: number;
  /** Use only the first N training images (smoke runs). */
  trainLimit?: number;
  /** Evaluate on at most this many test images (default all) and training images (default 10,000). */
  testLimit?: number;
  trainEvalLimit?: number;
}

export interface DemoTrainProgress {
  step: number;
  total: number;
  epoch: number;
  /** Running mean of the objective over the last ≤ 50 steps. */
  loss: number;
  recon: number;
  kl: number;
  lr: number;
  msPerStep: number;
  elapsedMs: number;
}

export interface DemoTrainResult {
  config: DemoTrainConfig;
  /** Trained weights, float32, in paramSpecs order. */
  flat: Float32Array;
  steps: number;
  /** Objective of every step, for tests and curves. */
  losses: number[];
  final: { train: DemoMetrics; test: DemoMetrics };
  wallTimeS: number;
  trainImages: number;
  testImages: number;
}

export interface DemoTrainRun {
  config: DemoTrainConfig;
  data: DemoDataset;
  onProgress?: (p: DemoTrainProgress) => void;
  /** How often onProgress fires, in steps (default 20). */
  progressEvery?: number;
  signal?: AbortSignal;
  /** Skip the final evaluation (tests); metrics are then NaN. */
  skipEval?: boolean;
}

function flatten(arch: DemoArch, params: Params): Float32Array {
  const out = new Float32Array(countParams(arch));
  let offset = 0;
  for (const s of paramSpecs(arch)) {
    const v = params.get(s.name)!.dataSync() as Float32Array;
    out.set(v, offset);
    offset += v.length;
  }
  return out;
}

function limit(set: ImageSet, n: number | undefined): ImageSet {
  if (n === undefined || n >= set.count) return set;
  return { images: set.images.subarray(0, n * RAW_PIXELS), labels: set.labels.subarray(0, n), count: n };
}

let runCounter = 0;

export async function trainDemoModel(run: DemoTrainRun): Promise<DemoTrainResult> {
  runCounter++;
  const cfg = run.config;
  const { arch } = cfg;
  const train = limit(run.data.train, cfg.trainLimit);
  const perEpoch = Math.max(1, Math.floor(train.count / cfg.batch));
  const batch = Math.min(cfg.batch, train.count);
  const total = Math.min(cfg.maxSteps ?? Infinity, Math.round(cfg.epochs * perEpoch));
  if (total < 1) throw new AezError('BAD_ARGUMENT', 'nothing to train: zero steps');

  const specs = paramSpecs(arch);
  const init = initParams(arch, cfg.seed);
  const vars = specs.map((s) => tf.variable(init.get(s.name)!, true, `demo/${cfg.name}/${runCounter}/${s.name}`));
  const params: Params = new Map(specs.map((s, i) => [s.name, vars[i]]));
  const flat = flatten(arch, params);
  for (const t of init.values()) t.dispose();
  const grad = new Float32Array(flat.length);
  const adam = createAdam(flat.length);

  const shuffleRng = new Rng(cfg.seed ^ 0x5eed);
  const noiseRng = new Rng(cfg.seed ^ 0xe95);
  const xBuf = new Float32Array(batch * NET_PIXELS);
  const losses: number[] = [];
  const recent: { loss: number; recon: number; kl: number }[] = [];
  const t0 = performance.now();
  let order: number[] = [];
  let step = 0;
  const warmup = Math.min(100, Math.floor(total / 10));
  try {
    while (step < total) {
      if (run.signal?.aborted) throw new AezError('CANCELLED', 'training cancelled');
      const inEpoch = step % perEpoch;
      if (inEpoch === 0) order = shuffleRng.shuffle(Array.from({ length: train.count }, (_, i) => i));
      const idx = order.slice(inEpoch * batch, inEpoch * batch + batch);
      toNetBatch(train.images, idx, xBuf);
      const lr = learningRate(step, total, cfg.lr, warmup, 0.05);
      const parts = tf.tidy(() => {
        const x = tf.tensor4d(xBuf, [batch, NET_SIDE, NET_SIDE, 1]);
        const eps = arch.kind === 'vae' ? normalNoise(noiseRng, batch, arch.latent) : undefined;
        let recon: tf.Scalar | undefined;
        let kl: tf.Scalar | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const p = lossParts(arch, params, x, { recon: cfg.recon, beta: cfg.beta, ...(eps ? { eps } : {}) });
          recon = tf.keep(p.recon);
          kl = tf.keep(p.kl);
          return p.loss;
        }, vars);
        let offset = 0;
        for (const v of vars) {
          const g = grads[v.name].dataSync() as Float32Array;
          grad.set(g, offset);
          offset += g.length;
        }
        const out = { loss: value.dataSync()[0], recon: recon!.dataSync()[0], kl: kl!.dataSync()[0] };
        recon!.dispose();
        kl!.dispose();
        return out;
      });
      if (!Number.isFinite(parts.loss)) throw new Error(`training diverged at step ${step + 1} (loss ${parts.loss})`);
      adamStep(flat, grad, adam, { lr, clipNorm: 0 });
      let offset = 0;
      for (const v of vars) {
        const n = v.size;
        tf.tidy(() => v.assign(tf.tensor(flat.subarray(offset, offset + n), v.shape)));
        offset += n;
      }
      step++;
      losses.push(parts.loss);
      recent.push(parts);
      if (recent.length > 50) recent.shift();
      const every = run.progressEvery ?? 20;
      if (run.onProgress && (step % every === 0 || step === total)) {
        const elapsedMs = performance.now() - t0;
        const mean = (k: 'loss' | 'recon' | 'kl') => recent.reduce((s, r) => s + r[k], 0) / recent.length;
        run.onProgress({ step, total, epoch: step / perEpoch, loss: mean('loss'), recon: mean('recon'), kl: mean('kl'), lr, msPerStep: elapsedMs / step, elapsedMs });
      }
      // Let timers and signals run between steps.
      if (step % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    const trainMs = performance.now() - t0;
    const nan: DemoMetrics = { loss: NaN, recon: NaN, kl: NaN, mse: NaN, psnr: NaN };
    const test = limit(run.data.test, cfg.testLimit);
    const trainEval = limit(train, cfg.trainEvalLimit ?? 10_000);
    const final = run.skipEval
      ? { train: nan, test: nan }
      : {
          train: evaluateDemo(arch, params, trainEval, { recon: cfg.recon, beta: cfg.beta, seed: cfg.seed }),
          test: evaluateDemo(arch, params, test, { recon: cfg.recon, beta: cfg.beta, seed: cfg.seed }),
        };
    return {
      config: cfg,
      flat: flatten(arch, params),
      steps: step,
      losses,
      final,
      wallTimeS: (run.skipEval ? trainMs : performance.now() - t0) / 1000,
      trainImages: train.count,
      testImages: test.count,
    };
  } finally {
    for (const v of vars) v.dispose();
  }
}

/**
 * Metrics on a set of images: the objective (VAE: one reparameterised sample per image from a fixed seed)
 * and the per-pixel MSE / PSNR of the mean reconstruction on the 28×28 image.
 */
export function evaluateDemo(
  arch: DemoArch,
  params: Params,
  set: ImageSet,
  o: { recon: 'bce' | 'mse'; beta: number; seed: number; batch?: number },
): DemoMetrics {
  const rng = new Rng(o.seed ^ 0xe7a1);
  const bs = o.batch ?? 250;
  let loss = 0;
  let recon = 0;
  let kl = 0;
  let se = 0;
  for (let start = 0; start < set.count; start += bs) {
    const n = Math.min(bs, set.count - start);
    const idx = Array.from({ length: n }, (_, i) => start + i);
    const xs = toNetBatch(set.images, idx);
    const r = tf.tidy(() => {
      const x = tf.tensor4d(xs, [n, NET_SIDE, NET_SIDE, 1]);
      const eps = arch.kind === 'vae' ? normalNoise(rng, n, arch.latent) : undefined;
      const p = lossParts(arch, params, x, { recon: o.recon, beta: o.beta, ...(eps ? { eps } : {}) });
      const y = decode(arch, params, encode(arch, params, x).mu);
      return { loss: p.loss.dataSync()[0], recon: p.recon.dataSync()[0], kl: p.kl.dataSync()[0], y: y.dataSync() as Float32Array };
    });
    loss += r.loss * n;
    recon += r.recon * n;
    kl += r.kl * n;
    const a = cropImages(xs, n);
    const b = cropImages(r.y, n);
    for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  }
  const mse = se / (set.count * RAW_PIXELS);
  return { loss: loss / set.count, recon: recon / set.count, kl: kl / set.count, mse, psnr: 10 * Math.log10(1 / Math.max(mse, 1e-12)) };
}

/** The manifest fields of a finished run (model-io adds format, weights and hash). */
export function manifestFor(result: DemoTrainResult, data: DemoDataset): NewDemoManifest {
  const c = result.config;
  return {
    name: c.name,
    title: c.title,
    arch: c.arch,
    dataset: c.dataset,
    split: data.split,
    classNames: [...data.classNames],
    training: {
      recon: c.recon,
      beta: c.arch.kind === 'vae' ? c.beta : 0,
      epochs: Math.round((result.steps / Math.max(1, Math.floor(result.trainImages / c.batch))) * 100) / 100,
      steps: result.steps,
      batch: c.batch,
      lr: c.lr,
      seed: c.seed,
      trainImages: result.trainImages,
      testImages: result.testImages,
      wallTimeS: Math.round(result.wallTimeS * 10) / 10,
      backend: activeBackend()?.chosen ?? tf.getBackend(),
      date: new Date().toISOString().slice(0, 10),
    },
    final: result.final,
  };
}
