// Runs one job per batch item: a failure is reported with its reason and the others go on; progress and
// results go to the caller's reporter (terminal bar, JSON lines, IPC to a window, HTTP).
import { assertNotSameFile } from '../util/atomic-write.js';
import { AezError, errorCode, errorMessage, isCancelled } from '../util/errors.js';
import type { BatchItem } from './plan.js';

export interface ItemResult {
  input: string;
  output: string;
  ok: boolean;
  error?: { code: string; message: string };
  seconds: number;
  details?: Record<string, unknown>;
}

export interface BatchReporter {
  start?(total: number): void;
  itemStart?(index: number, item: BatchItem): void;
  itemProgress?(index: number, item: BatchItem, fraction: number): void;
  itemDone?(index: number, result: ItemResult): void;
}

export type ItemJob = (item: BatchItem, onProgress: (fraction: number) => void, signal: AbortSignal) => Promise<Record<string, unknown> | void>;

export async function runBatch(items: BatchItem[], job: ItemJob, reporter: BatchReporter, signal: AbortSignal): Promise<ItemResult[]> {
  reporter.start?.(items.length);
  const results: ItemResult[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const t0 = performance.now();
    let result: ItemResult;
    if (signal.aborted) {
      result = { ...item, ok: false, error: { code: 'CANCELLED', message: 'cancelled before it started' }, seconds: 0 };
    } else {
      try {
        reporter.itemStart?.(i, item);
        await assertNotSameFile(item.input, item.output);
        const details = await job(item, (f) => reporter.itemProgress?.(i, item, f), signal);
        result = { ...item, ok: true, seconds: (performance.now() - t0) / 1000, ...(details ? { details } : {}) };
      } catch (e) {
        const err = signal.aborted && !(e instanceof AezError && !isCancelled(e)) ? new AezError('CANCELLED', 'cancelled') : e;
        result = { ...item, ok: false, error: { code: errorCode(err), message: errorMessage(err) }, seconds: (performance.now() - t0) / 1000 };
      }
    }
    results.push(result);
    reporter.itemDone?.(i, result);
  }
  return results;
}
