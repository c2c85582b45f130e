// The job API every front end uses (CLI, Electron main process, local web host): start a job from a
// plain, validated spec, follow its progress events, cancel it at any moment. Two kinds: `denoise` (a batch
// of files) and `train` (a training run: cancelling stops it with a checkpoint, starting it again on the same
// run folder resumes it). Heavy work runs on worker threads (the inference pool, the gradient workers), so
// the caller's thread stays responsive.
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { planBatch } from '../batch/plan.js';
import { runBatch, type ItemJob, type ItemResult } from '../batch/run-batch.js';
import type { BatchItem } from '../batch/plan.js';
import type { RateRequest } from '../codec/image-codec.js';
import { CodecWorkerClient } from '../codec/codec-client.js';
import { DEFAULT_CODEC_MODEL } from '../codec/codec-registry.js';
import { inpaintFile, type MaskSource } from '../inpaint/inpaint-file.js';
import type { InpaintMethod, TeleaRunner } from '../inpaint/inpaint.js';
import { denoiseFile } from '../denoise/denoise-file.js';
import { isInputImagePath } from '../image/io.js';
import { loadModel } from '../models/registry.js';
import { AezError, errorMessage } from '../util/errors.js';
import type { TrainTask } from '../train/presets.js';
import { runTraining } from '../train/setup.js';
import type { TrainProgress } from '../train/trainer.js';
import { WorkerPool } from './worker-pool.js';

export const IMAGE_OUTPUT_EXTS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif'] as const;

export const denoiseSpecSchema = z.object({
  kind: z.literal('denoise'),
  inputs: z.array(z.string().min(1)).min(1),
  /** A file, or a folder (made when missing); absent: each output beside its input (see batch/plan.ts). */
  output: z.string().min(1).optional(),
  model: z.string().min(1).default('photo'),
  sigma: z.number().min(0).max(100).optional(),
  format: z.enum(['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif']).default('png'),
  overwrite: z.boolean().default(false),
});

/** Compress images to .aez: one of quality (1 … the model's levels), a bpp target or a size target in bytes. */
export const compressSpecSchema = z
  .object({
    kind: z.literal('compress'),
    inputs: z.array(z.string().min(1)).min(1),
    /** A file, or a folder (made when missing); absent: each output beside its input (see batch/plan.ts). */
    output: z.string().min(1).optional(),
    model: z.string().min(1).default(DEFAULT_CODEC_MODEL),
    quality: z.number().min(1).max(64).optional(),
    bpp: z.number().positive().max(64).optional(),
    bytes: z.number().int().positive().max(2 ** 40).optional(),
    overwrite: z.boolean().default(false),
  })
  .strict();

/** Restore .aez files to images (the model each file names must be installed). */
export const decompressSpecSchema = z
  .object({
    kind: z.literal('decompress'),
    inputs: z.array(z.string().min(1)).min(1),
    /** A file, or a folder (made when missing); absent: each output beside its input (see batch/plan.ts). */
    output: z.string().min(1).optional(),
    format: z.enum(['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif']).default('png'),
    overwrite: z.boolean().default(false),
  })
  .strict();

/**
 * Fill holes: one mask file for every input (white = hole) or each image's transparency. `auto` uses the
 * learned model when it is installed, else Telea's classic method (the result says which ran).
 */
export const inpaintSpecSchema = z
  .object({
    kind: z.literal('inpaint'),
    inputs: z.array(z.string().min(1)).min(1),
    /** A file, or a folder (made when missing); absent: each output beside its input (see batch/plan.ts). */
    output: z.string().min(1).optional(),
    mask: z.string().min(1).optional(),
    maskFromAlpha: z.boolean().default(false),
    model: z.string().min(1).default('inpaint'),
    method: z.enum(['auto', 'model', 'telea']).default('auto'),
    /** Also run each tile mirrored and average the two fills: ~0.1 dB better in the holes, twice the time. */
    mirror: z.boolean().default(false),
    format: z.enum(['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif']).default('png'),
    overwrite: z.boolean().default(false),
  })
  .strict();

const positiveInt = (max: number) => z.number().int().min(1).max(max);

