// aez queue add|status|retry-failed|clear --redis URL: AEZ jobs on a BullMQ queue in Redis, for workers on
// any number of machines (`aez worker`). Paths are on storage every worker sees.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AezError } from '../../engine/util/errors.js';
import { parseNumber, type GlobalOptions } from '../shared.js';
import { parseSize } from '../parse-size.js';

const KINDS = ['denoise', 'compress', 'decompress', 'inpaint'] as const;

interface AddOptions {
  output?: string;
  redis?: string;
  model?: string;
  sigma?: string;
  quality?: string;
  bpp?: string;
  size?: string;
  format?: string;
  mask?: string;
  maskFromAlpha?: boolean;
  method?: string;
  overwrite: boolean;
}

/** The job spec of one command's flags; the job service's schemas check it as they check the CLI's. */
function specFor(kind: (typeof KINDS)[number], inputs: string[], o: AddOptions): Record<string, unknown> {
  const output = o.output === undefined ? undefined : resolve(o.output);
  const base = { kind, inputs: inputs.map((i) => resolve(i)), output, overwrite: o.overwrite };
  const fmt = o.format === undefined ? {} : { format: o.format.replace(/^\./, '').toLowerCase() };
  if (kind === 'denoise') return { ...base, ...fmt, ...(o.model ? { model: o.model } : {}), ...(o.sigma !== undefined ? { sigma: parseNumber(o.sigma, '--sigma', 0, 100) } : {}) };
  if (kind === 'decompress') return { ...base, ...fmt };
  if (kind === 'compress') {
    return {
      ...base,
      ...(o.model ? { model: o.model } : {}),
      ...(o.quality !== undefined ? { quality: parseNumber(o.quality, '--quality', 1, 64) } : {}),
      ...(o.bpp !== undefined ? { bpp: parseNumber(o.bpp, '--bpp', 0.001, 64) } : {}),
      ...(o.size !== undefined ? { bytes: parseSize(o.size, '--size') } : {}),
    };
  }
  return { ...base, ...fmt, ...(o.model ? { model: o.model } : {}), ...(o.mask ? { mask: resolve(o.mask) } : {}), maskFromAlpha: !!o.maskFromAlpha, ...(o.method ? { method: o.method } : {}) };
}

export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('AEZ jobs on a shared queue (BullMQ on Redis), for `aez worker` on any number of machines');

  queue
    .command('add')
    .description('queue one job per file: denoise, compress, decompress or inpaint, with the same options as those commands')
    .argument('<kind>', KINDS.join(', '))
    .argument('<inputs...>', 'files or folders, on storage every worker sees')
    .requiredOption('-o, --output <dir>', 'output folder (made when missing), on storage every worker sees')
    .option('--redis <url>', 'the queue server, redis://[user:password@]host:port (default: $AEZ_REDIS_URL)')
    .option('-m, --model <name|path>', 'model (as the command takes it)')
    .option('-s, --sigma <n>', 'denoise: noise level 0..100')
    .option('-q, --quality <n>', 'compress: quality')
    .option('--bpp <x>', 'compress: target bits per pixel')
    .option('--size <s>', 'compress: target file size')
    .option('-f, --format <ext>', 'output format: png, jpg, webp, tif, avif')
    .option('--mask <file|dir>', 'inpaint: a mask, or a folder of masks by base name')
    .option('--mask-from-alpha', 'inpaint: fill the transparent pixels')
    .option('--method <name>', 'inpaint: auto, model or telea')
    .option('--overwrite', 'replace existing outputs', false)
    .action(async (kind: string, inputs: string[], o: AddOptions, cmd: Command) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new AezError('BAD_ARGUMENT', `the job kind must be one of ${KINDS.join(', ')}, got "${kind}"`);
      const [{ connectRedis, redisUrl, describeRedis }, { addToQueue }, { JobService }] = await Promise.all([
        import('../../engine/queue/connection.js'),
        import('../../engine/queue/queue-jobs.js'),
        import('../../engine/jobs/job-service.js'),
      ]);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const url = redisUrl(o.redis);
      const conn = await connectRedis(url);
      const service = new JobService({ threads: g.threads, backend: g.backend });
      try {
        const r = await addToQueue(conn, service, specFor(kind as (typeof KINDS)[number], inputs, o) as never);
        process.stderr.write(`queued ${r.added} job(s) on ${describeRedis(url)}${r.already ? `; ${r.already} already queued` : ''}\n`);
      } finally {
        await service.close();
        conn.disconnect();
      }
    });

  queue
    .command('status')
    .description('waiting, active, done and failed jobs (with why each failed)')
    .option('--redis <url>', 'the queue server (default: $AEZ_REDIS_URL)')
    .option('--json', 'print one JSON object', false)
    .action(async (o: { redis?: string; json: boolean }) => {
      const [{ connectRedis, redisUrl }, { queueStatus }] = await Promise.all([import('../../engine/queue/connection.js'), import('../../engine/queue/queue-admin.js')]);
      const conn = await connectRedis(redisUrl(o.redis));
      try {
        const s = await queueStatus(conn);
        if (o.json) return void process.stdout.write(JSON.stringify(s) + '\n');
        process.stdout.write(`waiting ${s.waiting} · active ${s.active} · delayed ${s.delayed} · done ${s.done} · failed ${s.failed}\n`);
        for (const f of s.failures) process.stdout.write(`failed  ${f.input}: ${f.reason} (${f.attempts} attempt(s))\n`);
      } finally {
        conn.disconnect();
      }
    });

  queue
    .command('retry-failed')
    .description('put every failed job back in the queue')
    .option('--redis <url>', 'the queue server (default: $AEZ_REDIS_URL)')
    .action(async (o: { redis?: string }) => {
      const [{ connectRedis, redisUrl }, { retryFailed }] = await Promise.all([import('../../engine/queue/connection.js'), import('../../engine/queue/queue-admin.js')]);
      const conn = await connectRedis(redisUrl(o.redis));
      try {
        process.stderr.write(`${await retryFailed(conn)} job(s) back in the queue\n`);
      } finally {
        conn.disconnect();
      }
    });

  queue
    .command('clear')
    .description('remove every job, waiting, done or failed (outputs already written stay)')
    .option('--redis <url>', 'the queue server (default: $AEZ_REDIS_URL)')
    .action(async (o: { redis?: string }) => {
      const [{ connectRedis, redisUrl }, { clearQueue }] = await Promise.all([import('../../engine/queue/connection.js'), import('../../engine/queue/queue-admin.js')]);
      const conn = await connectRedis(redisUrl(o.redis));
      try {
        await clearQueue(conn);
        process.stderr.write('queue cleared\n');
      } finally {
        conn.disconnect();
      }
    });
}
