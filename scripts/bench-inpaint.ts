// Inpainting benchmark (protocol of ../shared/data/README.md): photos/val with a fixed, seeded set of
// free-form masks of 10–30 % holes (benchmarkMask(index), white = hole); PSNR (8-bit RGB) over the hole
// pixels and over the whole image, and seconds per image, for the inpainting model (when one is installed
// or given) and the Telea port (OpenCV's INPAINT_TELEA, radius 3) in the same run, on the same masks.
// Results go between the bench-inpaint markers of docs/benchmarks.md.
//
//   node dist/scripts/bench-inpaint.js [--model inpaint|PATH] [--data DIR] [--limit N] [--threads N]
//        [--out docs/benchmarks.md] [--no-write] [--save-masks DIR] [--mirror]
//
// --mirror adds a row for the model with the two-view (mirrored) self-ensemble (`aez inpaint --mirror`),
// in the same run.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { readImage, toRgb, type RasterImage } from '../electron/engine/image/io.js';
import { inpaintImage, type InpaintMethod, type InpaintOptions } from '../electron/engine/inpaint/inpaint.js';
import { benchmarkMask } from '../electron/engine/inpaint/masks.js';
import { WorkerPool } from '../electron/engine/jobs/worker-pool.js';
import type { LoadedModel } from '../electron/engine/models/model-file.js';
import { loadModel } from '../electron/engine/models/registry.js';
import { countParams, flopsPerPixel, type UNetConfig } from '../electron/engine/nn/unet.js';
import { listImages } from '../electron/engine/train/image-store.js';
import { psnr8, psnr8Weighted } from '../electron/engine/train/validate.js';
import { repoRoot } from './lib/repo-root.js';

const SCRIPT = fileURLToPath(import.meta.url);
const REPO = repoRoot(SCRIPT);
const MARK_START = '<!-- bench-inpaint:start -->';
const MARK_END = '<!-- bench-inpaint:end -->';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    limit: { type: 'string' },
    threads: { type: 'string' },
    out: { type: 'string' },
    'save-masks': { type: 'string' },
    json: { type: 'boolean', default: false },
    mirror: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});

interface Row {
  name: string;
  width: number;
  height: number;
  holeFraction: number;
  scores: Record<string, { hole: number; whole: number; seconds: number }>;
}

