// Worker thread: owns one inference engine (onnxruntime or TensorFlow.js, chosen by inference/select.ts)
// and runs tiles it is sent; Telea fills need no engine and run even where none loaded. Calls, cancel and
// retire come over the worker bridge (workers/serve.ts).
import { workerData } from 'node:worker_threads';
import { createInferenceEngine } from '../inference/select.js';
import { loadModelDir, type LoadedModel } from '../models/model-file.js';
import { teleaInpaint } from '../inpaint/telea.js';
import { serveCalls, transferred } from '../workers/serve.js';
import type { RunTileRequest, TeleaRequest, WorkerInit, WorkerReady } from './protocol.js';

const init = workerData as WorkerInit;
const models = new Map<string, Promise<LoadedModel>>();

const enginePromise = createInferenceEngine(init.backend, { threads: init.intraOpThreads }).then((c) => c.engine);

serveCalls(
  {
    telea: (req: TeleaRequest) => {
      const output = teleaInpaint(req.input, req.width, req.height, req.channels, req.mask, { radius: req.radius });
      return transferred(output, [output.buffer as ArrayBuffer]);
    },
    run: async (req: RunTileRequest) => {
      const engine = await enginePromise;
      let model = models.get(req.modelDir);
      if (!model) {
        model = loadModelDir(req.modelDir);
        models.set(req.modelDir, model);
      }
      const output = await engine.run(await model, req.input, req.shape, { sigma: req.sigma });
      return transferred(output, [output.buffer as ArrayBuffer]);
    },
  },
  enginePromise.then((e): WorkerReady => ({ backend: e.name })),
);
