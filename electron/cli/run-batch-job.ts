// Follows a batch job (denoise, compress, decompress, inpaint) in the terminal: progress bar or JSON lines, Ctrl-C
// cancels, exit code 0 (all done), 1 (some failed) or 130 (cancelled).
import type { JobServiceEvent, JobHandle, JobService } from '../engine/jobs/job-service.js';
import type { ItemResult } from '../engine/batch/run-batch.js';
import { terminalReporter } from './reporter.js';
import { interruptSignal } from './shared.js';

export async function followBatchJob(service: JobService, job: JobHandle<ItemResult[]>, json: boolean, verb: string): Promise<void> {
  const signal = interruptSignal(() => job.cancel());
  const reporter = terminalReporter(json, verb);
  let current = { input: '', output: '' };
  job.events.on('event', (e: JobServiceEvent) => {
    if (e.type === 'start') reporter.start?.(e.total);
    else if (e.type === 'item-start') reporter.itemStart?.(e.index, (current = { input: e.input, output: e.output }));
    else if (e.type === 'item-progress') reporter.itemProgress?.(e.index, current, e.fraction);
    else if (e.type === 'item-done') reporter.itemDone?.(e.index, e.result);
    else if (e.type === 'note' && !json) process.stderr.write(`note: ${e.message}\n`);
  });
  try {
    const results = await job.done;
    reporter.finish(results);
    process.exitCode = signal.aborted ? 130 : results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await service.close();
  }
}