async function main(): Promise<void> {
  const data = resolve(args.data ?? join(REPO, '../shared/data/photos/val'));
  const limit = args.limit ? Number(args.limit) : Infinity;
  if (!(limit >= 1)) throw new Error(`--limit must be a number ≥ 1, got "${args.limit}"`);
  const threads = Number(args.threads ?? availableParallelism());
  const out = resolve(args.out ?? join(REPO, 'docs/benchmarks.md'));
  const saveMasks = args['save-masks'];
  const files = (await listImages(data)).slice(0, limit);
  if (files.length === 0) throw new Error(`no images in ${data}`);

  let model: LoadedModel | undefined;
  const modelArg = args.model ?? 'inpaint';
  try {
    model = await loadModel(modelArg);
    if (model.manifest.task !== 'inpaint') throw new Error(`${modelArg} is a ${model.manifest.task} model`);
  } catch (e) {
    if (args.model) throw e;
    process.stderr.write(`no inpainting model installed (${(e as Error).message}); measuring Telea only\n`);
    model = undefined;
  }
  const pool = model ? new WorkerPool({ threads, backend: process.env.AEZ_BACKEND ?? 'wasm' }) : undefined;
  const methods: [string, InpaintMethod, InpaintOptions][] = [['telea', { kind: 'telea' }, {}]];
  if (model && pool) methods.push(['model', { kind: 'model', model, exec: pool }, { mirror: false }]);
  if (model && pool && args.mirror) methods.push(['model+mirror', { kind: 'model', model, exec: pool }, { mirror: true }]);

  if (model && pool) {
    // Warm-up: start the workers and load the model before timing.
    const w = 256;
    const warm: RasterImage = { width: w, height: w, channels: 3, data: new Float32Array(w * w * 3).fill(0.5), bitDepth: 8, format: 'png' };
    await inpaintImage(warm, benchmarkMask(0, w, w).data, { kind: 'model', model, exec: pool });
  }

  const rows: Row[] = [];
  const at768: Record<string, number> = {};
  let at768Holes = 0;
  try {
    for (const [index, f] of files.entries()) {
      const img = toRgb(await readImage(f));
      const mask = benchmarkMask(index, img.width, img.height);
      if (saveMasks) {
        await mkdir(saveMasks, { recursive: true });
        await sharp(Buffer.from(mask.data.map((v) => (v ? 255 : 0))), { raw: { width: img.width, height: img.height, channels: 1 } })
          .png()
          .toFile(join(saveMasks, basename(f).replace(/\.[^.]+$/, '.png')));
      }
      const weight = Float32Array.from(mask.data);
      const row: Row = { name: basename(f), width: img.width, height: img.height, holeFraction: mask.holes / (img.width * img.height), scores: {} };
      for (const [name, method, opts] of methods) {
        const t0 = performance.now();
        const r = await inpaintImage(img, mask.data, method, opts);
        const seconds = (performance.now() - t0) / 1000;
        row.scores[name] = { hole: psnr8Weighted(r.image.data, img.data, 3, weight), whole: psnr8(r.image.data, img.data), seconds };
      }
      rows.push(row);
      process.stderr.write(
        `${row.name} ${row.width}×${row.height} holes ${(row.holeFraction * 100).toFixed(1)} %: ` +
          Object.entries(row.scores).map(([k, s]) => `${k} ${s.hole.toFixed(2)} / ${s.whole.toFixed(2)} dB, ${s.seconds.toFixed(2)} s`).join('; ') +
          '\n',
      );
    }
    // The speed target's own size: the first image scaled and cropped to 768×512, its benchmark mask, best of 3.
    const { data: px } = await sharp(files[0]).resize(768, 512, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const small: RasterImage = { width: 768, height: 512, channels: 3, data: Float32Array.from(px, (v) => v / 255), bitDepth: 8, format: 'png' };
    const smallMask = benchmarkMask(0, 768, 512);
    for (const [name, method, opts] of methods) {
      let best = Infinity;
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        await inpaintImage(small, smallMask.data, method, opts);
        best = Math.min(best, (performance.now() - t0) / 1000);
      }
      at768[name] = best;
    }
    at768Holes = smallMask.holes / (768 * 512);
  } finally {
    await pool?.close();
  }

  const mean = (k: string, f: (s: Row['scores'][string]) => number) => rows.reduce((s, r) => s + f(r.scores[k]), 0) / rows.length;
  const names = methods.map(([n]) => n);
  const summary = Object.fromEntries(names.map((n) => [n, { hole: mean(n, (s) => s.hole), whole: mean(n, (s) => s.whole), seconds: mean(n, (s) => s.seconds) }]));
  const arch = model?.manifest.arch as UNetConfig | undefined;
  const label = (n: string) =>
    n === 'telea' ? 'Telea (OpenCV INPAINT_TELEA port, radius 3)' : `model \`${model!.manifest.id}\` (U-Net ${arch!.widths.join('/')}, ${(countParams(arch!) / 1000).toFixed(0)}k params, ${(flopsPerPixel(arch!) / 1000).toFixed(0)} GFLOP/MP, prefill ${model!.manifest.inputs?.prefill ?? 'zero'})${n === 'model+mirror' ? ', two-view mirrored self-ensemble' : ''}`;
  const lines = [
    MARK_START,
    '## Inpainting',
    '',
    `photos/val${Number.isFinite(limit) ? ` (**first ${rows.length} images only: a smoke run, not a result**)` : ` (${rows.length} images)`}, fixed seeded free-form masks ` +
      `(\`benchmarkMask(index)\`: strokes, blobs, rectangles; 10–30 % holes, mean ${((rows.reduce((s, r) => s + r.holeFraction, 0) / rows.length) * 100).toFixed(1)} %). ` +
      'PSNR on 8-bit RGB; seconds per image include region finding, pre-fill and tiling' +
      (pool ? `, model on ${threads} worker thread(s), backend ${process.env.AEZ_BACKEND ?? 'wasm'}` : '') +
      `. Regenerate: \`node dist/scripts/bench-inpaint.js${args.mirror ? ' --mirror' : ''}\`.`,
    '',
    '| method | PSNR in holes (dB) | PSNR whole image (dB) | s / image |',
    '|---|---|---|---|',
    ...names.map((n) => `| ${label(n)} | ${summary[n].hole.toFixed(2)} | ${summary[n].whole.toFixed(2)} | ${summary[n].seconds.toFixed(2)} |`),
    '',
    model
      ? `Model − Telea inside the holes: **${(summary.model.hole - summary.telea.hole).toFixed(2)} dB** (target ≥ +2 dB)` +
        (summary['model+mirror'] ? `; with the mirrored self-ensemble **${(summary['model+mirror'].hole - summary.telea.hole).toFixed(2)} dB**.` : '.')
      : 'No inpainting model installed: train one with `aez train --task inpaint` and copy its `model/` folder to `models/inpaint`.',
    '',
    `A 768×512 image (the first one scaled to that size, ${(at768Holes * 100).toFixed(1)} % holes), best of 3: ` +
      names.map((n) => `${n} ${at768[n].toFixed(2)} s`).join(', ') +
      (model ? ` (target for the model ≤ 2 s on wasm: ${at768.model <= 2 ? 'met' : 'not met'}).` : '.'),
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at the end of the run.`,
    '',
    '<details><summary>Per image</summary>',
    '',
    `| image | size | holes | ${names.map((n) => `${n} holes / whole dB, s`).join(' | ')} |`,
    `|---|---|---|${names.map(() => '---|').join('')}`,
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.width}×${r.height} | ${(r.holeFraction * 100).toFixed(1)} % | ` +
        names.map((n) => `${r.scores[n].hole.toFixed(2)} / ${r.scores[n].whole.toFixed(2)}, ${r.scores[n].seconds.toFixed(2)}`).join(' | ') +
        ' |',
    ),
    '',
    '</details>',
    MARK_END,
  ];
  const section = lines.join('\n');
  if (args.json) process.stdout.write(JSON.stringify({ summary, rows }, null, 2) + '\n');
  if (args['no-write']) {
    if (!args.json) process.stdout.write(section + '\n');
    return;
  }
  let doc = existsSync(out) ? await readFile(out, 'utf8') : '# Benchmarks\n\n';
  const a = doc.indexOf(MARK_START);
  const b = doc.indexOf(MARK_END);
  doc = a >= 0 && b > a ? doc.slice(0, a) + section + doc.slice(b + MARK_END.length) : doc.replace(/\s*$/, '\n\n') + section + '\n';
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, doc);
  process.stderr.write(`wrote the inpainting section of ${out}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench-inpaint: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
