// Writes synthetic scan pairs as PNG, to look at:
//   node dist/scripts/preview-synth-pages.js --out /tmp/synth-preview [--n 6] [--seed 1] [--width 540] [--height 420]
//     [--crop 96] [--crops 48] [--pages 8]
// Produces page-NN-noisy.png / page-NN-clean.png (whole pages from synthPagePair), pages-sheet.png (noisy |
// clean, side by side) and crops-sheet.png (SyntheticPageSource.sample() crops, noisy over clean).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../electron/engine/util/rng.js';
import { SyntheticPageSource, synthPagePair } from '../electron/engine/data/synth-page/page-source.js';

function arg(name: string, def: number): number;
function arg(name: string, def: string): string;
function arg(name: string, def: number | string): number | string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) return def;
  const v = process.argv[i + 1];
  return typeof def === 'number' ? Number(v) : v;
}

function toU8(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, a[i])) * 255);
  return out;
}

async function writeGrey(path: string, a: Float32Array, w: number, h: number): Promise<void> {
  await sharp(toU8(a), { raw: { width: w, height: h, channels: 1 } }).png().toFile(path);
}

/** Pastes grey tiles into one grey sheet with a mid-grey gutter. */
function sheet(tiles: { a: Float32Array; w: number; h: number; x: number; y: number }[], W: number, H: number): Uint8Array {
  const out = new Uint8Array(W * H).fill(128);
  for (const t of tiles) {
    for (let y = 0; y < t.h; y++) {
      for (let x = 0; x < t.w; x++) out[(t.y + y) * W + t.x + x] = Math.round(Math.min(1, Math.max(0, t.a[y * t.w + x])) * 255);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const out = arg('out', '/tmp/synth-preview');
  const n = arg('n', 6);
  const seed = arg('seed', 1);
  const width = arg('width', 540);
  const height = arg('height', 420);
  const crop = arg('crop', 96);
  const crops = arg('crops', 48);
  const pages = arg('pages', 8);
  await mkdir(out, { recursive: true });

  const rng = new Rng(seed);
  const pairs = [];
  let t = performance.now();
  for (let i = 0; i < n; i++) {
    const p = await synthPagePair(rng.fork(i), width, height);
    pairs.push(p);
    const tag = String(i).padStart(2, '0');
    await writeGrey(join(out, `page-${tag}-noisy.png`), p.noisy, width, height);
    await writeGrey(join(out, `page-${tag}-clean.png`), p.clean, width, height);
  }
  console.log(`${n} page pairs of ${width}×${height} in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const g = 6;
  const SW = 2 * width + 3 * g;
  const SH = n * (height + g) + g;
  const tiles = pairs.flatMap((p, i) => [
    { a: p.noisy, w: width, h: height, x: g, y: g + i * (height + g) },
    { a: p.clean, w: width, h: height, x: 2 * g + width, y: g + i * (height + g) },
  ]);
  await sharp(sheet(tiles, SW, SH), { raw: { width: SW, height: SH, channels: 1 } }).png().toFile(join(out, 'pages-sheet.png'));

  const src = new SyntheticPageSource(seed, { pages });
  t = performance.now();
  await src.init();
  console.log(`SyntheticPageSource.init(): ${pages} pages of ${src.pageWidth}×${src.pageHeight} in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const cols = 8;
  const rows = Math.ceil(crops / cols);
  const cw = cols * (crop + g) + g;
  const chh = rows * (2 * crop + 2 * g) + g;
  const ctiles = [];
  const srng = new Rng(seed + 1000);
  t = performance.now();
  for (let k = 0; k < crops; k++) {
    const s = src.sample(srng, crop, crop);
    const x = g + (k % cols) * (crop + g);
    const y = g + Math.floor(k / cols) * (2 * crop + 2 * g);
    ctiles.push({ a: s.noisy, w: crop, h: crop, x, y }, { a: s.clean, w: crop, h: crop, x, y: y + crop + 1 });
  }
  console.log(`sample(${crop}×${crop}): ${((performance.now() - t) / crops).toFixed(2)} ms each`);
  await sharp(sheet(ctiles, cw, chh), { raw: { width: cw, height: chh, channels: 1 } }).png().toFile(join(out, 'crops-sheet.png'));
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
