// The explorer's networks: the seeds' convolutional autoencoder and a variational autoencoder of the same
// shape, as plain functions over a parameter map (like nn/unet.ts), so one definition serves training,
// the explorer and tests.
//
//   encoder: 32×32×1 → conv 3×3 stride 2 (32, ReLU) → 16×16 → conv (64, ReLU) → 8×8 → conv (128, ReLU)
//            → 4×4×128 → flatten (2048) → dense → latent d           (VAE: two heads, μ and log σ²)
//   decoder: d → dense (2048, ReLU) → 4×4×128 → transposed conv 3×3 stride 2 (64, ReLU) → 8×8
//            → (32, ReLU) → 16×16 → (1) → 32×32 logits → sigmoid
//
// The decoder returns logits so the binary cross-entropy is computed stably from them.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import { NET_SIDE } from './datasets.js';

export interface DemoArch {
  kind: 'ae' | 'vae';
  /** Latent size d. */
  latent: number;
  /** Encoder filters per stride-2 convolution (the decoder mirrors them). */
  filters: [number, number, number];
}

export const SEED_FILTERS: [number, number, number] = [32, 64, 128];

export function demoArch(kind: 'ae' | 'vae', latent: number): DemoArch {
  return { kind, latent, filters: [...SEED_FILTERS] };
}

export type Params = Map<string, tf.Tensor>;

export interface ParamSpec {
  name: string;
  shape: number[];
  /** Standard deviation of the initial weights (0 = zeros). */
  std: number;
}

/** Spatial side after the three stride-2 convolutions (32 → 4). */
const BOTTOM = NET_SIDE / 8;

/** Every parameter, in a fixed order (the order of the weights file). */
export function paramSpecs(arch: DemoArch): ParamSpec[] {
  const [f1, f2, f3] = arch.filters;
  const d = arch.latent;
  const flat = BOTTOM * BOTTOM * f3;
  const he = (fanIn: number) => Math.sqrt(2 / fanIn);
  const specs: ParamSpec[] = [
    { name: 'enc.c1.w', shape: [3, 3, 1, f1], std: he(9) },
    { name: 'enc.c1.b', shape: [f1], std: 0 },
    { name: 'enc.c2.w', shape: [3, 3, f1, f2], std: he(9 * f1) },
    { name: 'enc.c2.b', shape: [f2], std: 0 },
    { name: 'enc.c3.w', shape: [3, 3, f2, f3], std: he(9 * f2) },
    { name: 'enc.c3.b', shape: [f3], std: 0 },
  ];
  if (arch.kind === 'ae') {
    specs.push({ name: 'enc.z.w', shape: [flat, d], std: Math.sqrt(1 / flat) }, { name: 'enc.z.b', shape: [d], std: 0 });
  } else {
    // The log-variance head starts near zero (σ ≈ 1 everywhere), the usual stable start for a VAE.
    specs.push(
      { name: 'enc.mu.w', shape: [flat, d], std: Math.sqrt(1 / flat) },
      { name: 'enc.mu.b', shape: [d], std: 0 },
      { name: 'enc.logvar.w', shape: [flat, d], std: 0.1 * Math.sqrt(1 / flat) },
      { name: 'enc.logvar.b', shape: [d], std: 0 },
    );
  }
  // conv2dTranspose filters are [kh, kw, outChannels, inChannels].
  specs.push(
    { name: 'dec.fc.w', shape: [d, flat], std: he(d) },
    { name: 'dec.fc.b', shape: [flat], std: 0 },
    { name: 'dec.t1.w', shape: [3, 3, f2, f3], std: he(9 * f3 / 4) },
    { name: 'dec.t1.b', shape: [f2], std: 0 },
    { name: 'dec.t2.w', shape: [3, 3, f1, f2], std: he(9 * f2 / 4) },
    { name: 'dec.t2.b', shape: [f1], std: 0 },
    { name: 'dec.t3.w', shape: [3, 3, 1, f1], std: Math.sqrt(1 / ((9 * f1) / 4)) },
    { name: 'dec.t3.b', shape: [1], std: 0 },
  );
  return specs;
}

export function countParams(arch: DemoArch): number {
  return paramSpecs(arch).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

export function initParams(arch: DemoArch, seed: number): Params {
  const rng = new Rng(seed);
  const params: Params = new Map();
  for (const spec of paramSpecs(arch)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (spec.std > 0) for (let i = 0; i < size; i++) data[i] = rng.normal() * spec.std;
    params.set(spec.name, tf.tensor(data, spec.shape, 'float32'));
  }
  return params;
}

/** Parameters from flat float32 weights in paramSpecs order. */
export function paramsFromFlat(arch: DemoArch, flat: Float32Array): Params {
  const params: Params = new Map();
  let offset = 0;
  for (const s of paramSpecs(arch)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (offset + n > flat.length) throw new Error('paramsFromFlat: too few weights for the architecture');
    params.set(s.name, tf.tensor(flat.subarray(offset, offset + n), s.shape, 'float32'));
    offset += n;
  }
  if (offset !== flat.length) throw new Error(`paramsFromFlat: ${flat.length} weights, the architecture has ${offset}`);
  return params;
}

function get<R extends tf.Rank>(params: Params, name: string): tf.Tensor<R> {
  const t = params.get(name);
  if (!t) throw new Error(`demo model is missing parameter ${name}`);
  return t as tf.Tensor<R>;
}

function convDown(params: Params, name: string, x: tf.Tensor4D): tf.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: get<tf.Rank.R4>(params, `${name}.w`),
    strides: 2,
    pad: 'same',
    bias: get<tf.Rank.R1>(params, `${name}.b`),
    activation: 'relu',
  });
}

