// One data-parallel shard of a training step: set the weights, run forward and backward on the shard's
// batch, return the loss and the flat gradient. Used inside gradient worker threads and in-process.
import * as tf from '@tensorflow/tfjs';
import { forward, type Params } from '../nn/unet.js';
import { archParamSpecs as paramSpecs, type ArchConfig } from '../models/arch.js';
import { rdLoss } from '../codec/model/hyperprior.js';
import type { Batch } from './training-batch.js';

/** Per-pixel loss: Charbonnier (smooth L1) or squared error. */
export type PixelLoss = 'charbonnier' | 'mse';

export class GradientComputer {
  private readonly specs;
  private readonly vars: tf.Variable[];
  private readonly params: Params;
  readonly size: number;

  constructor(
    private readonly cfg: ArchConfig,
    private readonly pixelLoss: PixelLoss = 'charbonnier',
  ) {
    this.specs = paramSpecs(cfg);
    this.params = new Map();
    this.vars = this.specs.map((s) => {
      const v = tf.variable(tf.zeros(s.shape), true, `p/${s.name}`);
      this.params.set(s.name, v);
      return v;
    });
    this.size = this.specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  }

  setWeights(flat: Float32Array): void {
    let offset = 0;
    for (let i = 0; i < this.specs.length; i++) {
      const n = this.vars[i].size;
      const t = tf.tensor(flat.subarray(offset, offset + n), this.specs[i].shape);
      this.vars[i].assign(t);
      t.dispose();
      offset += n;
    }
  }

  /**
   * Charbonnier loss (a smooth L1): trains denoisers to higher PSNR than MSE in our runs and published ones.
   * Squared error ('mse') targets the conditional mean, which is what PSNR rewards where the answer is
   * ambiguous (the inside of a large hole). Inpainters (masked output) are scored on their composited output,
   * averaged over hole values only: known pixels are returned exactly and carry no error.
   */
  private loss(batch: Batch): tf.Scalar {
    if (this.cfg.kind === 'hyperprior') {
      // The codec: rate + λ·distortion, each sample at its quality level (codec/model/hyperprior.ts).
      if (!batch.levels || batch.noiseSeed === undefined) throw new Error('codec batches need quality levels and a noise seed');
      const x = tf.tensor4d(batch.target, [batch.n, batch.patch, batch.patch, batch.channels]);
      return rdLoss(this.cfg, this.params, x, batch.levels, batch.noiseSeed);
    }
    const shape: [number, number, number, number] = [batch.n, batch.patch, batch.patch, batch.channels];
    const inC = batch.inputChannels ?? batch.channels;
    const x = tf.tensor4d(batch.input, [batch.n, batch.patch, batch.patch, inC]);
    const y = tf.tensor4d(batch.target, shape);
    const s = batch.sigma ? tf.tensor1d(batch.sigma) : undefined;
    const out = forward(this.cfg, this.params, x, s);
    const d = tf.sub(out, y);
    const per = this.pixelLoss === 'mse' ? tf.square(d) : tf.sqrt(tf.add(tf.square(d), 1e-6));
    if (this.cfg.maskedOutput) {
      const hole = tf.slice(x, [0, 0, 0, inC - 1], [batch.n, batch.patch, batch.patch, 1]);
      const values = tf.maximum(tf.mul(tf.sum(hole), batch.channels), 1);
      return tf.div(tf.sum(tf.mul(per, hole)), values) as tf.Scalar;
    }
    return tf.mean(per) as tf.Scalar;
  }

  /** Writes the gradient into `gradOut` (scaled by `weight`, for averaging shards) and returns the loss. */
  compute(batch: Batch, gradOut: Float32Array, weight = 1): number {
    const { value, grads } = tf.variableGrads(() => this.loss(batch), this.vars);
    let offset = 0;
    for (const v of this.vars) {
      const g = grads[v.name].dataSync() as Float32Array;
      for (let i = 0; i < g.length; i++) gradOut[offset + i] = g[i] * weight;
      offset += g.length;
    }
    const loss = value.dataSync()[0];
    value.dispose();
    for (const k of Object.keys(grads)) grads[k].dispose();
    return loss;
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
  }
}
