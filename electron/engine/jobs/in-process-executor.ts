// Tile execution on the calling thread: for tests, small images and the worker threads themselves.
import type { TileExecutor } from '../inference/tile-executor.js';
import type { InferenceEngine } from '../inference/engine.js';
import type { LoadedModel } from '../models/model-file.js';

export class InProcessExecutor implements TileExecutor {
  readonly concurrency = 1;
  constructor(private readonly engine: InferenceEngine) {}

  runTile(model: LoadedModel, input: Float32Array, width: number, height: number, channels: number, sigma?: number): Promise<Float32Array> {
    return this.engine.run(model, input, [1, height, width, channels], { sigma });
  }
}
