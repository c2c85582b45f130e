// The latent-space explorer's engine: everything the Explore view asks of a demo model. Images cross this
// API as Float32Array of 28×28 values in 0..1, one image after another (n·784 values); latent points as
// Float32Array of n·d values. Every random draw takes a seed, so a lesson replays identically.
import { isAbsolute, join } from 'node:path';
import { AezError } from '../util/errors.js';
import { Lazy } from '../util/lazy.js';
import { Rng } from '../util/rng.js';
import { RAW_PIXELS, cropImages, padImages } from './datasets.js';
import type { InferenceEngine } from '../inference/engine.js';
import { createInferenceEngine } from '../inference/select.js';
import { demoNetOn, TfjsDemoNet, type DemoNet } from './demo-net.js';
import type { DemoArch } from './models.js';
import { demoRoot, listDemoModels, loadDemoModelDir, loadSampleSet, type DemoManifest, type SampleSet } from './model-io.js';

export type SampleKind = 'uniform' | 'normal' | 'class';

/** Images or points per network call (bounds the tensors of one call). */
export const EXPLORER_BATCH = 500;

export interface Bounds {
  min: number[];
  max: number[];
}

export interface DecodedPoints {
  /** n·d latent coordinates. */
  points: Float32Array;
  /** n·784 decoded images in 0..1. */
  images: Float32Array;
  count: number;
}

export interface ClassStats {
  label: number;
  name: string;
  count: number;
  mean: number[];
  /** Standard deviation per latent dimension. */
  std: number[];
  /** Full covariance, d×d row-major. */
  cov: number[];
}

export interface Embeddings {
  /** count·d latent means of the sample images. */
  points: Float32Array;
  labels: Uint8Array;
  count: number;
  dim: number;
  classNames: string[];
  bounds: Bounds;
}

export interface DenoiseDemo {
  clean: Float32Array;
  noisy: Float32Array;
  /** The autoencoder's reconstruction of the noisy image. */
  restored: Float32Array;
  /** The reconstruction of the clean image (the best the model can do). */
  reconstruction: Float32Array;
  sigma: number;
  psnrNoisy: number;
  psnrRestored: number;
}

export function psnr(a: Float32Array, b: Float32Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}

/** Cholesky factor L (lower, row-major) of a symmetric positive semi-definite d×d matrix, with a small jitter. */
export function cholesky(a: number[], d: number): number[] {
  const l = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j] + (i === j ? 1e-9 : 0);
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = i === j ? Math.sqrt(Math.max(s, 0)) : l[j * d + j] > 0 ? s / l[j * d + j] : 0;
    }
  }
  return l;
}

function toPoints(points: Float32Array | number[] | number[][], d: number): Float32Array {
  let flat: Float32Array;
  if (points instanceof Float32Array) flat = points;
  else if (points.length > 0 && Array.isArray(points[0])) flat = Float32Array.from((points as number[][]).flat());
  else flat = Float32Array.from(points as number[]);
  if (flat.length === 0 || flat.length % d !== 0) throw new AezError('BAD_ARGUMENT', `latent points must have ${d} coordinates each, got ${flat.length} values`);
  for (const v of flat) if (!Number.isFinite(v)) throw new AezError('BAD_ARGUMENT', 'latent points must be finite numbers');
  return flat;
}

export class DemoExplorer {
  private net: DemoNet | null;
  private readonly emb = new Lazy(() => this.computeEmbeddings());
  private readonly stats = new Lazy(async () => this.statsOf(await this.emb.get()));

  private constructor(
    readonly arch: DemoArch,
    net: DemoNet,
    readonly manifest: DemoManifest | null,
    readonly samples: SampleSet | null,
    private readonly storedEmbeddings: Float32Array | null,
    /** An engine this explorer made for itself (disposed with it); a shared one stays with its owner. */
    private readonly ownEngine: InferenceEngine | null = null,
  ) {
    this.net = net;
  }

  /**
   * Opens a demo model by name (a folder under models/demo) or by folder path, with its data set's samples,
   * on `engine` (shared, e.g. the host's), else on an engine of its own: the fastest the chain finds
   * (onnxruntime, else TensorFlow.js; AEZ_BACKEND forces one).
   */
  static async open(nameOrDir: string, root = demoRoot(), engine?: InferenceEngine): Promise<DemoExplorer> {
    const dir = isAbsolute(nameOrDir) || nameOrDir.includes('/') || nameOrDir.includes('\\') ? nameOrDir : join(root, nameOrDir);
    const m = await loadDemoModelDir(dir);
    const samples = await loadSampleSet(m.manifest.dataset, root).catch(() => null);
    const stored = m.embeddings && samples && m.manifest.embeddings?.count === samples.manifest.count ? m.embeddings : null;
    const own = engine ? null : (await createInferenceEngine()).engine;
    const net = demoNetOn(engine ?? own!, m.arch, m.flat, m.manifest.sha256);
    return new DemoExplorer(m.arch, net, m.manifest, samples, stored, own);
  }

