// Codec benchmark (protocol of ../shared/data/README.md): on photos/val, the rate–distortion curve of the
// AEZ codec (bpp of the whole .aez file, PSNR on 8-bit RGB) at a ladder of qualities, against JPEG
// (mozjpeg), WebP and AVIF (aom, effort 4) from sharp measured in the same run on the same images;
// BD-rates, encode/decode seconds per image and per megapixel with the backend named, and an RD plot.
// Results go between the bench-codec markers of docs/benchmarks.md and into docs/codec-rd.svg.
//
//   node dist/scripts/bench-codec.js [--model codec|PATH] [--data DIR] [--limit N] [--qualities 1,2,3]
//        [--backend wasm] [--speed-engines ort,wasm] [--speed-images 8] [--out docs/benchmarks.md]
//        [--svg docs/codec-rd.svg] [--no-write]
// The RD curves use the default engine (or --backend); the speed table times encode and decode on each of
// --speed-engines in the same run (one process, all cores for onnxruntime, one for tfjs-wasm).
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { loadCodecModel } from '../electron/engine/codec/codec-registry.js';
import { decodeImageAez, encodeImageAez } from '../electron/engine/codec/image-codec.js';
import { parseAez } from '../electron/engine/codec/format/aez-file.js';
import { archCountParams } from '../electron/engine/models/arch.js';
import { readImage, toRgb, type RasterImage } from '../electron/engine/image/io.js';
import { createCodecTransforms } from '../electron/engine/codec/transform-engines.js';
import { listImages } from '../electron/engine/train/image-store.js';
import { bdRate, sharedPsnrRange, type RdPoint } from './lib/bd-rate.js';
import { writeDocSection } from './lib/doc-section.js';
import { rdPlotSvg } from './lib/rd-plot.js';
import { repoRoot } from './lib/repo-root.js';

