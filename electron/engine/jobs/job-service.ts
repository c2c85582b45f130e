// The job API every front end uses (CLI, Electron main process, local web host, tests): start a job from a
// plain, validated spec (job-spec.ts), follow its events (job-events.ts), cancel it at any moment. Each kind
// lives in its own module under kinds/ (schema, plan, per-item work); this file only runs them. Heavy work
// runs on worker threads (the inference pool, the codec worker, the gradient workers), so the caller's thread
// stays responsive.
import { EventEmitter } from 'node:events';
import { runBatch, type ItemResult } from '../batch/run-batch.js';
import type { BatchItem } from '../batch/plan.js';
import { CodecWorkerClient } from '../codec/codec-client.js';
import { AezError, errorMessage } from '../util/errors.js';
import type { BatchJobKind, JobContext, PlannedBatch } from './job-kind.js';
import type { JobServiceEvent, TrainJobResult } from './job-events.js';
import { parseJobSpec, type BatchJobSpec, type JobSpec, type ParsedJobSpec, type TrainJobSpec } from './job-spec.js';
import { compressJob } from './kinds/compress-job.js';
import { decompressJob } from './kinds/decompress-job.js';
import { denoiseJob } from './kinds/denoise-job.js';
import { inpaintJob } from './kinds/inpaint-job.js';
import { runTrainJob } from './kinds/train-job.js';
import { WorkerPool } from './worker-pool.js';

export type { JobServiceEvent, TrainJobResult } from './job-events.js';
export { parseJobSpec, jobSpecSchema, type JobSpec, type DenoiseJobSpec, type TrainJobSpec, type CompressJobSpec, type DecompressJobSpec, type InpaintJobSpec } from './job-spec.js';

type BatchKindName = Exclude<ParsedJobSpec['kind'], 'train'>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const BATCH_KINDS: Record<BatchKindName, BatchJobKind<any>> = { denoise: denoiseJob, compress: compressJob, decompress: decompressJob, inpaint: inpaintJob };

export interface JobHandle<R = ItemResult[] | TrainJobResult> {
  id: string;
  spec: ParsedJobSpec;
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

  start(raw: BatchJobSpec): JobHandle<ItemResult[]>;
  start(raw: TrainJobSpec): JobHandle<TrainJobResult>;
  start(raw: JobSpec): JobHandle;
  start(raw: JobSpec): JobHandle {
    const spec = parseJobSpec(raw);
    const kind = spec.kind;
    if (kind === 'train') {
      return this.launch<TrainJobResult>(spec, (id, emit, signal) =>
        runTrainJob(spec, id, emit, signal, this.opts).then((result) => {
          emit({ type: 'train-done', jobId: id, result });
          return result;
        }),
      );
    }
    return this.launch<ItemResult[]>(
      spec,
      async (id, emit, signal) => {
        const ctx: JobContext = { pool: this.pool, codec: this.codec, note: (message) => emit({ type: 'note', jobId: id, message }) };
        const { items, job }: PlannedBatch = await BATCH_KINDS[kind].plan(spec, ctx);
        const results = await runBatch(
          items,
          job,
          {
            start: (total) => emit({ type: 'start', jobId: id, total }),
            itemStart: (index, item) => emit({ type: 'item-start', jobId: id, index, ...item }),
            itemProgress: (index, _item, fraction) => emit({ type: 'item-progress', jobId: id, index, fraction }),
            itemDone: (index, result) => emit({ type: 'item-done', jobId: id, index, result }),
          },
          signal,
        );
        emit({ type: 'done', jobId: id, results, cancelled: signal.aborted });
        return results;
      },
      // Batch work on the pool stops at once: its workers retire after the call in hand (inference/native-calls.ts).
      () => void this.pool.cancel(),
    );
  }

  /**
   * What a batch job would do, item by item (inputs and outputs), with its checks done (models, settings, masks),
   * running nothing: `aez queue add` turns each item into a queue job.
   */
  async plan(raw: BatchJobSpec): Promise<{ spec: Exclude<ParsedJobSpec, { kind: 'train' }>; items: BatchItem[] }> {
    const spec = parseJobSpec(raw);
    if (spec.kind === 'train') throw new AezError('BAD_ARGUMENT', 'a training run is not a batch of files');
    const ctx: JobContext = { pool: this.pool, codec: this.codec, note: () => {} };
    const { items } = await BATCH_KINDS[spec.kind].plan(spec, ctx);
    return { spec, items };
  }

  /** Runs `work` as a job: an id, events (after the caller had a chance to subscribe), cancel, errors as events. */
  private launch<R>(spec: ParsedJobSpec, work: (id: string, emit: (e: JobServiceEvent) => void, signal: AbortSignal) => Promise<R>, onCancel?: () => void): JobHandle<R> {
    const id = `job-${this.nextId++}`;
    const events = new EventEmitter();
    const ctl = new AbortController();
    const emit = (e: JobServiceEvent) => events.emit('event', e);
    const done = (async (): Promise<R> => {
      await new Promise((r) => setImmediate(r));
      try {
        return await work(id, emit, ctl.signal);
      } catch (e) {
        const err = e instanceof AezError ? e : new AezError('BAD_ARGUMENT', errorMessage(e));
        emit({ type: 'error', jobId: id, code: err.code, message: err.message });
        throw err;
      } finally {
        this.jobs.delete(id);
      }
    })();
    done.catch(() => {});
    const handle: JobHandle<R> = {
      id,
      spec,
      events,
      done,
      cancel: () => {
        if (ctl.signal.aborted) return;
        ctl.abort();
        onCancel?.();
      },
    };
    this.jobs.set(id, handle as JobHandle);
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