  /** An explorer over given weights on TensorFlow.js (tests, freshly trained models); samples optional. */
  static fromWeights(arch: DemoArch, flat: Float32Array, samples: SampleSet | null = null, manifest: DemoManifest | null = null): DemoExplorer {
    return new DemoExplorer(arch, new TfjsDemoNet(arch, flat), manifest, samples, null);
  }

  /** The engine the network runs on, e.g. "ort-cpu" or "tfjs-wasm". */
  get engine(): string {
    return this.n().engine;
  }

  get latentSize(): number {
    return this.arch.latent;
  }

  get kind(): 'ae' | 'vae' {
    return this.arch.kind;
  }

  private n(): DemoNet {
    if (!this.net) throw new AezError('BAD_ARGUMENT', 'this explorer model was closed');
    return this.net;
  }

  /** Images (float 0..1 or uint8 0..255, n·784 values) → latent means, n·d. */
  async encode(images: Float32Array | Uint8Array): Promise<Float32Array> {
    const n = images.length / RAW_PIXELS;
    if (!Number.isInteger(n) || n < 1) throw new AezError('BAD_ARGUMENT', `images must be whole 28×28 images (a multiple of ${RAW_PIXELS} values), got ${images.length}`);
    const f = images instanceof Uint8Array ? Float32Array.from(images, (v) => v / 255) : images;
    const out = new Float32Array(n * this.arch.latent);
    const B = EXPLORER_BATCH;
    for (let s = 0; s < n; s += B) {
      const m = Math.min(B, n - s);
      const x = padImages(f.subarray(s * RAW_PIXELS, (s + m) * RAW_PIXELS), m);
      out.set(await this.n().encode(x, m), s * this.arch.latent);
    }
    return out;
  }

  /** Latent points (flat n·d, one point, or a list of points) → n·784 images in 0..1. */
  async decode(points: Float32Array | number[] | number[][]): Promise<Float32Array> {
    const d = this.arch.latent;
    const flat = toPoints(points, d);
    const n = flat.length / d;
    const out = new Float32Array(n * RAW_PIXELS);
    const B = EXPLORER_BATCH;
    for (let s = 0; s < n; s += B) {
      const m = Math.min(B, n - s);
      out.set(cropImages(await this.n().decode(flat.subarray(s * d, (s + m) * d), m), m), s * RAW_PIXELS);
    }
    return out;
  }

  /** One point (e.g. a click on the scatter) → one 28×28 image. */
  async decodePoint(point: number[]): Promise<Float32Array> {
    if (point.length !== this.arch.latent) throw new AezError('BAD_ARGUMENT', `a point needs ${this.arch.latent} coordinates, got ${point.length}`);
    return this.decode(point);
  }

  /** encode then decode. */
  async reconstruct(images: Float32Array | Uint8Array): Promise<Float32Array> {
    return this.decode(await this.encode(images));
  }

  /** The sample's test images as floats (n·784), or one of them. */
  sampleImage(index: number): Float32Array {
    const s = this.requireSamples();
    if (!Number.isInteger(index) || index < 0 || index >= s.manifest.count) throw new AezError('BAD_ARGUMENT', `sample index must be 0–${s.manifest.count - 1}`);
    return Float32Array.from(s.images.subarray(index * RAW_PIXELS, (index + 1) * RAW_PIXELS), (v) => v / 255);
  }

  private requireSamples(): SampleSet {
    if (!this.samples) throw new AezError('MODEL_NOT_FOUND', 'this demo model has no sample images (models/demo/samples missing)');
    return this.samples;
  }

  /** The encoded sample images with labels (stored with the model, else computed once). */
  embeddings(): Promise<Embeddings> {
    return this.emb.get();
  }