/** Training (see train/setup.ts): a new run, or the run already in `out` resumed (its settings are kept). */
export const trainSpecSchema = z
  .object({
    kind: z.literal('train'),
    task: z.enum(['photo', 'scan', 'inpaint', 'codec']).optional(),
    data: z.array(z.string().min(1)).min(1).max(16).optional(),
    val: z.string().min(1).optional(),
    out: z.string().min(1),
    steps: positiveInt(10_000_000),
    batch: positiveInt(256).optional(),
    patch: z.number().int().min(16).max(512).optional(),
    lr: z.number().min(1e-6).max(1).optional(),
    seed: z.number().int().min(0).max(2 ** 31).optional(),
    valEvery: positiveInt(1e9).optional(),
    checkpointEvery: positiveInt(1e9).optional(),
    widths: z.array(z.number().int().min(1).max(512)).min(1).max(5).optional(),
    blocks: z.array(z.number().int().min(0).max(32)).min(1).max(5).optional(),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
    initFrom: z.string().min(1).optional(),
    workers: positiveInt(64).optional(),
  })
  .strict();

export const jobSpecSchema = z.discriminatedUnion('kind', [denoiseSpecSchema, trainSpecSchema, compressSpecSchema, decompressSpecSchema, inpaintSpecSchema]);
export type JobSpec = z.input<typeof jobSpecSchema>;
export type DenoiseJobSpec = z.input<typeof denoiseSpecSchema>;
export type TrainJobSpec = z.input<typeof trainSpecSchema>;
export type CompressJobSpec = z.input<typeof compressSpecSchema>;
export type DecompressJobSpec = z.input<typeof decompressSpecSchema>;
export type InpaintJobSpec = z.input<typeof inpaintSpecSchema>;

/** How a training job ended (stopped: cancelled, with a checkpoint to resume from). */
export interface TrainJobResult {
  task: TrainTask;
  outDir: string;
  modelDir: string;
  steps: number;
  total: number;
  stopped: boolean;
  elapsedMs: number;
  best?: { step: number; metric: number };
  parameters: number;
}

export type JobEvent =
  | { type: 'start'; jobId: string; total: number }
  | { type: 'item-start'; jobId: string; index: number; input: string; output: string }
  | { type: 'item-progress'; jobId: string; index: number; fraction: number }
  | { type: 'item-done'; jobId: string; index: number; result: ItemResult }
  | { type: 'done'; jobId: string; results: ItemResult[]; cancelled: boolean }
  | { type: 'train-start'; jobId: string; task: TrainTask; outDir: string; step: number; total: number; parameters: number; workers: number; resumed: boolean; history: TrainProgress[] }
  | { type: 'train-progress'; jobId: string; progress: TrainProgress }
  | { type: 'train-sample'; jobId: string; step: number; png: Uint8Array; width: number; height: number }
  | { type: 'train-log'; jobId: string; line: string }
  | { type: 'train-done'; jobId: string; result: TrainJobResult }
  | { type: 'error'; jobId: string; code: string; message: string };

export interface JobHandle<R = ItemResult[] | TrainJobResult> {
  id: string;
  spec: z.output<typeof jobSpecSchema>;
  events: EventEmitter;
  cancel(): void;
  done: Promise<R>;
}

export interface JobServiceOptions {
  threads?: number;
  backend?: string;
  /** The codec worker to use (shared with a host's estimates and previews); default: one of its own. */
  codec?: CodecWorkerClient;
}

