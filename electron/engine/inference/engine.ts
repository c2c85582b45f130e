// The one interface model execution goes through: run a loaded model on an NHWC batch, get the output
// batch back. Typed arrays at the boundary (not tensors) so an engine can live in a worker thread or be
// a different runtime altogether (onnxruntime follows in its own module).
import type { LoadedModel } from '../models/model-file.js';

export type Shape4 = [n: number, h: number, w: number, c: number];

export interface RunOptions {
  /** Noise level in 0..1 units, for models with a noise-map input. */
  sigma?: number;
}

export interface InferenceEngine {
  /** e.g. "tfjs-wasm"; shown in reports and benchmarks. */
  readonly name: string;
  run(model: LoadedModel, input: Float32Array, shape: Shape4, opts?: RunOptions): Promise<Float32Array>;
  /** Frees cached per-model state. */
  dispose(): void;
}
