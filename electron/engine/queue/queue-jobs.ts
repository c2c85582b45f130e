// What goes on the queue: one job per file, a job service spec for exactly that input and output (plain data,
// never code). `aez queue add` plans the batch as the CLI command would (same schemas, same checks, same output
// names) and adds one entry per item; the job id is derived from the output path, so adding the same batch
// twice does not queue its files twice.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobService } from '../jobs/job-service.js';
import type { BatchJobSpec } from '../jobs/job-spec.js';
import { pairMasks } from '../jobs/kinds/inpaint-job.js';
import { AezError } from '../util/errors.js';
import { QUEUE_NAME } from './connection.js';

/** A queue entry's data. */
export interface QueueJobData {
  spec: BatchJobSpec & { inputs: [string]; output: string };
}

/** Tries per job before it ends in the failed list (a worker killed mid-job does not count: that is a stall). */
export const ATTEMPTS = 3;

export function jobIdFor(output: string): string {
  return createHash('sha256').update(output).digest('hex').slice(0, 24);
}

export async function addToQueue(conn: Redis, service: JobService, raw: BatchJobSpec): Promise<{ added: number; already: number }> {
  if (raw.output === undefined) throw new AezError('BAD_ARGUMENT', 'give the output folder (-o DIR) on storage every worker sees');
  const { spec, items } = await service.plan(raw);
  const masks = spec.kind === 'inpaint' && spec.mask !== undefined && (await stat(spec.mask)).isDirectory() ? await pairMasks(items, spec.mask) : undefined;
  const queue = new Queue<QueueJobData>(QUEUE_NAME, { connection: conn });
  try {
    let added = 0;
    let already = 0;
    for (const item of items) {
      const one = { ...raw, inputs: [item.input], output: item.output, ...(masks ? { mask: masks.get(item.input)! } : {}) } as QueueJobData['spec'];
      const id = jobIdFor(item.output);
      if (await queue.getJob(id)) {
        already++;
        continue;
      }
      await queue.add(spec.kind, { spec: one }, { jobId: id, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: false, removeOnFail: false });
      added++;
    }
    return { added, already };
  } finally {
    await queue.close();
  }
}
