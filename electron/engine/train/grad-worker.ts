// Gradient worker thread: builds its own batch source and TensorFlow.js instance, then for every step
// reads the shared weights, computes its shard's gradient into its shared slot and reports the loss.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../runtime/backend.js';
import type { ArchConfig } from '../models/arch.js';
import { errorMessage } from '../util/errors.js';
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

export interface GradStepRequest {
  type: 'step';
  step: number;
  first: number;
  count: number;
  patch: number;
  /** This shard's share of the global batch, so summed shard gradients are the batch mean. */
  weight: number;
}

export type GradWorkerReply = { type: 'ready' } | { type: 'done'; step: number; loss: number } | { type: 'error'; message: string };

const port = parentPort!;
const init = workerData as GradWorkerInit;

const ready = (async () => {
  await initBackend(init.backend);
  const source = await createSource(init.source);
  return { source, computer: new GradientComputer(init.cfg, init.loss) };
})();

ready.then(
  () => port.postMessage({ type: 'ready' } satisfies GradWorkerReply),
  (e) => port.postMessage({ type: 'error', message: errorMessage(e) } satisfies GradWorkerReply),
);

port.on('message', async (req: GradStepRequest) => {
  try {
    const { source, computer } = await ready;
    const batch = sampleShard(source, init.seed, req.step, req.first, req.count, req.patch);
    computer.setWeights(new Float32Array(init.params));
    const loss = computer.compute(batch, new Float32Array(init.grad), req.weight);
    port.postMessage({ type: 'done', step: req.step, loss } satisfies GradWorkerReply);
  } catch (e) {
    port.postMessage({ type: 'error', message: errorMessage(e) } satisfies GradWorkerReply);
  }
});
