// Worker thread: owns one TensorFlow.js instance and runs tiles it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { TfjsEngine } from '../inference/tfjs-engine.js';
import { loadModelDir, type LoadedModel } from '../models/model-file.js';
import { errorCode, errorMessage } from '../util/errors.js';
import type { RunTileRequest, WorkerInit, WorkerReply } from './protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const models = new Map<string, Promise<LoadedModel>>();

function post(msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

const enginePromise = TfjsEngine.create(init.backend);
enginePromise.then(
  (e) => post({ type: 'ready', backend: e.name }),
  (err) => post({ type: 'error', id: -1, code: errorCode(err), message: errorMessage(err) }),
);

port.on('message', async (req: RunTileRequest) => {
  try {
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
