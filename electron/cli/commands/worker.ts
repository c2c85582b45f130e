// aez worker --redis URL [--allow DIR]... [--concurrency N] [--exit-when-idle]: runs queued AEZ jobs on this
// machine (see engine/queue/queue-worker.ts). Ctrl-C or SIGTERM: no new job, the ones in hand finish, then exit.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { interruptSignal, parseNumber, type GlobalOptions } from '../shared.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run jobs from the shared queue (aez queue add) on this machine')
    .option('--redis <url>', 'the queue server, redis://[user:password@]host:port (default: $AEZ_REDIS_URL)')
    .option('--allow <dir>', 'a folder jobs may read and write (repeatable; default: the current folder)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--concurrency <n>', 'jobs at once', '1')
    .option('--exit-when-idle', 'stop once the queue has nothing left for this worker', false)
    .action(async (o: { redis?: string; allow: string[]; concurrency: string; exitWhenIdle: boolean }, cmd: Command) => {
      const [{ connectRedis, redisUrl, describeRedis }, { runQueueWorker }] = await Promise.all([import('../../engine/queue/connection.js'), import('../../engine/queue/queue-worker.js')]);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const url = redisUrl(o.redis);
      const conn = await connectRedis(url);
      const allow = (o.allow.length ? o.allow : ['.']).map((d) => resolve(d));
      process.stderr.write(`worker ${process.pid} on ${describeRedis(url)}; jobs may use ${allow.join(', ')}\n`);
      const signal = interruptSignal();
      const lockMs = process.env.AEZ_QUEUE_LOCK_MS ? Number(process.env.AEZ_QUEUE_LOCK_MS) : undefined;
      try {
        const r = await runQueueWorker(conn, { concurrency: Math.round(parseNumber(o.concurrency, '--concurrency', 1, 64)), allow, exitWhenIdle: o.exitWhenIdle, threads: g.threads, backend: g.backend, lockMs, log: (l) => process.stderr.write(l + '\n') }, signal);
        process.stderr.write(`worker ${process.pid} stopped: ${r.done} done, ${r.failed} failed\n`);
        if (signal.aborted) process.exitCode = 130;
      } finally {
        conn.disconnect();
      }
    });
}
