// The job API every front end uses (CLI, Electron main process, local web host): start a job from a
// plain, validated spec, follow its progress events, cancel it at any moment. Heavy work runs on worker
// threads (the inference pool, the gradient workers), so the caller's thread stays responsive.
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { planBatch } from '../batch/plan.js';
import { runBatch, type ItemResult } from '../batch/run-batch.js';
import { denoiseFile } from '../denoise/denoise-file.js';
import { isInputImagePath } from '../image/io.js';
import { loadModel } from '../models/registry.js';
import { AezError } from '../util/errors.js';
import { WorkerPool } from './worker-pool.js';

export const IMAGE_OUTPUT_EXTS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif'] as const;

export const denoiseSpecSchema = z.object({
  kind: z.literal('denoise'),
  inputs: z.array(z.string().min(1)).min(1),
  output: z.string().min(1),
  model: z.string().min(1).default('photo'),
  sigma: z.number().min(0).max(100).optional(),
  format: z.enum(['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif']).default('png'),
  overwrite: z.boolean().default(false),
});

export const jobSpecSchema = z.discriminatedUnion('kind', [denoiseSpecSchema]);
export type JobSpec = z.input<typeof jobSpecSchema>;

export type JobEvent =
  | { type: 'start'; jobId: string; total: number }
  | { type: 'item-start'; jobId: string; index: number; input: string; output: string }
  | { type: 'item-progress'; jobId: string; index: number; fraction: number }
  | { type: 'item-done'; jobId: string; index: number; result: ItemResult }
  | { type: 'done'; jobId: string; results: ItemResult[]; cancelled: boolean }
  | { type: 'error'; jobId: string; code: string; message: string };

export interface JobHandle {
  id: string;
  spec: JobSpec;
  events: EventEmitter;
  cancel(): void;
  done: Promise<ItemResult[]>;
}

export interface JobServiceOptions {
  threads?: number;
  backend?: string;
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
  private readonly jobs = new Map<string, JobHandle>();
  private nextId = 1;

  constructor(opts: JobServiceOptions = {}) {
    this.pool = new WorkerPool({ threads: opts.threads, backend: opts.backend });
  }

  start(raw: JobSpec): JobHandle {
    const spec = parseJobSpec(raw);
    const id = `job-${this.nextId++}`;
    const events = new EventEmitter();
    const ctl = new AbortController();
    const emit = (e: JobEvent) => events.emit('event', e);
    const done = (async (): Promise<ItemResult[]> => {
      // Let the caller subscribe before the first event.
      await new Promise((r) => setImmediate(r));
      try {
        const items = await planBatch(spec.inputs, spec.output, { accept: isInputImagePath, defaultExt: '.' + spec.format, outputExts: IMAGE_OUTPUT_EXTS });
        const model = await loadModel(spec.model);
        const results = await runBatch(
          items,
          (item, onProgress, signal) => denoiseFile(item.input, item.output, model, this.pool, { sigma: spec.sigma, overwrite: spec.overwrite, signal, onProgress }),
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
    const handle: JobHandle = {
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

  get(id: string): JobHandle | undefined {
    return this.jobs.get(id);
  }

  cancelAll(): void {
    for (const j of this.jobs.values()) j.cancel();
  }

  async close(): Promise<void> {
    this.cancelAll();
    await this.pool.close();
  }
}
