// What a running job of the job service tells its caller, in order: a batch job's start, per-item start /
// progress / done, and done; a training job's start, progress, samples, log lines and done; any job's notes and
// its error. (The app's per-file events are a different thing: shared/api.ts's JobEvent.)
import type { ItemResult } from '../batch/run-batch.js';
import type { TrainTask } from '../train/presets.js';
import type { TrainProgress } from '../train/trainer.js';

/** How a training job ended (stopped: cancelled, with a checkpoint to resume from). */
export interface TrainJobResult {
  task: TrainTask;
  outDir: string;
  modelDir: string;
  steps: number;
  total: number;
  stopped: boolean;
  elapsedMs: number;
  best?: { step: number; metric: number };
  parameters: number;
}

export type JobServiceEvent =
  | { type: 'start'; jobId: string; total: number }
  | { type: 'item-start'; jobId: string; index: number; input: string; output: string }
  | { type: 'item-progress'; jobId: string; index: number; fraction: number }
  | { type: 'item-done'; jobId: string; index: number; result: ItemResult }
  | { type: 'done'; jobId: string; results: ItemResult[]; cancelled: boolean }
  | { type: 'note'; jobId: string; message: string }
  | { type: 'train-start'; jobId: string; task: TrainTask; outDir: string; step: number; total: number; parameters: number; workers: number; resumed: boolean; history: TrainProgress[] }
  | { type: 'train-progress'; jobId: string; progress: TrainProgress }
  | { type: 'train-sample'; jobId: string; step: number; png: Uint8Array; width: number; height: number }
  | { type: 'train-log'; jobId: string; line: string }
  | { type: 'train-done'; jobId: string; result: TrainJobResult }
  | { type: 'error'; jobId: string; code: string; message: string };
