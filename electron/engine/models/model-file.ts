// The on-disk model format: a folder with `model.json` (architecture, weight names and shapes, hash) and
// `weights.bin` (little-endian float16 or float32, in manifest order). A model folder also holds its
// MODEL_CARD.md. Loading validates everything before any tensor is made, so a corrupt or hand-edited
// model fails with a message instead of a shape error deep inside a convolution.
import { createHash } from 'node:crypto';
import { readFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AezError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { archParamSpecs as paramSpecs, type ArchConfig } from './arch.js';
import { decodeHalf, encodeHalf } from './half-float.js';

export const MODEL_FORMAT = 'aez-model';
export const MODEL_FORMAT_VERSION = 1;

const unetSchema = z.object({
  kind: z.literal('unet'),
  channels: z.union([z.literal(1), z.literal(3)]),
  noiseMap: z.boolean(),
  widths: z.array(z.number().int().min(1).max(1024)).min(1).max(6),
  blocks: z.array(z.number().int().min(0).max(32)).min(1).max(6),
  extraInputs: z.number().int().min(0).max(8).optional(),
  maskedOutput: z.boolean().optional(),
});

const hyperpriorSchema = z.object({
  kind: z.literal('hyperprior'),
  channels: z.literal(3),
  n: z.number().int().min(1).max(1024),
  m: z.number().int().min(1).max(1024),
  nz: z.number().int().min(1).max(1024),
  lambdas: z.array(z.number().positive()).min(1).max(64),
  exactSynthesis: z.literal(true).optional(),
});

/** What the inpainter is fed besides the image: the hole mask plane, and how holes are pre-filled. */
const inputsSchema = z.object({
  mask: z.literal('hole'),
  /** 'telea': holes hold Telea's fill (the network refines it); 'zero': holes are zeroed. */
  prefill: z.enum(['zero', 'telea']),
});

const manifestSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_FORMAT_VERSION),
  id: z.string().min(1).max(64),
  task: z.enum(['denoise-photo', 'denoise-scan', 'inpaint', 'codec']),
  arch: z.discriminatedUnion('kind', [unetSchema, hyperpriorSchema]),
  inputs: inputsSchema.optional(),
  dtype: z.enum(['float16', 'float32']),
  weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(1)) })),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  training: z.record(z.string(), z.unknown()).optional(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ModelTask = ModelManifest['task'];
export type ModelInputs = z.infer<typeof inputsSchema>;

export interface LoadedModel {
  manifest: ModelManifest;
  dir: string;
  /** Weights by name, float32, in manifest order. */
  weights: Map<string, Float32Array>;
}

export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const manifestPath = join(dir, 'model.json');
  let raw: string;
  try {
    raw = await readFile(manifestPath, 'utf8');
  } catch {
    throw new AezError('MODEL_NOT_FOUND', `no model at ${dir} (model.json missing)`);
  }
  let manifest: ModelManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(raw));
  } catch (e) {
    const why = e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : 'not JSON';
    throw new AezError('MODEL_CORRUPT', `model ${manifestPath} is not a valid AEZ model manifest (${why})`);
  }
  const expected = paramSpecs(manifest.arch as ArchConfig);
  const same =
    expected.length === manifest.weights.length &&
    expected.every((s, i) => s.name === manifest.weights[i].name && s.shape.join() === manifest.weights[i].shape.join());
  if (!same) throw new AezError('MODEL_CORRUPT', `model ${dir}: weight list does not match its architecture`);

  const binPath = join(dir, 'weights.bin');
  const bytesPer = manifest.dtype === 'float16' ? 2 : 4;
  const count = manifest.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  const size = await stat(binPath).then((s) => s.size, () => -1);
  if (size < 0) throw new AezError('MODEL_CORRUPT', `model ${dir}: weights.bin is missing`);
  if (size !== count * bytesPer) {
    throw new AezError('MODEL_CORRUPT', `model ${dir}: weights.bin has ${size} bytes, expected ${count * bytesPer}`);
  }
  const bin = await readFile(binPath);
  const hash = createHash('sha256').update(bin).digest('hex');
  if (hash !== manifest.sha256) throw new AezError('MODEL_CORRUPT', `model ${dir}: weights.bin is damaged (hash mismatch)`);

  const aligned = new Uint8Array(bin.byteLength);
  aligned.set(bin);
  const all =
    manifest.dtype === 'float16'
      ? decodeHalf(new Uint16Array(aligned.buffer, 0, count))
      : new Float32Array(aligned.buffer, 0, count);
  const weights = new Map<string, Float32Array>();
  let offset = 0;
  for (const w of manifest.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    weights.set(w.name, all.slice(offset, offset + n));
    offset += n;
  }
  return { manifest, dir, weights };
}

export interface SaveModelOptions {
  id: string;
  task: ModelTask;
  arch: ArchConfig;
  dtype: 'float16' | 'float32';
  training?: Record<string, unknown>;
  /** Inpainting models: the mask plane and hole pre-fill. */
  inputs?: ModelInputs;
}

/** Writes model.json + weights.bin atomically (weights first, so a manifest never points at missing data). */
export async function saveModelDir(dir: string, weights: Map<string, Float32Array>, opts: SaveModelOptions): Promise<ModelManifest> {
  await mkdir(dir, { recursive: true });
  const specs = paramSpecs(opts.arch);
  const count = specs.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const flat = new Float32Array(count);
  let offset = 0;
  for (const spec of specs) {
    const w = weights.get(spec.name);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (!w || w.length !== n) throw new Error(`cannot save model: weight ${spec.name} missing or wrong size`);
    flat.set(w, offset);
    offset += n;
  }
  const bin = Buffer.from(opts.dtype === 'float16' ? encodeHalf(flat).buffer : flat.buffer);
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    id: opts.id,
    task: opts.task,
    arch: opts.arch,
    ...(opts.inputs ? { inputs: opts.inputs } : {}),
    dtype: opts.dtype,
    weights: specs.map((s) => ({ name: s.name, shape: s.shape })),
    sha256: createHash('sha256').update(bin).digest('hex'),
    ...(opts.training ? { training: opts.training } : {}),
  };
  await writeFileAtomic(join(dir, 'weights.bin'), bin);
  await writeFileAtomic(join(dir, 'model.json'), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  return manifest;
}
