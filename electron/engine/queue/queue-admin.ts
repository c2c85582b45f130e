// What the queue holds and the two things to do about it: retry what failed, or clear it all.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAME } from './connection.js';
import type { QueueJobData } from './queue-jobs.js';

export interface QueueStatus {
  waiting: number;
  active: number;
  delayed: number;
  done: number;
  failed: number;
  /** The failed jobs: the file and why. */
  failures: { input: string; reason: string; attempts: number }[];
}

function open(conn: Redis): Queue<QueueJobData> {
  return new Queue<QueueJobData>(QUEUE_NAME, { connection: conn });
}

export async function queueStatus(conn: Redis): Promise<QueueStatus> {
  const q = open(conn);
  try {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'paused', 'prioritized', 'waiting-children');
    const failed = await q.getFailed(0, 999);
    return {
      waiting: (c.waiting ?? 0) + (c.paused ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      done: c.completed ?? 0,
      failed: c.failed ?? 0,
      failures: failed.map((j) => ({ input: j.data.spec.inputs[0], reason: j.failedReason ?? 'unknown', attempts: j.attemptsMade })),
    };
  } finally {
    await q.close();
  }
}

export async function retryFailed(conn: Redis): Promise<number> {
  const q = open(conn);
  try {
    const failed = await q.getFailed(0, -1);
    for (const j of failed) await j.retry('failed');
    return failed.length;
  } finally {
    await q.close();
  }
}

export async function clearQueue(conn: Redis): Promise<void> {
  const q = open(conn);
  try {
    await q.obliterate({ force: true });
  } finally {
    await q.close();
  }
}
