// Worker thread: owns one inference engine (onnxruntime or TensorFlow.js, chosen by inference/select.ts)
// and runs tiles it is sent; Telea fills need no engine and run even where none loaded.
import { parentPort, workerData } from 'node:worker_threads';
import { createInferenceEngine } from '../inference/select.js';
import { loadModelDir, type LoadedModel } from '../models/model-file.js';
import { errorCode, errorMessage } from '../util/errors.js';
import { teleaInpaint } from '../inpaint/telea.js';
import { retireThread } from '../inference/native-calls.js';
import type { RetireRequest, WorkerInit, WorkerReply, WorkerRequest } from './protocol.js';

const port = parentPort!;
/** intraOpThreads: onnxruntime threads for this worker (the pool gives each one, see worker-pool.ts). */
const init = workerData as WorkerInit & { intraOpThreads?: number };
const models = new Map<string, Promise<LoadedModel>>();

function post(msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

const enginePromise = createInferenceEngine(init.backend, { threads: init.intraOpThreads }).then((c) => c.engine);
enginePromise.then(
  (e) => post({ type: 'ready', backend: e.name }),
  (err) => post({ type: 'error', id: -1, code: errorCode(err), message: errorMessage(err) }),
);

port.on('message', async (req: WorkerRequest | RetireRequest) => {
  if (req.type === 'retire') return void retireThread();
  try {
    if (req.type === 'telea') {
      const output = teleaInpaint(req.input, req.width, req.height, req.channels, req.mask, { radius: req.radius });
      post({ type: 'result', id: req.id, output }, [output.buffer as ArrayBuffer]);
      return;
    }
    const engine = await enginePromise;
    let model = models.get(req.modelDir);
    if (!model) {
      model = loadModelDir(req.modelDir);
      models.set(req.modelDir, model);
    }
    const output = await engine.run(await model, req.input, req.shape, { sigma: req.sigma });
    post({ type: 'result', id: req.id, output }, [output.buffer as ArrayBuffer]);
  } catch (err) {
    post({ type: 'error', id: req.id, code: errorCode(err), message: errorMessage(err) });
  }
});
