// `aez worker`: takes jobs from the queue and runs each through the same job service as the CLI and the app,
// on this machine's best engine. Nothing is lost and nothing is done twice: BullMQ hands the job of a worker
// that died (kill -9, power cut) to another once its lock expires; outputs are written atomically and never
// over a file, and a job whose output already exists (an earlier attempt finished it) is done, not redone.
// A queue entry is data from whoever can write to Redis: its paths must lie inside the folders this worker
// was given (--allow), or it is refused.
import { existsSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { JobService } from '../jobs/job-service.js';
import type { JobServiceEvent } from '../jobs/job-events.js';
import { TEMP_PREFIX } from '../util/atomic-write.js';
import { QUEUE_NAME } from './connection.js';
import type { QueueJobData } from './queue-jobs.js';

export interface QueueWorkerOptions {
  /** Jobs run at once (each uses the whole inference pool). */
  concurrency: number;
  /** Folders the jobs' paths must lie in. */
  allow: string[];
  /** Stop once the queue has nothing left for this worker. */
  exitWhenIdle: boolean;
  threads?: number;
  backend?: string;
  /** How long a job's lock lasts without renewal: a dead worker's job goes back after about this long. */
  lockMs?: number;
  log: (line: string) => void;
}

/** Failures a retry cannot fix: the job goes to the failed list at once. */
const FINAL = new Set(['INPUT_NOT_FOUND', 'INPUT_CORRUPT', 'INPUT_UNSUPPORTED', 'INPUT_EMPTY', 'INPUT_TOO_LARGE', 'OUTPUT_IS_INPUT', 'BAD_ARGUMENT', 'MODEL_NOT_FOUND', 'PATH_NOT_ALLOWED']);

function inside(path: string, dirs: string[]): boolean {
  const p = resolve(path);
  return dirs.some((d) => {
    const r = relative(resolve(d), p);
    return r === '' || (!r.startsWith('..') && !isAbsolute(r));
  });
}

/** Every path the job would read or write, model folders included. */
function pathsOf(spec: QueueJobData['spec']): string[] {
  const paths = [...spec.inputs, spec.output];
  if ('mask' in spec && typeof spec.mask === 'string') paths.push(spec.mask);
  if ('model' in spec && typeof spec.model === 'string' && /[\\/]/.test(spec.model)) paths.push(spec.model);
  return paths;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temporary files of writers that died on this machine (`.aez-tmp-<pid>-…`), in the folder a job writes to. */
async function removeStaleTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const m = n.startsWith(TEMP_PREFIX) ? /^(\d+)-/.exec(n.slice(TEMP_PREFIX.length)) : null;
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await unlink(resolve(dir, n)).catch(() => {});
  }
}

export async function runQueueWorker(conn: Redis, opts: QueueWorkerOptions, signal: AbortSignal): Promise<{ done: number; failed: number }> {
  const service = new JobService({ threads: opts.threads, backend: opts.backend });
  const counts = { done: 0, failed: 0 };
  const processJob = async (job: Job<QueueJobData>) => {
    const spec = job.data.spec;
    const outside = pathsOf(spec).find((p) => !inside(p, opts.allow));
    if (outside) throw new UnrecoverableError(`PATH_NOT_ALLOWED: ${outside} is outside the folders this worker may use (--allow)`);
    await removeStaleTemps(dirname(spec.output));
    if (existsSync(spec.output)) return { output: spec.output, note: 'already written by an earlier attempt' };
    const handle = service.start(spec);
    handle.events.on('event', (e: JobServiceEvent) => {
      if (e.type === 'item-progress') void job.updateProgress(Math.round(e.fraction * 100)).catch(() => {});
    });
    const [r] = await handle.done;
    if (!r.ok) {
      const code = r.error?.code ?? 'INTERNAL';
      const message = `${code}: ${r.error?.message ?? 'failed'}`;
      throw FINAL.has(code) ? new UnrecoverableError(message) : new Error(message);
    }
    return { output: r.output, ...(r.details ?? {}) };
  };

  const lockDuration = opts.lockMs ?? 30_000;
  const worker = new Worker<QueueJobData>(QUEUE_NAME, processJob, { connection: conn, concurrency: opts.concurrency, lockDuration, stalledInterval: lockDuration, autorun: false });
  const queue = new Queue<QueueJobData>(QUEUE_NAME, { connection: conn });
  let running = 0;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= worker.close().then(() => queue.close()));
  // Idle means the whole queue is: a job still active elsewhere may belong to a worker that died, and comes back
  // here once its lock expires.
  const maybeExit = async () => {
    if (!opts.exitWhenIdle || running > 0 || closing) return;
    const c = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'paused', 'active').catch(() => undefined);
    if (c && Object.values(c).every((n) => n === 0)) void close();
  };
  const idleCheck = opts.exitWhenIdle ? setInterval(() => void maybeExit(), 1000) : undefined;
  worker.on('active', (job) => {
    running++;
    opts.log(`working on ${job.data.spec.inputs[0]}`);
  });
  worker.on('completed', (job) => {
    running--;
    counts.done++;
    opts.log(`done    ${job.data.spec.inputs[0]} → ${job.data.spec.output}`);
    void maybeExit();
  });
  worker.on('failed', (job, err) => {
    running--;
    counts.failed++;
    opts.log(`failed  ${job?.data.spec.inputs[0] ?? '?'}: ${err.message}${job && job.attemptsMade < (job.opts.attempts ?? 1) && !(err instanceof UnrecoverableError) ? ' (will be retried)' : ''}`);
    void maybeExit();
  });
  worker.on('drained', () => void maybeExit());
  worker.on('error', (e) => opts.log(`queue: ${e.message}`));
  // SIGTERM / Ctrl-C: take no new job, finish the ones in hand, then stop.
  signal.addEventListener('abort', () => void close(), { once: true });
  const ran = worker.run();
  await maybeExit();
  await ran;
  clearInterval(idleCheck);
  await close();
  await service.close();
  return counts;
}
