// Where the codec's learned transforms run: onnxruntime when it loads (the faster engine, with GPU
// providers on users' machines), else TensorFlow.js. Decoding does not depend on the choice: the
// probabilities come from the float64 hyper-synthesis (model/hyper-synthesis-f64.ts) and the pixels from
// the integer-exact synthesis (model/exact-synthesis.ts).
import * as tf from '@tensorflow/tfjs';
import { exportCodecGraph, CODEC_GRAPH_IO, type CodecGraph } from './model/hyperprior-onnx.js';
import { createInferenceEngine } from '../inference/select.js';
import { OrtEngine } from '../inference/ort-engine.js';
import { initBackend } from '../tfjs/backend.js';
import { analysis, hyperAnalysis } from './model/hyperprior.js';
import { exactSynthesisTf } from './model/exact-synthesis.js';
import type { CodecModel } from './codec-model.js';

export interface CodecTransforms {
  /** e.g. 'ort-cpu', 'tfjs-wasm'. */
  readonly name: string;
  /** NHWC float32 in, NHWC float32 out, batch 1; `dims` is [1, H, W, C] of the input. */
  run(model: CodecModel, graph: CodecGraph, data: Float32Array, dims: [number, number, number, number]): Promise<Float32Array>;
  dispose(): void;
}

const TF_GRAPHS: Record<CodecGraph, (model: CodecModel, x: tf.Tensor4D) => tf.Tensor4D> = {
  analysis: (model, x) => analysis(model.params, x),
  // The decoder's synthesis is the integer-exact one: the same pixels on every backend.
  synthesis: (model, x) => exactSynthesisTf(model.exact, model.exactTensors, x),
  hyperAnalysis: (model, x) => hyperAnalysis(model.params, x),
};

/** TensorFlow.js on the active backend. */
export class TfjsCodecTransforms implements CodecTransforms {
  constructor(readonly name: string) {}

  async run(model: CodecModel, graph: CodecGraph, data: Float32Array, dims: [number, number, number, number]): Promise<Float32Array> {
    const out = tf.tidy(() => TF_GRAPHS[graph](model, tf.tensor4d(data, dims)));
    const result = (await out.data()) as Float32Array;
    out.dispose();
    return result;
  }

  dispose(): void {}
}

class OrtCodecTransforms implements CodecTransforms {
  readonly name: string;
  /**
   * @param synthesisEngine where the exact synthesis runs when `engine` is a GPU provider: its
   * exactness argument holds for CPU kernels, while a GPU library may convolve by Winograd or FFT.
   */
  constructor(
    private readonly engine: OrtEngine,
    private readonly synthesisEngine?: OrtEngine,
  ) {
    this.name = synthesisEngine ? `${engine.name} (synthesis on ${synthesisEngine.name})` : engine.name;
  }

  async run(model: CodecModel, graph: CodecGraph, data: Float32Array, dims: [number, number, number, number]): Promise<Float32Array> {
    const io = CODEC_GRAPH_IO[graph];
    const weights = model.weights;
    const engine = graph === 'synthesis' ? (this.synthesisEngine ?? this.engine) : this.engine;
    const out = await engine.runGraph(`codec:${model.sha256}:${graph}`, () => exportCodecGraph(model.cfg, weights, graph, { props: { 'aez.weights_sha256': model.sha256 } }), { name: io.input, data, dims }, io.output);
    return out.data;
  }

  dispose(): void {
    this.engine.dispose();
    this.synthesisEngine?.dispose();
  }
}

/**
 * The engine for the codec: the same choice and `--backend` names as inference (inference/select.ts),
 * except that on a GPU provider the synthesis runs on onnxruntime's CPU provider, so decoded pixels stay
 * identical everywhere. (tfjs-node-gpu is not covered: without onnxruntime there is no CPU engine beside it.)
 */
export async function createCodecTransforms(forced?: string, threads?: number): Promise<CodecTransforms> {
  const choice = await createInferenceEngine(forced, { threads });
  if (choice.engine instanceof OrtEngine) {
    const cpu = choice.engine.provider === 'cpu' ? undefined : await OrtEngine.create({ provider: 'cpu', threads });
    return new OrtCodecTransforms(choice.engine, cpu);
  }
  choice.engine.dispose();
  const report = await initBackend(forced);
  return new TfjsCodecTransforms(`tfjs-${report.chosen}`);
}

const shared = new Map<string, Promise<CodecTransforms>>();

/** One engine per (backend, threads) for the whole process: sessions are built once per model. */
export function sharedCodecTransforms(backend?: string, threads?: number): Promise<CodecTransforms> {
  const key = `${backend ?? process.env.AEZ_BACKEND ?? ''}:${threads ?? ''}`;
  let p = shared.get(key);
  if (!p) {
    p = createCodecTransforms(backend, threads);
    p.catch(() => shared.delete(key));
    shared.set(key, p);
  }
  return p;
}
