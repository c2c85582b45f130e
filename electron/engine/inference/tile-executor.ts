// What the features (denoise, inpaint) need from whoever runs their networks: one tile in, one tile out.
// Implemented in-process (jobs/in-process-executor.ts) and by the worker pool (jobs/worker-pool.ts).
import type { LoadedModel } from '../models/model-file.js';

/** Runs one tile through a model. */
export interface TileExecutor {
  readonly concurrency: number;
  runTile(model: LoadedModel, input: Float32Array, width: number, height: number, channels: number, sigma?: number): Promise<Float32Array>;
}
