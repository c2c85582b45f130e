// TensorFlow.js implementation of the inference engine, on whichever backend initBackend() chose.
import * as tf from '@tensorflow/tfjs';
import { forward, inputChannels, sizeMultiple, type Params, type UNetConfig } from '../nn/unet.js';
import type { LoadedModel } from '../models/model-file.js';
import { activeBackend, initBackend } from '../tfjs/backend.js';
import type { InferenceEngine, RunOptions, Shape4 } from './engine.js';

export function paramsFromWeights(model: LoadedModel): Params {
  const params: Params = new Map();
  for (const w of model.manifest.weights) params.set(w.name, tf.tensor(model.weights.get(w.name)!, w.shape, 'float32'));
  return params;
}

export class TfjsEngine implements InferenceEngine {
  private readonly params = new Map<LoadedModel, Params>();

  get name(): string {
    return `tfjs-${activeBackend()?.chosen ?? 'uninitialised'}`;
  }

  static async create(backend?: string): Promise<TfjsEngine> {
    await initBackend(backend);
    return new TfjsEngine();
  }

  async run(model: LoadedModel, input: Float32Array, shape: Shape4, opts: RunOptions = {}): Promise<Float32Array> {
    const cfg = model.manifest.arch as UNetConfig;
    const m = sizeMultiple(cfg);
    if (shape[1] % m || shape[2] % m) throw new Error(`input ${shape[1]}×${shape[2]} is not a multiple of ${m}`);
    if (shape[3] !== inputChannels(cfg)) throw new Error(`model ${model.manifest.id} takes ${inputChannels(cfg)} channels, got ${shape[3]}`);
    let params = this.params.get(model);
    if (!params) {
      params = paramsFromWeights(model);
      this.params.set(model, params);
    }
    const p = params;
    const out = tf.tidy(() => forward(cfg, p, tf.tensor4d(input, shape), cfg.noiseMap ? (opts.sigma ?? 0) : undefined));
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  dispose(): void {
    for (const p of this.params.values()) for (const t of p.values()) t.dispose();
    this.params.clear();
  }
}
