// Gradient worker thread: builds its own batch source and TensorFlow.js instance, then for every step
// reads the shared weights, computes its shard's gradient into its shared slot and reports the loss.
import { workerData } from 'node:worker_threads';
import { initBackend } from '../tfjs/backend.js';
import type { ArchConfig } from '../models/arch.js';
import { serveCalls } from '../workers/serve.js';
import { GradientComputer, type PixelLoss } from './grad-core.js';
import { createSource, sampleShard, type SourceSpec } from './sources.js';

export interface GradWorkerInit {
  cfg: ArchConfig;
  loss: PixelLoss;
  source: SourceSpec;
  backend?: string;
  seed: number;
  params: SharedArrayBuffer;
  grad: SharedArrayBuffer;
}

/** Method `step` (over the worker bridge, workers/bridge.ts); answers the shard's loss. */
export interface GradStepRequest {
  step: number;
  first: number;
  count: number;
  patch: number;
  /** This shard's share of the global batch, so summed shard gradients are the batch mean. */
  weight: number;
}

const init = workerData as GradWorkerInit;

const ready = (async () => {
  await initBackend(init.backend);
  const source = await createSource(init.source);
  return { source, computer: new GradientComputer(init.cfg, init.loss) };
})();

serveCalls(
  {
    step: async (req: GradStepRequest) => {
      const { source, computer } = await ready;
      const batch = sampleShard(source, init.seed, req.step, req.first, req.count, req.patch);
      computer.setWeights(new Float32Array(init.params));
      return computer.compute(batch, new Float32Array(init.grad), req.weight);
    },
  },
  ready.then(() => null),
);