  private async computeEmbeddings(): Promise<Embeddings> {
    const s = this.requireSamples();
    const d = this.arch.latent;
    const points = this.storedEmbeddings ?? (await this.encode(s.images));
    const count = s.manifest.count;
    const min = Array.from({ length: d }, () => Infinity);
    const max = Array.from({ length: d }, () => -Infinity);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < d; j++) {
        const v = points[i * d + j];
        if (v < min[j]) min[j] = v;
        if (v > max[j]) max[j] = v;
      }
    }
    return { points, labels: s.labels, count, dim: d, classNames: [...s.manifest.classNames], bounds: { min, max } };
  }

  /** Per-class mean, spread and covariance of the embeddings. */
  classStats(): Promise<ClassStats[]> {
    return this.stats.get();
  }

  private statsOf(e: Embeddings): ClassStats[] {
    const d = e.dim;
    const out: ClassStats[] = [];
    for (let c = 0; c < e.classNames.length; c++) {
      const mean = new Array<number>(d).fill(0);
      const cov = new Array<number>(d * d).fill(0);
      let count = 0;
      for (let i = 0; i < e.count; i++) {
        if (e.labels[i] !== c) continue;
        count++;
        for (let j = 0; j < d; j++) mean[j] += e.points[i * d + j];
      }
      if (count === 0) continue;
      for (let j = 0; j < d; j++) mean[j] /= count;
      for (let i = 0; i < e.count; i++) {
        if (e.labels[i] !== c) continue;
        for (let j = 0; j < d; j++) {
          const a = e.points[i * d + j] - mean[j];
          for (let k = 0; k < d; k++) cov[j * d + k] += a * (e.points[i * d + k] - mean[k]);
        }
      }
      const div = Math.max(1, count - 1);
      for (let j = 0; j < d * d; j++) cov[j] /= div;
      out.push({ label: c, name: e.classNames[c], count, mean, std: mean.map((_, j) => Math.sqrt(cov[j * d + j])), cov });
    }
    return out;
  }

  /**
   * Draws `count` latent points and decodes them: 'uniform' inside the embeddings' bounding box, 'normal'
   * from N(0, I) (what a VAE's prior promises; an autoencoder makes no such promise), 'class' from the normal
   * fitted to one class's embeddings (mean and full covariance).
   */
  async sample(kind: SampleKind, count: number, o: { seed?: number; classIndex?: number } = {}): Promise<DecodedPoints & { kind: SampleKind }> {
    if (!Number.isInteger(count) || count < 1 || count > 10000) throw new AezError('BAD_ARGUMENT', 'sample count must be 1–10000');
    const d = this.arch.latent;
    const rng = new Rng(o.seed ?? 1);
    const points = new Float32Array(count * d);
    if (kind === 'uniform') {
      const { min, max } = (await this.embeddings()).bounds;
      for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) points[i * d + j] = rng.uniform(min[j], max[j]);
    } else if (kind === 'normal') {
      for (let i = 0; i < points.length; i++) points[i] = rng.normal();
    } else if (kind === 'class') {
      const c = o.classIndex ?? 0;
      const st = (await this.classStats()).find((s) => s.label === c);
      if (!st) throw new AezError('BAD_ARGUMENT', `no sample images of class ${c}`);
      const L = cholesky(st.cov, d);
      const eps = new Array<number>(d);
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < d; j++) eps[j] = rng.normal();
        for (let j = 0; j < d; j++) {
          let v = st.mean[j];
          for (let k = 0; k <= j; k++) v += L[j * d + k] * eps[k];
          points[i * d + j] = v;
        }
      }
    } else {
      throw new AezError('BAD_ARGUMENT', `unknown sampling "${String(kind)}": uniform, normal or class`);
    }
    return { kind, points, images: await this.decode(points), count };
  }

  /**
   * A strip of `frames` decoded images on the straight line between the codes of two images; the first and
   * last frames are the two images' reconstructions.
   */
  async interpolate(a: Float32Array, b: Float32Array, frames: number): Promise<DecodedPoints> {
    if (!Number.isInteger(frames) || frames < 2 || frames > 64) throw new AezError('BAD_ARGUMENT', 'frames must be 2–64');
    const d = this.arch.latent;
    if (a.length !== RAW_PIXELS || b.length !== RAW_PIXELS) throw new AezError('BAD_ARGUMENT', 'interpolate takes two 28×28 images');
    const both = new Float32Array(2 * RAW_PIXELS);
    both.set(a);
    both.set(b, RAW_PIXELS);
    const z = await this.encode(both);
    const points = new Float32Array(frames * d);
    for (let f = 0; f < frames; f++) {
      const t = f / (frames - 1);
      for (let j = 0; j < d; j++) points[f * d + j] = (1 - t) * z[j] + t * z[d + j];
    }
    return { points, images: await this.decode(points), count: frames };
  }

  /**
   * A cols×rows grid of decoded images over the plane of latent dimensions `dims` (default the first two),
   * points at cell centres, row 0 at the top (largest second coordinate); other dimensions sit at the
   * embeddings' mean. Bounds default to the embeddings' bounding box (or ±3 without samples).
   */
  async grid(cols: number, rows: number, o: { bounds?: Bounds; dims?: [number, number] } = {}): Promise<DecodedPoints & { cols: number; rows: number; bounds: Bounds }> {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1 || cols * rows > 2500) {
      throw new AezError('BAD_ARGUMENT', 'grid must be 1–2500 cells');
    }
    const d = this.arch.latent;
    const [dx, dy] = o.dims ?? [0, Math.min(1, d - 1)];
    const emb = this.samples ? await this.embeddings() : null;
    const bounds = o.bounds ?? emb?.bounds ?? { min: new Array(d).fill(-3), max: new Array(d).fill(3) };
    const centre = new Array<number>(d).fill(0);
    if (emb) {
      for (let i = 0; i < emb.count; i++) for (let j = 0; j < d; j++) centre[j] += emb.points[i * d + j] / emb.count;
    }
    const points = new Float32Array(cols * rows * d);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const k = (r * cols + c) * d;
        for (let j = 0; j < d; j++) points[k + j] = centre[j];
        points[k + dx] = bounds.min[dx] + ((c + 0.5) / cols) * (bounds.max[dx] - bounds.min[dx]);
        if (d > 1) points[k + dy] = bounds.max[dy] - ((r + 0.5) / rows) * (bounds.max[dy] - bounds.min[dy]);
      }
    }
    return { points, images: await this.decode(points), count: cols * rows, cols, rows, bounds };
  }

  /** Adds Gaussian noise of standard deviation `sigma` (0..1 units, clipped to 0..1) and reconstructs. */
  async denoise(image: Float32Array, sigma: number, seed = 1): Promise<DenoiseDemo> {
    if (image.length !== RAW_PIXELS) throw new AezError('BAD_ARGUMENT', 'denoise takes one 28×28 image');
    if (!(sigma >= 0 && sigma <= 2)) throw new AezError('BAD_ARGUMENT', 'sigma must be 0–2 (0..1 pixel units)');
    const rng = new Rng(seed);
    const noisy = Float32Array.from(image, (v) => Math.min(1, Math.max(0, v + sigma * rng.normal())));
    const both = new Float32Array(2 * RAW_PIXELS);
    both.set(noisy);
    both.set(image, RAW_PIXELS);
    const rec = await this.reconstruct(both);
    const restored = rec.slice(0, RAW_PIXELS);
    const reconstruction = rec.slice(RAW_PIXELS);
    return { clean: Float32Array.from(image), noisy, restored, reconstruction, sigma, psnrNoisy: psnr(noisy, image), psnrRestored: psnr(restored, image) };
  }

  dispose(): void {
    this.net?.dispose();
    this.net = null;
    this.ownEngine?.dispose();
  }
}

