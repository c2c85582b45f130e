// aez serve: the desktop app's browser twin on 127.0.0.1. The first line printed is the URL to open.
import { spawn } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseNumber, type GlobalOptions } from '../shared.js';

function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`aez: could not open a browser; open ${url} yourself\n`));
  child.unref();
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the AEZ app in your browser (127.0.0.1 only; the printed address carries a one-time access token)')
    .option('--port <n>', 'port to listen on (default: a free one)', (v) => parseNumber(v, '--port', 1, 65535))
    .option('--open', 'open the address in the default browser', false)
    .option('--output-dir <dir>', 'save outputs here (and make it the default output folder)')
    .option('--runs-dir <dir>', 'make training runs here (and make it the default runs folder)')
    .option('--redis <url>', 'show the status of this shared job queue (aez queue, aez worker) in Settings')
    .option('--max-upload-mb <n>', 'largest file a browser may upload, in MiB (default 512)', (v) => parseNumber(v, '--max-upload-mb', 1, 65536))
    .action(async (o: { port?: number; open: boolean; outputDir?: string; runsDir?: string; redis?: string; maxUploadMb?: number }, cmd: Command) => {
      const { startServer } = await import('../../server/serve.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const outputDir = o.outputDir ? (isAbsolute(o.outputDir) ? o.outputDir : resolve(o.outputDir)) : undefined;
      const runsDir = o.runsDir ? resolve(o.runsDir) : undefined;
      const s = await startServer({ port: o.port, threads: g.threads, backend: g.backend, outputDir, runsDir, redis: o.redis ?? process.env.AEZ_REDIS_URL, maxUploadBytes: o.maxUploadMb ? o.maxUploadMb * 2 ** 20 : undefined });
      process.stdout.write(`${s.url}\n`);
      process.stderr.write(`aez: serving the app on 127.0.0.1 only; outputs go to ${s.host.getSettings().outputDir}. Ctrl-C stops.\n`);
      if (o.open) openBrowser(s.url);
      await new Promise<void>((done) => {
        const stop = () => {
          process.stderr.write('aez: stopping…\n');
          void s.close().finally(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