/** Parses a spec from an untrusted caller (IPC, HTTP): a specific message for each bad field. */
export function parseJobSpec(raw: unknown): z.output<typeof jobSpecSchema> {
  const r = jobSpecSchema.safeParse(raw);
  if (!r.success) {
    throw new AezError('BAD_ARGUMENT', `invalid job: ${r.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

export class JobService {
  private readonly pool: WorkerPool;
  /** Compress and restore run on the codec's worker thread (codec/codec-worker.ts). */
  readonly codec: CodecWorkerClient;
  private readonly jobs = new Map<string, JobHandle>();
  private nextId = 1;

  constructor(private readonly opts: JobServiceOptions = {}) {
    this.pool = new WorkerPool({ threads: opts.threads, backend: opts.backend });
    this.codec = opts.codec ?? new CodecWorkerClient({ backend: opts.backend, threads: opts.threads });
  }

  start(raw: DenoiseJobSpec | CompressJobSpec | DecompressJobSpec | InpaintJobSpec): JobHandle<ItemResult[]>;
  start(raw: TrainJobSpec): JobHandle<TrainJobResult>;
  start(raw: JobSpec): JobHandle;
  start(raw: JobSpec): JobHandle {
    const spec = parseJobSpec(raw);
    if (spec.kind === 'train') return this.startTrain(spec);
    const id = `job-${this.nextId++}`;
    const events = new EventEmitter();
    const ctl = new AbortController();
    const emit = (e: JobEvent) => events.emit('event', e);
    const done = (async (): Promise<ItemResult[]> => {
      // Let the caller subscribe before the first event.
      await new Promise((r) => setImmediate(r));
      try {
        const { items, job } = await this.batchJob(spec);
        const results = await runBatch(
          items,
          job,
          {
            start: (total) => emit({ type: 'start', jobId: id, total }),
            itemStart: (index, item) => emit({ type: 'item-start', jobId: id, index, ...item }),
            itemProgress: (index, _item, fraction) => emit({ type: 'item-progress', jobId: id, index, fraction }),
            itemDone: (index, result) => emit({ type: 'item-done', jobId: id, index, result }),
          },
          ctl.signal,
        );
        emit({ type: 'done', jobId: id, results, cancelled: ctl.signal.aborted });
        return results;
      } catch (e) {
        const err = e instanceof AezError ? e : new AezError('BAD_ARGUMENT', String((e as Error)?.message ?? e));
        emit({ type: 'error', jobId: id, code: err.code, message: err.message });
        throw err;
      } finally {
        this.jobs.delete(id);
      }
    })();
    done.catch(() => {});
    const handle: JobHandle<ItemResult[]> = {
      id,
      spec,
      events,
      done,
      cancel: () => {
        if (ctl.signal.aborted) return;
        ctl.abort();
        void this.pool.cancel();
      },
    };
    this.jobs.set(id, handle);
    return handle;
  }

  /** The items and the per-item work of a batch job. */
  private async batchJob(spec: Exclude<z.output<typeof jobSpecSchema>, { kind: 'train' }>): Promise<{ items: BatchItem[]; job: ItemJob }> {
    if (spec.kind === 'denoise') {
      const items = await planBatch(spec.inputs, spec.output, { accept: isInputImagePath, defaultExt: '.' + spec.format, outputExts: IMAGE_OUTPUT_EXTS, besideSuffix: 'denoised' });
      const model = await loadModel(spec.model);
      return { items, job: (item, onProgress, signal) => denoiseFile(item.input, item.output, model, this.pool, { sigma: spec.sigma, overwrite: spec.overwrite, signal, onProgress }) };
    }
    if (spec.kind === 'inpaint') return this.inpaintJob(spec);
    // The codec runs on its worker thread, one image at a time, on the engine chosen there: onnxruntime when
    // it loads (it uses every core itself), else TensorFlow.js.
    if (spec.kind === 'compress') {
      if ([spec.quality, spec.bpp, spec.bytes].filter((v) => v !== undefined).length > 1) throw new AezError('BAD_ARGUMENT', 'give at most one of quality, bpp and size');
      const rate: RateRequest | undefined =
        spec.quality !== undefined ? { quality: spec.quality } : spec.bpp !== undefined ? { bpp: spec.bpp } : spec.bytes !== undefined ? { bytes: spec.bytes } : undefined;
      // A missing model or a setting it cannot do fails the job up front, not each file.
      await this.codec.run({ op: 'check-model', model: spec.model, rate });
      const items = await planBatch(spec.inputs, spec.output, { accept: isInputImagePath, defaultExt: '.aez', outputExts: ['.aez'], besideSuffix: '' });
      return {
        items,
        job: (item, onProgress, signal) => this.codec.run({ op: 'compress', input: item.input, output: item.output, model: spec.model, rate, overwrite: spec.overwrite }, { signal, onProgress }),
      };
    }
    const items = await planBatch(spec.inputs, spec.output, { accept: (p) => p.toLowerCase().endsWith('.aez'), defaultExt: '.' + spec.format, outputExts: IMAGE_OUTPUT_EXTS, besideSuffix: 'restored' });
    return {
      items,
      job: (item, onProgress, signal) => this.codec.run({ op: 'decompress', input: item.input, output: item.output, overwrite: spec.overwrite }, { signal, onProgress }),
    };
  }

  private async inpaintJob(spec: z.output<typeof inpaintSpecSchema>): Promise<{ items: BatchItem[]; job: ItemJob }> {
    if ((spec.mask === undefined) === !spec.maskFromAlpha) throw new AezError('BAD_ARGUMENT', 'give a mask file or maskFromAlpha (one of them)');
    const items = await planBatch(spec.inputs, spec.output, { accept: isInputImagePath, defaultExt: '.' + spec.format, outputExts: IMAGE_OUTPUT_EXTS, besideSuffix: 'inpainted' });
    let method: InpaintMethod = { kind: 'telea' };
    if (spec.method !== 'telea') {
      const model = await loadModel(spec.model).catch((e: unknown) => {
        if (spec.method === 'model') throw e;
        return undefined;
      });
      if (model && model.manifest.task !== 'inpaint') throw new AezError('BAD_ARGUMENT', `${spec.model} is a ${model.manifest.task} model, not an inpainting model`);
      if (model) method = { kind: 'model', model, exec: this.pool };
    }
    const mask: MaskSource = spec.mask !== undefined ? { kind: 'file', path: spec.mask } : { kind: 'alpha' };
    // Telea (the method, or the model's pre-fill) runs on a pool worker: the host's thread stays free.
    const telea: TeleaRunner = (data, w, h, c, m, radius) => this.pool.telea(data, w, h, c, m, radius);
    return { items, job: (item, onProgress, signal) => inpaintFile(item.input, item.output, mask, method, { overwrite: spec.overwrite, signal, onProgress, telea, mirror: spec.mirror }) };
  }

  /**
   * A training run on its own gradient worker threads. Cancel = stop: the trainer finishes the step in
   * hand, writes a checkpoint and ends with `stopped`; starting the same `out` again resumes it.
   */
  private startTrain(spec: z.output<typeof trainSpecSchema>): JobHandle<TrainJobResult> {
    const id = `job-${this.nextId++}`;
    const events = new EventEmitter();
    const ctl = new AbortController();
    const emit = (e: JobEvent) => events.emit('event', e);
    const done = (async (): Promise<TrainJobResult> => {
      await new Promise((r) => setImmediate(r));
      try {
        const { kind: _kind, workers, ...opts } = spec;
        const r = await runTraining({
          ...opts,
          workers: workers ?? this.opts.threads,
          backend: this.opts.backend,
          signal: ctl.signal,
          onLog: (line) => emit({ type: 'train-log', jobId: id, line }),
          onStart: (s) => emit({ type: 'train-start', jobId: id, ...s }),
          onProgress: (progress) => emit({ type: 'train-progress', jobId: id, progress }),
          onSample: (s) => emit({ type: 'train-sample', jobId: id, step: s.step, png: new Uint8Array(s.png), width: s.width, height: s.height }),
        });
        const result: TrainJobResult = {
          task: r.task,
          outDir: r.outDir,
          modelDir: r.modelDir,
          steps: r.steps,
          total: spec.steps,
          stopped: r.stopped,
          elapsedMs: r.elapsedMs,
          ...(r.best ? { best: r.best } : {}),
          parameters: r.parameters,
        };
        emit({ type: 'train-done', jobId: id, result });
        return result;
      } catch (e) {
        const err = e instanceof AezError ? e : new AezError('BAD_ARGUMENT', errorMessage(e));
        emit({ type: 'error', jobId: id, code: err.code, message: err.message });
        throw err;
      } finally {
        this.jobs.delete(id);
      }
    })();
    done.catch(() => {});
    const handle: JobHandle<TrainJobResult> = { id, spec, events, done, cancel: () => ctl.abort() };
    this.jobs.set(id, handle);
    return handle;
  }

  get(id: string): JobHandle | undefined {
    return this.jobs.get(id);
  }

  cancelAll(): void {
    for (const j of this.jobs.values()) j.cancel();
  }

  /** Cancels every job and waits for them to wind down (a training run writes its checkpoint first). */
  async close(): Promise<void> {
    const running = [...this.jobs.values()].map((j) => j.done.catch(() => {}));
    this.cancelAll();
    await this.pool.close();
    await this.codec.close();
    await Promise.all(running);
  }
}