const REPO = repoRoot(fileURLToPath(import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const SHARP_CODECS = {
  jpeg: { label: 'JPEG (mozjpeg)', qualities: [5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 95], encode: (s: Sharp, q: number) => s.jpeg({ quality: q, mozjpeg: true }) },
  webp: { label: 'WebP', qualities: [5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95], encode: (s: Sharp, q: number) => s.webp({ quality: q }) },
  avif: { label: 'AVIF (aom, effort 4)', qualities: [10, 20, 30, 40, 50, 60, 70, 80, 90], encode: (s: Sharp, q: number) => s.avif({ quality: q, effort: 4 }) },
} as const;
type SharpCodec = keyof typeof SHARP_CODECS;

function psnrRgb8(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

function to8(data: Float32Array): Uint8Array {
  return Uint8Array.from(data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

interface Curve {
  label: string;
  /** Per quality setting: per-image bpp and PSNR. */
  points: Map<number, { bpp: number[]; psnr: number[]; seconds: number[] }>;
}

function addPoint(c: Curve, q: number, bpp: number, psnr: number, seconds: number): void {
  let p = c.points.get(q);
  if (!p) c.points.set(q, (p = { bpp: [], psnr: [], seconds: [] }));
  p.bpp.push(bpp);
  p.psnr.push(psnr);
  p.seconds.push(seconds);
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

function averaged(c: Curve): (RdPoint & { q: number; seconds: number })[] {
  return [...c.points.entries()].map(([q, p]) => ({ q, bpp: mean(p.bpp), psnr: mean(p.psnr), seconds: mean(p.seconds) })).sort((a, b) => a.bpp - b.bpp);
}

async function main(): Promise<void> {
  const data = resolve(arg('data') ?? join(REPO, '../shared/data/photos/val'));
  const files = (await listImages(data)).slice(0, arg('limit') ? Number(arg('limit')) : Infinity);
  const qualities = (arg('qualities') ?? '1,1.5,2,2.5,3,3.5,4,4.5,5,5.5,6').split(',').map(Number);
  const transforms = await createCodecTransforms(arg('backend'));
  const backend = { chosen: transforms.name };
  const modelName = arg('model') ?? 'codec';
  const model = await loadCodecModel(modelName);
  const L = model.cfg.lambdas.length;
  const qs = qualities.filter((q) => q >= 1 && q <= L);
  const ours: Curve = { label: `AEZ codec \`${model.id}\``, points: new Map() };
  const anchors: Record<SharpCodec, Curve> = {
    jpeg: { label: SHARP_CODECS.jpeg.label, points: new Map() },
    webp: { label: SHARP_CODECS.webp.label, points: new Map() },
    avif: { label: SHARP_CODECS.avif.label, points: new Map() },
  };
  const speed = { encode: [] as number[], decode: [] as number[], mp: [] as number[] };
  let pixels = 0;

  for (const [i, f] of files.entries()) {
    const img: RasterImage = toRgb(await readImage(f));
    const n = img.width * img.height;
    pixels += n;
    const orig = to8(img.data);
    process.stderr.write(`[${i + 1}/${files.length}] ${basename(f)} ${img.width}×${img.height}\n`);
    for (const q of qs) {
      const t0 = performance.now();
      const r = await encodeImageAez(model, img, { rate: { quality: q }, reconstruct: true, transforms });
      addPoint(ours, q, (8 * r.bytes.length) / n, psnrRgb8(orig, to8(r.reconstruction!.data)), (performance.now() - t0) / 1000);
    }
    // Timing at the default quality: encode alone, then decode alone from the file bytes.
    const te = performance.now();
    const file = (await encodeImageAez(model, img, { rate: { quality: Math.min(4, L) }, transforms })).bytes;
    speed.encode.push((performance.now() - te) / 1000);
    const td = performance.now();
    await decodeImageAez(model, parseAez(file), { transforms });
    speed.decode.push((performance.now() - td) / 1000);
    speed.mp.push(n / 1e6);

    const raw = sharp(Buffer.from(orig), { raw: { width: img.width, height: img.height, channels: 3 } });
    for (const key of Object.keys(SHARP_CODECS) as SharpCodec[]) {
      const codec = SHARP_CODECS[key];
      for (const q of codec.qualities) {
        const t0 = performance.now();
        const buf = await codec.encode(raw.clone(), q).toBuffer();
        const seconds = (performance.now() - t0) / 1000;
        const dec = await sharp(buf).removeAlpha().toColourspace('srgb').raw().toBuffer();
        addPoint(anchors[key], q, (8 * buf.length) / n, psnrRgb8(orig, new Uint8Array(dec.buffer, dec.byteOffset, dec.length)), seconds);
      }
    }
  }

  // Speed per engine, same images, same quality, measured one engine after the other.
  const speedRows: string[] = [];
  const speedImages = files.slice(0, Number(arg('speed-images') ?? 8));
  for (const engine of (arg('speed-engines') ?? 'ort,wasm').split(',').filter(Boolean)) {
    let rt;
    try {
      rt = await createCodecTransforms(engine);
    } catch (e) {
      speedRows.push(`| ${engine} | not available here: ${(e as Error).message.split('\n')[0]} | | | |`);
      continue;
    }
    const enc: number[] = [];
    const dec: number[] = [];
    for (const f of speedImages) {
      const img = toRgb(await readImage(f));
      const mp = (img.width * img.height) / 1e6;
      await encodeImageAez(model, img, { rate: { quality: Math.min(4, L) }, transforms: rt }); // warm-up: sessions, kernels
      const t0 = performance.now();
      const bytes = (await encodeImageAez(model, img, { rate: { quality: Math.min(4, L) }, transforms: rt })).bytes;
      enc.push((performance.now() - t0) / 1000 / mp);
      const t1 = performance.now();
      await decodeImageAez(model, parseAez(bytes), { transforms: rt });
      dec.push((performance.now() - t1) / 1000 / mp);
    }
    speedRows.push(`| \`${rt.name}\` | ${mean(enc).toFixed(2)} | ${mean(dec).toFixed(2)} | ${(mean(enc) * 0.393).toFixed(2)} | ${(mean(dec) * 0.393).toFixed(2)} |`);
  }

  const oursPts = averaged(ours);
  const anchorPts = Object.fromEntries((Object.keys(anchors) as SharpCodec[]).map((k) => [k, averaged(anchors[k])])) as Record<SharpCodec, ReturnType<typeof averaged>>;
  const bd = (anchor: RdPoint[], test: RdPoint[]) => {
    const v = bdRate(anchor, test);
    const [lo, hi] = sharedPsnrRange(anchor, test);
    return v === undefined ? 'n/a (no shared PSNR range)' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} % (over ${lo.toFixed(1)}–${hi.toFixed(1)} dB)`;
  };
  const totalMp = pixels / 1e6;
  const encPerMp = mean(speed.encode.map((s, i) => s / speed.mp[i]));
  const decPerMp = mean(speed.decode.map((s, i) => s / speed.mp[i]));
  const date = new Date().toISOString().slice(0, 10);
  const fmt = (p: RdPoint & { q: number; seconds: number }) => `| ${p.q} | ${p.bpp.toFixed(3)} | ${p.psnr.toFixed(2)} | ${p.seconds.toFixed(2)} |`;

  const lines = [
    `### Codec rate–distortion (\`node dist/scripts/bench-codec.js\`, ${date})`,
    '',
    `${files.length} images of \`${basename(data)}\` (${totalMp.toFixed(1)} MP in all), PSNR on 8-bit RGB averaged over images at each setting,`,
    `bpp of the whole file (AEZ: the .aez container with its CRCs, no metadata chunk; others: sharp's output).`,
    `Model \`${model.id}\`: mean-scale hyperprior, N=${model.cfg.n}, M=${model.cfg.m}, ${L} trained levels, ${archCountParams(model.cfg).toLocaleString('en')} parameters.`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; engine \`${backend.chosen}\`. Plot: [codec-rd.svg](codec-rd.svg).`,
    '',
    '**BD-rate of the AEZ codec** (negative = fewer bits for the same PSNR):',
    '',
    `| anchor | BD-rate |`,
    `|---|---|`,
    `| ${SHARP_CODECS.avif.label} | ${bd(anchorPts.avif, oursPts)} |`,
    `| ${SHARP_CODECS.webp.label} | ${bd(anchorPts.webp, oursPts)} |`,
    `| ${SHARP_CODECS.jpeg.label} | ${bd(anchorPts.jpeg, oursPts)} |`,
    '',
    `For scale, in the same run: WebP vs AVIF ${bd(anchorPts.avif, anchorPts.webp)}; JPEG vs AVIF ${bd(anchorPts.avif, anchorPts.jpeg)}.`,
    '',
    `**Speed** (AEZ, quality ${Math.min(4, L)}, one process, backend \`${backend.chosen}\`): encode ${mean(speed.encode).toFixed(2)} s per image (${encPerMp.toFixed(2)} s/MP),`,
    `decode ${mean(speed.decode).toFixed(2)} s per image (${decPerMp.toFixed(2)} s/MP); for 768×512 (0.39 MP) that is about ${(encPerMp * 0.393).toFixed(2)} s to encode and ${(decPerMp * 0.393).toFixed(2)} s to decode.`,
    '',
    `Speed by engine (quality ${Math.min(4, L)}, mean over the first ${speedImages.length} images, after one warm-up encode per image):`,
    '',
    '| engine | encode s/MP | decode s/MP | 768×512 encode s | 768×512 decode s |',
    '|---|---|---|---|---|',
    ...speedRows,
    '',
    `Encode seconds per image of the others at their middle setting: JPEG ${anchorPts.jpeg[Math.floor(anchorPts.jpeg.length / 2)].seconds.toFixed(3)}, WebP ${anchorPts.webp[Math.floor(anchorPts.webp.length / 2)].seconds.toFixed(3)}, AVIF ${anchorPts.avif[Math.floor(anchorPts.avif.length / 2)].seconds.toFixed(3)}.`,
    '',
    `<details><summary>Curves (quality setting, mean bpp, mean PSNR dB, mean encode s per image)</summary>`,
    '',
    `AEZ (quality; the encode time includes reconstructing the image for PSNR):`,
    '',
    '| quality | bpp | PSNR | s |',
    '|---|---|---|---|',
    ...oursPts.map(fmt),
    '',
    ...(Object.keys(anchorPts) as SharpCodec[]).flatMap((k) => [`${SHARP_CODECS[k].label}:`, '', '| quality | bpp | PSNR | s |', '|---|---|---|---|', ...anchorPts[k].map(fmt), '']),
    '</details>',
  ];
  const section = lines.join('\n');
  process.stdout.write(section + '\n');
  if (!flag('no-write')) {
    const out = resolve(arg('out') ?? join(REPO, 'docs/benchmarks.md'));
    await writeDocSection(out, 'bench-codec', section);
    const svgPath = resolve(arg('svg') ?? join(REPO, 'docs/codec-rd.svg'));
    const svg = rdPlotSvg(
      [
        { name: `AEZ (${model.id})`, color: '#d62728', points: oursPts },
        { name: 'AVIF (aom e4)', color: '#1f77b4', points: anchorPts.avif },
        { name: 'WebP', color: '#2ca02c', points: anchorPts.webp },
        { name: 'JPEG (mozjpeg)', color: '#7f7f7f', points: anchorPts.jpeg },
      ],
      `${basename(data)}: ${files.length} images, PSNR-RGB vs bpp (${date})`,
    );
    await writeFile(svgPath, svg);
    process.stderr.write(`wrote ${out} and ${svgPath}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench-codec: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
