// The two halves of a demo autoencoder on an inference engine: onnxruntime where it loads (graphs exported in
// memory by demo-onnx.ts, a few milliseconds), else TensorFlow.js. The explorer asks only these two
// questions of a network, on padded 32×32 images:
//   encode: m images (m·1024 values, 0..1) → m latent means (m·d)
//   decode: m latent points (m·d)          → m images (m·1024 values, 0..1)
// The engine is made by inference/select.ts (following --backend / AEZ_BACKEND like the denoisers) and
// shared by every open demo model.
import * as tf from '@tensorflow/tfjs';
import type { InferenceEngine } from '../inference/engine.js';
import type { OrtEngine } from '../inference/ort-engine.js';
import { DEMO_GRAPH_IO, exportDemoGraph, type DemoGraph } from './demo-onnx.js';
import { NET_SIDE } from './datasets.js';
import { decode, encode, paramsFromFlat, type DemoArch, type Params } from './models.js';

export interface DemoNet {
  /** e.g. "ort-cpu", "tfjs-wasm". */
  readonly engine: string;
  encode(x: Float32Array, m: number): Promise<Float32Array>;
  decode(z: Float32Array, m: number): Promise<Float32Array>;
  dispose(): void;
}

/** TensorFlow.js on whatever backend is set up (the trainer's and the tests' engine). */
export class TfjsDemoNet implements DemoNet {
  private params: Params | null;

  constructor(
    private readonly arch: DemoArch,
    flat: Float32Array,
    readonly engine = `tfjs-${tf.getBackend()}`,
  ) {
    this.params = paramsFromFlat(arch, flat);
  }

  private p(): Params {
    if (!this.params) throw new Error('this demo model was closed');
    return this.params;
  }

  encode(x: Float32Array, m: number): Promise<Float32Array> {
    return Promise.resolve(tf.tidy(() => encode(this.arch, this.p(), tf.tensor4d(x, [m, NET_SIDE, NET_SIDE, 1])).mu.dataSync() as Float32Array));
  }

  decode(z: Float32Array, m: number): Promise<Float32Array> {
    return Promise.resolve(tf.tidy(() => decode(this.arch, this.p(), tf.tensor2d(z, [m, this.arch.latent])).dataSync() as Float32Array));
  }

  dispose(): void {
    if (this.params) for (const t of this.params.values()) t.dispose();
    this.params = null;
  }
}

/** onnxruntime: one cached session per half on a shared engine, keyed by the weights' hash. */
export class OrtDemoNet implements DemoNet {
  readonly engine: string;
  private closed = false;

  constructor(
    private readonly ort: OrtEngine,
    private readonly arch: DemoArch,
    private readonly flat: Float32Array,
    /** Names the weights (the manifest's sha256) so two models never share a session. */
    private readonly key: string,
  ) {
    this.engine = ort.name;
  }

  private get prefix(): string {
    return `demo:${this.key}:`;
  }

  private async run(graph: DemoGraph, data: Float32Array, dims: number[]): Promise<Float32Array> {
    if (this.closed) throw new Error('this demo model was closed');
    const io = DEMO_GRAPH_IO[graph];
    const out = await this.ort.runGraph(`${this.prefix}${graph}`, () => exportDemoGraph(this.arch, this.flat, graph), { name: io.input, data, dims }, io.output);
    return out.data;
  }

  encode(x: Float32Array, m: number): Promise<Float32Array> {
    return this.run('encoder', x, [m, NET_SIDE, NET_SIDE, 1]);
  }

  decode(z: Float32Array, m: number): Promise<Float32Array> {
    return this.run('decoder', z, [m, this.arch.latent]);
  }

  /** Releases this model's sessions; the engine stays with whoever made it. */
  dispose(): void {
    this.closed = true;
    this.ort.releaseGraphs(this.prefix);
  }
}

/** A demo model's network on `engine`: onnxruntime when that is what the engine is, else TensorFlow.js. */
export function demoNetOn(engine: InferenceEngine, arch: DemoArch, flat: Float32Array, key: string): DemoNet {
  if (engine.name.startsWith('ort-')) return new OrtDemoNet(engine as OrtEngine, arch, flat, key);
  // A TensorFlow.js engine has set up the backend; the demo network runs on it with its own tensors.
  return new TfjsDemoNet(arch, flat, engine.name);
}
