// What a kind of batch job is: its spec's schema, and how a validated spec becomes a list of items (inputs and
// outputs, planned by batch/plan.ts) and the work for one item. The job service (job-service.ts) runs any kind
// the same way: events, progress, cancel. One module per kind under kinds/.
import type { z } from 'zod';
import type { BatchItem } from '../batch/plan.js';
import type { ItemJob } from '../batch/run-batch.js';
import type { CodecWorkerClient } from '../codec/codec-client.js';
import type { WorkerPool } from './worker-pool.js';

/** What the service lends a job: its threads, and a way to tell the user something about the whole job. */
export interface JobContext {
  /** The inference pool (networks, Telea) on worker threads. */
  pool: WorkerPool;
  /** The codec's worker thread (compress, restore). */
  codec: CodecWorkerClient;
  /** A remark about the whole job, e.g. which method `auto` chose (the CLI prints it; the app shows it). */
  note(message: string): void;
}

export interface PlannedBatch {
  items: BatchItem[];
  job: ItemJob;
}

export interface BatchJobKind<Schema extends z.ZodTypeAny> {
  schema: Schema;
  /** Checks what holds for the whole job (models, settings, masks) before any file is written. */
  plan(spec: z.output<Schema>, ctx: JobContext): Promise<PlannedBatch>;
}
