// On-disk format of the explorer's demo models and samples, all under models/demo/:
//
//   models/demo/<name>/demo-model.json   manifest: architecture, data set, training summary, weight list, hash
//   models/demo/<name>/weights.bin       float16 little-endian, in paramSpecs order
//   models/demo/<name>/embeddings.bin    float16 [count, d]: the encoded test sample of its data set (μ for a VAE)
//   models/demo/<name>/MODEL_CARD.md
//   models/demo/samples/<dataset>.json   which test images, their labels and class names
//   models/demo/samples/<dataset>.u8.gz  uint8 28×28 images, gzip
//
// The manifest is named demo-model.json (not model.json) so the denoiser registry never mistakes a demo model
// for one of its own. Loading validates everything before any tensor is made.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.js';
import { AezError } from '../util/errors.js';
import { decodeHalf, encodeHalf } from '../models/half-float.js';
import { modelsRoot } from '../models/registry.js';
import { DEMO_DATASETS, RAW_PIXELS, type DemoDatasetName } from './datasets.js';
import { paramSpecs, type DemoArch } from './models.js';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

export const DEMO_MODEL_FORMAT = 'aez-demo-model';
export const DEMO_MODEL_VERSION = 1;
export const DEMO_MANIFEST = 'demo-model.json';

export function demoRoot(): string {
  return process.env.AEZ_DEMO_DIR ?? join(modelsRoot(), 'demo');
}

const archSchema = z.object({
  kind: z.enum(['ae', 'vae']),
  latent: z.number().int().min(1).max(256),
  filters: z.tuple([z.number().int().min(1).max(512), z.number().int().min(1).max(512), z.number().int().min(1).max(512)]),
});

const metricsSchema = z.object({
  /** The objective per image (reconstruction summed over 32×32 pixels + β·KL). */
  loss: z.number(),
  /** Reconstruction term per image. */
  recon: z.number(),
  /** KL term per image (0 for a plain autoencoder). */
  kl: z.number(),
  /** Mean squared error per pixel on the 28×28 image, 0..1 units (the loss-vs-size chart uses this). */
  mse: z.number(),
  /** PSNR in dB from that MSE. */
  psnr: z.number(),
});
export type DemoMetrics = z.infer<typeof metricsSchema>;

const manifestSchema = z.object({
  format: z.literal(DEMO_MODEL_FORMAT),
  version: z.literal(DEMO_MODEL_VERSION),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  title: z.string(),
  arch: archSchema,
  dataset: z.enum(DEMO_DATASETS),
  split: z.string(),
  classNames: z.array(z.string()).length(10),
  training: z.object({
    recon: z.enum(['bce', 'mse']),
    beta: z.number(),
    epochs: z.number(),
    steps: z.number().int(),
    batch: z.number().int(),
    lr: z.number(),
    seed: z.number().int(),
    trainImages: z.number().int(),
    testImages: z.number().int(),
    wallTimeS: z.number(),
    backend: z.string(),
    date: z.string(),
  }),
  final: z.object({ train: metricsSchema, test: metricsSchema }),
  /** Encoded sample (for the scatter): file, count, and the latent bounding box. */
  embeddings: z
    .object({
      file: z.string(),
      count: z.number().int().min(1),
      min: z.array(z.number()),
      max: z.array(z.number()),
    })
    .optional(),
  dtype: z.enum(['float16', 'float32']),
  weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(1)) })),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DemoManifest = z.infer<typeof manifestSchema>;

export interface LoadedDemoModel {
  manifest: DemoManifest;
  dir: string;
  arch: DemoArch;
  /** All weights, float32, in paramSpecs order. */
  flat: Float32Array;
  /** Encoded test sample [count, d], when the model has one. */
  embeddings?: Float32Array;
}

function aligned(buf: Buffer): ArrayBuffer {
  const a = new Uint8Array(buf.byteLength);
  a.set(buf);
  return a.buffer;
}

