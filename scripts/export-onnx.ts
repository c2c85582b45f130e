// Writes a model folder's ONNX graph (electron/engine/nn/unet-onnx.ts) beside its weights, as model.onnx,
// and checks it: onnxruntime on the written file against TensorFlow.js on the same random input.
// The app itself converts at load (in memory), so this is for shipping, inspection (Netron) and other runtimes.
//
//   node dist/scripts/export-onnx.js <model name|folder>... [--all] [--out FILE] [--no-check]
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TfjsEngine } from '../electron/engine/inference/tfjs-engine.js';
import { listInstalledModels, loadModel } from '../electron/engine/models/registry.js';
import { sizeMultiple, type UNetConfig } from '../electron/engine/nn/unet.js';
import { exportUNet, onnxInputPlanes, ONNX_INPUT, ONNX_OUTPUT, ONNX_SIGMA } from '../electron/engine/nn/unet-onnx.js';
import { Rng } from '../electron/engine/util/rng.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const names: string[] = [];
  let out: string | undefined;
  let check = true;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = args[++i];
    else if (args[i] === '--no-check') check = false;
    else if (args[i] === '--all') names.push(...listInstalledModels().map((m) => m.dir));
    else names.push(args[i]);
  }
  if (!names.length) throw new Error('usage: export-onnx <model name|folder>... [--all] [--out FILE] [--no-check]');
  if (out && names.length > 1) throw new Error('--out takes one model');
  const tfe = check ? await TfjsEngine.create() : undefined;
  for (const name of names) {
    const model = await loadModel(name);
    const cfg = model.manifest.arch as UNetConfig;
    const bytes = exportUNet(cfg, model.weights, { props: { 'aez.weights_sha256': model.manifest.sha256, 'aez.id': model.manifest.id } });
    const file = out ?? join(model.dir, 'model.onnx');
    await writeFile(file, bytes);
    let note = '';
    if (tfe) {
      const m = sizeMultiple(cfg);
      const [h, w, p] = [2 * m, 3 * m, onnxInputPlanes(cfg)];
      const rng = new Rng(1);
      const x = Float32Array.from({ length: h * w * p }, () => rng.next());
      const sigma = cfg.noiseMap ? 25 / 255 : undefined;
      const session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
      const feeds: Record<string, ort.Tensor> = { [ONNX_INPUT]: new ort.Tensor('float32', x.slice(), [1, h, w, p]) };
      if (sigma !== undefined) feeds[ONNX_SIGMA] = new ort.Tensor('float32', Float32Array.of(sigma), [1]);
      const a = (await session.run(feeds))[ONNX_OUTPUT].data as Float32Array;
      await session.release();
      const b = await tfe.run(model, x.slice(), [1, h, w, p], { sigma });
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      if (!(d <= 1e-4)) throw new Error(`${file}: onnxruntime and tfjs differ by ${d} (max abs)`);
      note = `, matches tfjs (max abs diff ${d.toExponential(1)})`;
    }
    console.log(`${file}: ${(bytes.length / 1024).toFixed(0)} KiB${note}`);
  }
  tfe?.dispose();
}

main().catch((e) => {
  process.stderr.write(`export-onnx: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
