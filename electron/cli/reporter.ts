// How batch progress and results reach a terminal: a progress bar on a TTY, one line per file otherwise,
// or one JSON object per file with --json (machine-readable, nothing else on stdout).
import cliProgress from 'cli-progress';
import type { BatchReporter, ItemResult } from '../engine/batch/run-batch.js';

export function terminalReporter(json: boolean, verb: string): BatchReporter & { finish(results: ItemResult[]): void } {
  const tty = Boolean(process.stderr.isTTY) && !json;
  let bar: cliProgress.SingleBar | undefined;
  let total = 0;
  return {
    start(n) {
      total = n;
      if (tty) {
        bar = new cliProgress.SingleBar(
          { format: `${verb} {bar} {percentage}% | {file} ({index}/{count})`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(100, 0, { file: '', index: 0, count: n });
      }
    },
    itemStart(i, item) {
      // Without a progress bar (logs, pipes), say what is running so a long file is not mistaken for a hang.
      if (!tty && !json) process.stderr.write(`${verb} ${item.input} (${i + 1}/${total})…\n`);
    },
    itemProgress(i, item, f) {
      bar?.update(Math.round(((i + f) / total) * 100), { file: item.input.split(/[\\/]/).pop(), index: i + 1, count: total });
    },
    itemDone(_i, r) {
      if (json) {
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      const line = r.ok ? `ok     ${r.input} → ${r.output} (${r.seconds.toFixed(1)} s${describe(r.details)})` : `failed ${r.input}: ${r.error!.message}`;
      if (bar) process.stderr.write('\r\x1b[K');
      (r.ok ? process.stdout : process.stderr).write(line + '\n');
    },
    finish(results) {
      bar?.stop();
      if (json) return;
      const failed = results.filter((r) => !r.ok).length;
      if (results.length > 1) process.stderr.write(`${results.length - failed} of ${results.length} done${failed ? `, ${failed} failed` : ''}\n`);
    },
  };
}

function describe(d?: Record<string, unknown>): string {
  if (!d) return '';
  const parts: string[] = [];
  if (typeof d.sigma === 'number') parts.push(`σ ${d.sigma}${d.sigmaEstimated ? ' estimated' : ''}`);
  // compress / decompress
  if (typeof d.bytes === 'number') parts.push(formatBytes(d.bytes));
  if (typeof d.bpp === 'number') parts.push(`${d.bpp.toFixed(3)} bpp`);
  if (typeof d.quality === 'number') parts.push(`quality ${d.quality}`);
  if (typeof d.psnr === 'number') parts.push(`PSNR ${d.psnr.toFixed(2)} dB`);
  if (typeof d.ssim === 'number') parts.push(`SSIM ${d.ssim.toFixed(4)}`);
  if (typeof d.ratio === 'number') parts.push(`${d.ratio}:1`);
  if (typeof d.note === 'string') parts.push(d.note);
  return parts.length ? ', ' + parts.join(', ') : '';
}

function formatBytes(n: number): string {
  return n < 10_000 ? `${n} B` : n < 10_000_000 ? `${(n / 1000).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`;
}
