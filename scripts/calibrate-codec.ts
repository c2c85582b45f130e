// Makes a codec model written before exact decoding (no `exactSynthesis` in its model.json) exact: the
// same calibration the trainer now runs whenever it writes a codec (train/codec-calibration.ts), on
// crops of the training photos. The trained weights are unchanged; the grid shifts are added, so the
// weights' hash (and the model's identity in .aez files) changes.
//   node dist/scripts/calibrate-codec.js --model runs/codec/model [--data ../shared/data/photos/train] --out DIR
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { HyperpriorConfig } from '../electron/engine/codec/model/config.js';
import { loadModelDir, saveModelDir } from '../electron/engine/models/model-file.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { exactCodecModel } from '../electron/engine/train/codec-calibration.js';
import { loadImageStore } from '../electron/engine/train/image-store.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string', default: '../shared/data/photos/train' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
  },
});
if (!values.model || !values.out) {
  console.error('usage: calibrate-codec --model DIR --out DIR [--data DIR] [--backend wasm]');
  process.exit(2);
}
if (resolve(values.out) === resolve(values.model)) {
  console.error('calibrate-codec: --out must be another folder (the original model is kept)');
  process.exit(2);
}
await initBackend(values.backend);
const model = await loadModelDir(resolve(values.model));
if (model.manifest.arch.kind !== 'hyperprior') {
  console.error(`calibrate-codec: ${values.model} is a ${model.manifest.task} model, not a codec`);
  process.exit(2);
}
const store = await loadImageStore([resolve(values.data)], 128);
const { arch, weights } = exactCodecModel(model.manifest.arch as HyperpriorConfig, model.weights, store);
const manifest = await saveModelDir(resolve(values.out), weights, {
  id: model.manifest.id,
  task: model.manifest.task,
  arch,
  dtype: model.manifest.dtype,
  ...(model.manifest.training ? { training: model.manifest.training } : {}),
});
console.log(`wrote ${values.out}: grid shifts [${Array.from(weights.get('gs.act_log2')!).join(', ')}], sha256 ${manifest.sha256}`);
