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
  return parts.length ? ', ' + parts.join(', ') : '';
}