export interface LatentSizeRow {
  name: string;
  latent: number;
  testMse: number;
  testPsnr: number;
  testLoss: number;
  trainLoss: number;
}

/** Reconstruction loss against latent size, from the manifests of the plain autoencoders of one data set. */
export async function lossVsLatentSize(root = demoRoot(), dataset = 'fashion-mnist', kind: 'ae' | 'vae' = 'ae'): Promise<LatentSizeRow[]> {
  const rows = (await listDemoModels(root))
    .filter(({ manifest: m }) => m.dataset === dataset && m.arch.kind === kind)
    .map(({ manifest: m }) => ({
      name: m.name,
      latent: m.arch.latent,
      testMse: m.final.test.mse,
      testPsnr: m.final.test.psnr,
      testLoss: m.final.test.loss,
      trainLoss: m.final.train.loss,
    }));
  return rows.sort((a, b) => a.latent - b.latent);
}

/** A summary of every demo model for the model picker. */
export async function listExplorerModels(root = demoRoot()): Promise<
  { name: string; title: string; kind: 'ae' | 'vae'; dataset: string; latent: number; classNames: string[]; hasEmbeddings: boolean }[]
> {
  return (await listDemoModels(root)).map(({ manifest: m }) => ({
    name: m.name,
    title: m.title,
    kind: m.arch.kind,
    dataset: m.dataset,
    latent: m.arch.latent,
    classNames: m.classNames,
    hasEmbeddings: Boolean(m.embeddings),
  }));
}