export async function readDemoManifest(dir: string): Promise<DemoManifest> {
  const path = join(dir, DEMO_MANIFEST);
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    throw new AezError('MODEL_NOT_FOUND', `no demo model at ${dir} (${DEMO_MANIFEST} missing)`);
  }
  try {
    return manifestSchema.parse(JSON.parse(raw));
  } catch (e) {
    const why = e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : 'not JSON';
    throw new AezError('MODEL_CORRUPT', `${path} is not a valid demo model manifest (${why})`);
  }
}

export async function loadDemoModelDir(dir: string): Promise<LoadedDemoModel> {
  const manifest = await readDemoManifest(dir);
  const arch = manifest.arch as DemoArch;
  const specs = paramSpecs(arch);
  const same =
    specs.length === manifest.weights.length &&
    specs.every((s, i) => s.name === manifest.weights[i].name && s.shape.join() === manifest.weights[i].shape.join());
  if (!same) throw new AezError('MODEL_CORRUPT', `demo model ${dir}: weight list does not match its architecture`);
  const count = specs.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const bin = await readFile(join(dir, 'weights.bin')).catch(() => {
    throw new AezError('MODEL_CORRUPT', `demo model ${dir}: weights.bin is missing`);
  });
  const bytesPer = manifest.dtype === 'float16' ? 2 : 4;
  if (bin.byteLength !== count * bytesPer) {
    throw new AezError('MODEL_CORRUPT', `demo model ${dir}: weights.bin has ${bin.byteLength} bytes, expected ${count * bytesPer}`);
  }
  if (createHash('sha256').update(bin).digest('hex') !== manifest.sha256) {
    throw new AezError('MODEL_CORRUPT', `demo model ${dir}: weights.bin is damaged (hash mismatch)`);
  }
  const flat = manifest.dtype === 'float16' ? decodeHalf(new Uint16Array(aligned(bin))) : new Float32Array(aligned(bin));
  let embeddings: Float32Array | undefined;
  if (manifest.embeddings) {
    const e = await readFile(join(dir, manifest.embeddings.file)).catch(() => {
      throw new AezError('MODEL_CORRUPT', `demo model ${dir}: ${manifest.embeddings!.file} is missing`);
    });
    if (e.byteLength !== manifest.embeddings.count * arch.latent * 2) {
      throw new AezError('MODEL_CORRUPT', `demo model ${dir}: ${manifest.embeddings.file} has the wrong size`);
    }
    embeddings = decodeHalf(new Uint16Array(aligned(e)));
  }
  return { manifest, dir, arch, flat, ...(embeddings ? { embeddings } : {}) };
}

export type NewDemoManifest = Omit<DemoManifest, 'format' | 'version' | 'dtype' | 'weights' | 'sha256' | 'embeddings'>;

/** Writes weights (float16), embeddings and the manifest, in that order, each atomically. */
export async function saveDemoModelDir(
  dir: string,
  flat: Float32Array,
  info: NewDemoManifest,
  embeddings?: Float32Array,
): Promise<DemoManifest> {
  await mkdir(dir, { recursive: true });
  const specs = paramSpecs(info.arch as DemoArch);
  const count = specs.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  if (flat.length !== count) throw new Error(`cannot save demo model: ${flat.length} weights, the architecture has ${count}`);
  const bin = Buffer.from(encodeHalf(flat).buffer);
  let emb: DemoManifest['embeddings'];
  if (embeddings) {
    const d = info.arch.latent;
    const n = embeddings.length / d;
    const min = Array.from({ length: d }, () => Infinity);
    const max = Array.from({ length: d }, () => -Infinity);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const v = embeddings[i * d + j];
        if (v < min[j]) min[j] = v;
        if (v > max[j]) max[j] = v;
      }
    }
    emb = { file: 'embeddings.bin', count: n, min, max };
    await writeFileAtomic(join(dir, emb.file), Buffer.from(encodeHalf(embeddings).buffer));
  }
  const manifest: DemoManifest = {
    format: DEMO_MODEL_FORMAT,
    version: DEMO_MODEL_VERSION,
    ...info,
    ...(emb ? { embeddings: emb } : {}),
    dtype: 'float16',
    weights: specs.map((s) => ({ name: s.name, shape: s.shape })),
    sha256: createHash('sha256').update(bin).digest('hex'),
  };
  manifestSchema.parse(manifest);
  await writeFileAtomic(join(dir, 'weights.bin'), bin);
  await writeFileAtomic(join(dir, DEMO_MANIFEST), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  return manifest;
}