function convUp(params: Params, name: string, x: tf.Tensor4D, relu: boolean): tf.Tensor4D {
  const w = get<tf.Rank.R4>(params, `${name}.w`);
  const [n, h, wd] = x.shape;
  const y = tf.add(tf.conv2dTranspose(x, w, [n, 2 * h, 2 * wd, w.shape[2]], 2, 'same'), get(params, `${name}.b`)) as tf.Tensor4D;
  return relu ? tf.relu(y) : y;
}

function dense(params: Params, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, get<tf.Rank.R2>(params, `${name}.w`)), get(params, `${name}.b`)) as tf.Tensor2D;
}

export interface Encoded {
  /** The latent code (AE) or the posterior mean μ (VAE): [N, d]. */
  mu: tf.Tensor2D;
  /** VAE only: log σ², [N, d]. */
  logvar?: tf.Tensor2D;
}

/** Encodes [N, 32, 32, 1] images in 0..1. */
export function encode(arch: DemoArch, params: Params, x: tf.Tensor4D): Encoded {
  return tf.tidy(() => {
    const n = x.shape[0];
    let f = convDown(params, 'enc.c1', x);
    f = convDown(params, 'enc.c2', f);
    f = convDown(params, 'enc.c3', f);
    const flat = tf.reshape(f, [n, -1]) as tf.Tensor2D;
    if (arch.kind === 'ae') return { mu: dense(params, 'enc.z', flat) };
    return { mu: dense(params, 'enc.mu', flat), logvar: dense(params, 'enc.logvar', flat) };
  });
}

/** Decodes latent points [N, d] to logits [N, 32, 32, 1]. */
export function decodeLogits(arch: DemoArch, params: Params, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = z.shape[0];
    const f3 = arch.filters[2];
    let f = tf.reshape(tf.relu(dense(params, 'dec.fc', z)), [n, BOTTOM, BOTTOM, f3]) as tf.Tensor4D;
    f = convUp(params, 'dec.t1', f, true);
    f = convUp(params, 'dec.t2', f, true);
    return convUp(params, 'dec.t3', f, false);
  });
}

/** Decodes latent points [N, d] to images [N, 32, 32, 1] in 0..1. */
export function decode(arch: DemoArch, params: Params, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => tf.sigmoid(decodeLogits(arch, params, z)));
}

/** KL(N(μ, σ²) ‖ N(0, 1)) per sample: −½ Σ_j (1 + log σ²_j − μ_j² − σ²_j), shape [N]. */
export function klDivergence(mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar)), 1)) as tf.Tensor1D);
}

/** Per-image reconstruction loss summed over pixels, shape [N]; `logits` and `target` are [N, 32, 32, 1]. */
export function reconstructionLoss(kind: 'bce' | 'mse', logits: tf.Tensor4D, target: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    let per: tf.Tensor;
    if (kind === 'bce') {
      // Stable BCE from logits: max(z, 0) − z·y + log(1 + e^(−|z|)).
      per = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    } else {
      per = tf.square(tf.sub(tf.sigmoid(logits), target));
    }
    return tf.sum(tf.reshape(per, [target.shape[0], -1]), 1) as tf.Tensor1D;
  });
}

export interface LossOptions {
  recon: 'bce' | 'mse';
  /** Weight of the KL term (VAE); 1 is the standard VAE. */
  beta: number;
  /** VAE: standard normal noise [N, d] for the reparameterisation z = μ + σ·ε (from a seeded source). */
  eps?: tf.Tensor2D;
}

export interface LossParts {
  /** The objective: mean over the batch of (reconstruction + β·KL). */
  loss: tf.Scalar;
  recon: tf.Scalar;
  kl: tf.Scalar;
}

/** The training objective on a batch [N, 32, 32, 1] in 0..1 (inputs double as targets). */
export function lossParts(arch: DemoArch, params: Params, x: tf.Tensor4D, o: LossOptions): LossParts {
  return tf.tidy(() => {
    const { mu, logvar } = encode(arch, params, x);
    let z = mu;
    let kl: tf.Scalar = tf.scalar(0);
    if (arch.kind === 'vae') {
      if (!logvar) throw new Error('VAE encoder returned no log-variance');
      if (!o.eps) throw new Error('a VAE loss needs reparameterisation noise (eps)');
      z = tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logvar)), o.eps));
      kl = tf.mean(klDivergence(mu, logvar));
    }
    const recon = tf.mean(reconstructionLoss(o.recon, decodeLogits(arch, params, z), x)) as tf.Scalar;
    const loss = arch.kind === 'vae' ? (tf.add(recon, tf.mul(o.beta, kl)) as tf.Scalar) : recon;
    return { loss, recon, kl };
  });
}

/** Standard normal noise [n, d] from a seeded generator (reproducible reparameterisation). */
export function normalNoise(rng: Rng, n: number, d: number): tf.Tensor2D {
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return tf.tensor2d(data, [n, d]);
}

/** Multiply-adds per image of one forward pass (encoder + decoder), for speed reports. */
export function macsPerImage(arch: DemoArch): number {
  const [f1, f2, f3] = arch.filters;
  const s1 = (NET_SIDE / 2) ** 2;
  const s2 = (NET_SIDE / 4) ** 2;
  const s3 = (NET_SIDE / 8) ** 2;
  const heads = arch.kind === 'vae' ? 2 : 1;
  const enc = s1 * 9 * f1 + s2 * 9 * f1 * f2 + s3 * 9 * f2 * f3 + heads * s3 * f3 * arch.latent;
  const dec = arch.latent * s3 * f3 + s3 * 9 * f3 * f2 + s2 * 9 * f2 * f1 + s1 * 9 * f1;
  return enc + dec;
}
