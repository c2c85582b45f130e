// Encoder-side refinement (EncodeOptions.effort, latent-refinement.ts) against the plain encoder, same model,
// same images: centre crops of photos/val at every quality level, bpp of the whole file and PSNR of what any
// decoder restores; BD-rate of effort 1 against effort 0 and the seconds per image.
//   node dist/scripts/bench-effort.js [--count 6] [--crop 256] [--model codec]
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { loadCodecModel } from '../electron/engine/codec/codec-registry.js';
import { encodeImageAez } from '../electron/engine/codec/image-codec.js';
import type { RasterImage } from '../electron/engine/image/io.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { bdRate } from './lib/bd-rate.js';

const { values: a } = parseArgs({ options: { count: { type: 'string', default: '6' }, crop: { type: 'string', default: '256' }, model: { type: 'string', default: 'codec' }, data: { type: 'string', default: '../shared/data/photos/val' } } });

async function main(): Promise<void> {
  await initBackend('wasm');
  const model = await loadCodecModel(a.model!);
  const side = Number(a.crop);
  const dir = resolve(a.data!);
  const files = (await readdir(dir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().slice(0, Number(a.count));
  const levels = model.cfg.lambdas.length;
  const curves: { bpp: number; psnr: number; s: number }[][] = [[], []];
  for (let q = 1; q <= levels; q++) {
    for (const effort of [0, 1]) {
      let bpp = 0;
      let psnr = 0;
      let s = 0;
      for (const f of files) {
        const { data } = await sharp(join(dir, f)).resize(side, side, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const img: RasterImage = { width: side, height: side, channels: 3, bitDepth: 8, format: 'png', data: Float32Array.from(data, (v) => v / 255) };
        const t0 = performance.now();
        const r = await encodeImageAez(model, img, { rate: { quality: q }, measure: true, effort });
        s += (performance.now() - t0) / 1000;
        bpp += r.bpp / files.length;
        psnr += r.psnr! / files.length;
      }
      curves[effort].push({ bpp, psnr, s: s / files.length });
    }
  }
  console.log(`${files.length} centre crops ${side}×${side} of photos/val, model ${model.id}, TensorFlow.js wasm for the refinement\n`);
  console.log('| quality | effort 0 bpp | dB | s | effort 1 bpp | dB | s |\n|---|---|---|---|---|---|---|');
  for (let i = 0; i < levels; i++) {
    const [e0, e1] = [curves[0][i], curves[1][i]];
    console.log(`| ${i + 1} | ${e0.bpp.toFixed(3)} | ${e0.psnr.toFixed(2)} | ${e0.s.toFixed(2)} | ${e1.bpp.toFixed(3)} | ${e1.psnr.toFixed(2)} | ${e1.s.toFixed(2)} |`);
  }
  const bd = bdRate(curves[0], curves[1]);
  console.log(`\nBD-rate of effort 1 against effort 0: ${bd === undefined ? 'n/a' : `${bd >= 0 ? '+' : ''}${bd.toFixed(1)} %`}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