/** Every demo model's manifest under `root` (folders without a manifest are skipped). */
export async function listDemoModels(root = demoRoot()): Promise<{ dir: string; manifest: DemoManifest }[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const out: { dir: string; manifest: DemoManifest }[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = join(root, e.name);
    const manifest = await readDemoManifest(dir).catch(() => null);
    if (manifest) out.push({ dir, manifest });
  }
  return out.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

// ---------------------------------------------------------------------------------------------------
// The sample of test images the explorer shows (one per data set, shared by that data set's models).

const sampleSchema = z.object({
  format: z.literal('aez-demo-samples'),
  version: z.literal(1),
  dataset: z.enum(DEMO_DATASETS),
  split: z.string(),
  classNames: z.array(z.string()).length(10),
  count: z.number().int().min(1),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Index of each image in the data set's test split. */
  testIndices: z.array(z.number().int().min(0)),
  labels: z.array(z.number().int().min(0).max(9)),
});
export type SampleManifest = z.infer<typeof sampleSchema>;

export interface SampleSet {
  manifest: SampleManifest;
  /** uint8 28×28 images, count·784 bytes. */
  images: Uint8Array;
  labels: Uint8Array;
}

export function samplesDir(root = demoRoot()): string {
  return join(root, 'samples');
}

export async function saveSampleSet(
  root: string,
  info: Omit<SampleManifest, 'format' | 'version' | 'file' | 'sha256' | 'count' | 'labels'>,
  images: Uint8Array,
  labels: Uint8Array,
): Promise<SampleManifest> {
  const dir = samplesDir(root);
  await mkdir(dir, { recursive: true });
  const count = labels.length;
  if (images.length !== count * RAW_PIXELS) throw new Error('saveSampleSet: images and labels disagree');
  const gz = await gzip(images, { level: 9 });
  const manifest: SampleManifest = {
    format: 'aez-demo-samples',
    version: 1,
    ...info,
    count,
    file: `${info.dataset}.u8.gz`,
    sha256: createHash('sha256').update(images).digest('hex'),
    labels: Array.from(labels),
  };
  sampleSchema.parse(manifest);
  await writeFileAtomic(join(dir, manifest.file), gz);
  await writeFileAtomic(join(dir, `${info.dataset}.json`), Buffer.from(JSON.stringify(manifest) + '\n'));
  return manifest;
}

export async function loadSampleSet(dataset: DemoDatasetName, root = demoRoot()): Promise<SampleSet> {
  const dir = samplesDir(root);
  const path = join(dir, `${dataset}.json`);
  let manifest: SampleManifest;
  try {
    manifest = sampleSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new AezError('MODEL_NOT_FOUND', `no demo samples for ${dataset} (${path} missing)`);
    throw new AezError('MODEL_CORRUPT', `${path} is not a valid demo sample manifest`);
  }
  const images = new Uint8Array(await gunzip(await readFile(join(dir, manifest.file))));
  if (images.length !== manifest.count * RAW_PIXELS || createHash('sha256').update(images).digest('hex') !== manifest.sha256) {
    throw new AezError('MODEL_CORRUPT', `demo samples ${manifest.file} are damaged`);
  }
  if (manifest.labels.length !== manifest.count) throw new AezError('MODEL_CORRUPT', `demo samples ${path}: label count is wrong`);
  return { manifest, images, labels: Uint8Array.from(manifest.labels) };
}
