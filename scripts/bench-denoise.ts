// Denoising benchmark: the shipped models against classic baselines, with the protocols of
// ../shared/data/README.md, written as the "## Denoising" section of docs/benchmarks.md.
//
//   node dist/scripts/bench-denoise.js [--models-dir DIR] [--data DIR] [--limit N] [--threads N]
//        [--out docs/benchmarks.md] [--big]
//
// 1. Photo denoising: PSNR (8-bit) at σ 15/25/50 on photos/val (McMaster18 and the Wikipedia photos,
//    apart) and grey/val (Set12), for the noisy input, non-local means (scripts/lib/nlm.ts, given the
//    true σ) and the photo model both blind (σ estimated) and given the true σ.
// 2. Scan cleaning: RMSE on the validation split of docs/pairs (the split the trainer holds out) for the
//    noisy page, median-background division (two variants) and the scan model.
// 3. Speed: seconds per megapixel on a fixed synthetic image, with the worker pool and single-threaded in
//    process, each in its own child process so that its peak RSS is its own.
// 4. --big: a 40-megapixel noisy PNG through the real CLI (`aez denoise`), peak RSS and wall time.
//
// --limit N takes the first N images of each set (smoke tests; the section then says so). Everything is
// seeded: the noise of an image depends only on its file name and σ. Hidden options for tests:
// --big-size WxH (size of the --big image), --speed-size WxH (size of the speed image).
import type { UNetConfig } from '../electron/engine/nn/unet.js';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { denoiseImage } from '../electron/engine/denoise/denoise.js';
import type { TileExecutor } from '../electron/engine/inference/tile-executor.js';
import { loadDocPairs, splitDocPairs, type DocPair } from '../electron/engine/data/doc-pairs.js';
import { isInputImagePath, readImage, type RasterImage } from '../electron/engine/image/io.js';
import { TfjsEngine } from '../electron/engine/inference/tfjs-engine.js';
import { InProcessExecutor } from '../electron/engine/jobs/in-process-executor.js';
import { WorkerPool } from '../electron/engine/jobs/worker-pool.js';
import type { LoadedModel } from '../electron/engine/models/model-file.js';
import { loadModel, modelsRoot } from '../electron/engine/models/registry.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { psnr8, rmse } from '../electron/engine/train/validate.js';
import { AezError } from '../electron/engine/util/errors.js';
import { Rng } from '../electron/engine/util/rng.js';
import { nlmDefaults, nlmDenoise } from './lib/nlm.js';
import { fnv1a as hash } from '../electron/engine/util/hash.js';
import { repoRoot } from './lib/repo-root.js';

// ---------------------------------------------------------------------------------------------------
// Options

const SCRIPT = fileURLToPath(import.meta.url);
const REPO = repoRoot(SCRIPT);

const SIGMAS = [15, 25, 50] as const;
const MARK_START = '<!-- bench-denoise:start -->';
const MARK_END = '<!-- bench-denoise:end -->';

/** Targets from the issue. */
const TARGET = {
  photoMcMaster25: 31.7, // dB, photo model, σ = 25, McMaster18
  scanRmse: 0.02,
  photoSecPerMp: 2,
  scanSecPerMp: 1,
  bigRssBytes: 1.5e9,
};

interface Opts {
  modelsDir?: string;
  data: string;
  limit?: number;
  threads: number;
  out: string;
  big: boolean;
  bigSize: [number, number];
  speedSize: [number, number];
  child?: { model: string; executor: 'pool' | 'inproc' };
}

function usage(msg?: string): never {
  process.stderr.write(
    (msg ? `bench-denoise: ${msg}\n` : '') +
      'usage: node dist/scripts/bench-denoise.js [--models-dir DIR] [--data DIR] [--limit N] [--threads N] [--out FILE] [--big]\n',
  );
  process.exit(msg ? 2 : 0);
}

function parseSize(v: string, what: string): [number, number] {
  const m = /^(\d+)x(\d+)$/i.exec(v);
  if (!m) usage(`${what} wants WIDTHxHEIGHT, got "${v}"`);
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (!(w >= 16 && h >= 16)) usage(`${what}: ${v} is too small`);
  return [w, h];
}

function parseIntArg(v: string, what: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) usage(`${what} wants a whole number ≥ ${min}, got "${v}"`);
  return n;
}

function parseArgs(argv: string[]): Opts {
  const o: Opts = {
    data: resolve(REPO, '../shared/data'),
    threads: availableParallelism(),
    out: resolve(REPO, 'docs/benchmarks.md'),
    big: false,
    bigSize: [7744, 5164],
    speedSize: [2048, 1536],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--models-dir') o.modelsDir = resolve(next());
    else if (a === '--data') o.data = resolve(next());
    else if (a === '--limit') o.limit = parseIntArg(next(), a, 1);
    else if (a === '--threads') o.threads = parseIntArg(next(), a, 1);
    else if (a === '--out') o.out = resolve(next());
    else if (a === '--big') o.big = true;
    else if (a === '--big-size') o.bigSize = parseSize(next(), a);
    else if (a === '--speed-size') o.speedSize = parseSize(next(), a);
    else if (a === '--child-speed') {
      const model = next();
      o.child = { model, executor: 'pool' };
    } else if (a === '--executor') {
      const e = next();
      if (e !== 'pool' && e !== 'inproc') usage(`--executor is pool or inproc, got "${e}"`);
      if (!o.child) usage('--executor goes with --child-speed');
      o.child.executor = e;
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

const log = (msg: string) => process.stderr.write(msg + '\n');

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}


/** The protocol's noisy image: round(clip(clean·255 + σ·N(0,1))) / 255, one normal per sample in HWC order. */
function addNoise(clean: Float32Array, sigma: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    const v = Math.round(clean[i] * 255 + sigma * rng.normal());
    out[i] = (v < 0 ? 0 : v > 255 ? 255 : v) / 255;
  }
  return out;
}

function noiseSeed(name: string, sigma: number): number {
  return (hash(name) ^ Math.imul(sigma, 0x9e3779b1)) >>> 0;
}

const f2 = (v: number) => v.toFixed(2);
const f3 = (v: number) => v.toFixed(3);
const signed = (v: number, digits: number) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(digits);
const mib = (kb: number) => `${Math.round(kb / 1024)} MiB`;

async function listImages(dir: string, prefix?: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => isInputImagePath(n) && (!prefix || n.startsWith(prefix)));
  return names.sort(naturalCompare).map((n) => join(dir, n));
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface ModelSlot {
  name: 'photo' | 'scan';
  model?: LoadedModel;
  /** Why there is no model ("model not installed", or a load error). */
  missing?: string;
}

async function tryLoad(name: 'photo' | 'scan'): Promise<ModelSlot> {
  try {
    return { name, model: await loadModel(name) };
  } catch (e) {
    if (e instanceof AezError && e.code === 'MODEL_NOT_FOUND') return { name, missing: 'model not installed' };
    return { name, missing: `model failed to load: ${errText(e)}` };
  }
}

function describeModel(s: ModelSlot): string {
  if (!s.model) return `${s.name}: ${s.missing}`;
  const m = s.model.manifest;
  const params = m.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const arch = m.arch as UNetConfig;
  return `${s.name}: \`${m.id}\` (U-Net ${arch.widths.join('/')}, ${arch.channels} ch${arch.noiseMap ? ' + noise map' : ''}, ${(params / 1000).toFixed(0)}k parameters, ${m.dtype})`;
}

// ---------------------------------------------------------------------------------------------------
// 1. Photo denoising

interface PhotoSet {
  title: string;
  dir: string;
  prefix?: string;
  /** Targets for the photo model at given σ (dB). */
  targets?: Partial<Record<number, number>>;
}

interface PhotoRow {
  sigma: number;
  n: number;
  noisy: number;
  nlm: number;
  blind?: number;
  given?: number;
  sigmaHat?: number;
}

interface PhotoResult {
  set: PhotoSet;
  skipped?: string;
  images: number;
  megapixels: number;
  rows: PhotoRow[];
}

interface NlmTiming {
  seconds: number;
  megapixels: number;
}

async function benchPhotoSet(set: PhotoSet, photo: ModelSlot, exec: TileExecutor, opts: Opts, nlmTime: NlmTiming): Promise<PhotoResult> {
  if (!(await isDir(set.dir))) return { set, skipped: `dataset folder ${set.dir} not found`, images: 0, megapixels: 0, rows: [] };
  let files = await listImages(set.dir, set.prefix);
  if (opts.limit) files = files.slice(0, opts.limit);
  if (files.length === 0) return { set, skipped: `no images${set.prefix ? ` named ${set.prefix}*` : ''} in ${set.dir}`, images: 0, megapixels: 0, rows: [] };
  const sums = SIGMAS.map((sigma) => ({ sigma, n: 0, noisy: 0, nlm: 0, blind: 0, given: 0, sigmaHat: 0 }));
  let megapixels = 0;
  for (const file of files) {
    const img = await readImage(file);
    const clean = img.data;
    const name = basename(file);
    megapixels += (img.width * img.height) / 1e6;
    for (const s of sums) {
      const noisyData = addNoise(clean, s.sigma, noiseSeed(name, s.sigma));
      const noisy: RasterImage = { width: img.width, height: img.height, channels: img.channels, data: noisyData, bitDepth: 8, format: img.format };
      const t0 = performance.now();
      const nlm = nlmDenoise(noisyData, img.width, img.height, img.channels, { sigma: s.sigma });
      if (s.sigma === 25 && img.channels === 3) {
        nlmTime.seconds += (performance.now() - t0) / 1000;
        nlmTime.megapixels += (img.width * img.height) / 1e6;
      }
      const pNoisy = psnr8(noisyData, clean);
      const pNlm = psnr8(nlm, clean);
      s.n++;
      s.noisy += pNoisy;
      s.nlm += pNlm;
      let line = `  ${name} σ=${s.sigma}: noisy ${f2(pNoisy)}  NLM ${f2(pNlm)}`;
      if (photo.model) {
        const blind = await denoiseImage(noisy, photo.model, exec);
        const given = await denoiseImage(noisy, photo.model, exec, { sigma: s.sigma });
        const pBlind = psnr8(blind.image.data, clean);
        const pGiven = psnr8(given.image.data, clean);
        s.blind += pBlind;
        s.given += pGiven;
        s.sigmaHat += blind.sigma ?? NaN;
        line += `  photo blind ${f2(pBlind)} (σ̂ ${(blind.sigma ?? NaN).toFixed(1)})  σ given ${f2(pGiven)}`;
      }
      log(line);
    }
  }
  const rows: PhotoRow[] = sums.map((s) => ({
    sigma: s.sigma,
    n: s.n,
    noisy: s.noisy / s.n,
    nlm: s.nlm / s.n,
    ...(photo.model ? { blind: s.blind / s.n, given: s.given / s.n, sigmaHat: s.sigmaHat / s.n } : {}),
  }));
  return { set, images: files.length, megapixels, rows };
}

function photoTable(r: PhotoResult, photo: ModelSlot): string {
  const lines: string[] = [];
  const first = r.rows.length ? r.rows[0] : undefined;
  lines.push(`### ${r.set.title}`);
  lines.push('');
  if (r.skipped || !first) {
    lines.push(`Skipped: ${r.skipped ?? 'no results'}.`);
    return lines.join('\n');
  }
  lines.push(`${r.images} image${r.images === 1 ? '' : 's'} (${f2(r.megapixels)} MP in all). PSNR in dB, mean over images; in brackets the difference from NLM.`);
  lines.push('');
  lines.push('| σ | noisy input | NLM (baseline) | photo model, blind | σ̂ (blind estimate) | photo model, σ given | target |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const row of r.rows) {
    const target = r.set.targets?.[row.sigma];
    const cell = (v: number | undefined) => (v === undefined ? photo.missing ?? '—' : `${f2(v)} (${signed(v - row.nlm, 2)})`);
    let t = '—';
    if (target !== undefined) {
      t = `≥ ${target}`;
      if (row.blind !== undefined && row.given !== undefined) {
        t += `: blind ${row.blind >= target ? 'met' : 'not met'}, σ given ${row.given >= target ? 'met' : 'not met'}`;
      }
    }
    lines.push(
      `| ${row.sigma} | ${f2(row.noisy)} | ${f2(row.nlm)} | ${cell(row.blind)} | ${row.sigmaHat === undefined ? '—' : row.sigmaHat.toFixed(1)} | ${cell(row.given)} | ${t} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// 2. Scan cleaning

/** Median-background division. Parameters chosen on the *training* split of docs/pairs (RMSE flat
 *  for medians of 31–61 px at half scale; the white point 0.93–0.95 helps by ~0.01). */
const MEDIAN_BG = { scale: 0.5, size: 41, white: 0.95 };

/**
 * Classic scan cleaning: estimate the paper with a large median filter on a half-size page (text strokes
 * are thin, so the median sees paper), scale back up, divide the page by it, and optionally map the
 * `white` fraction of the background to pure white.
 */
async function medianBackgroundClean(noisy: Float32Array, width: number, height: number, white: number): Promise<Float32Array> {
  const u8 = Buffer.alloc(width * height);
  for (let i = 0; i < u8.length; i++) u8[i] = Math.round(Math.min(1, Math.max(0, noisy[i])) * 255);
  const sw = Math.max(1, Math.round(width * MEDIAN_BG.scale));
  const sh = Math.max(1, Math.round(height * MEDIAN_BG.scale));
  const size = Math.min(MEDIAN_BG.size, Math.max(1, (Math.min(sw, sh) - 1) | 1));
  const small = await sharp(u8, { raw: { width, height, channels: 1 } }).resize(sw, sh, { fit: 'fill' }).median(size).raw().toBuffer();
  const bg = await sharp(small, { raw: { width: sw, height: sh, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const r = noisy[i] / (Math.max(bg[i], 1) / 255) / white;
    out[i] = r > 1 ? 1 : r < 0 ? 0 : r;
  }
  return out;
}

interface ScanResult {
  skipped?: string;
  pages: number;
  trainPages: number;
  noisy: number;
  medianPlain: number;
  medianWhite: number;
  model?: number;
}

async function benchScan(root: string, scan: ModelSlot, exec: TileExecutor, opts: Opts): Promise<ScanResult> {
  const empty = { pages: 0, trainPages: 0, noisy: NaN, medianPlain: NaN, medianWhite: NaN };
  if (!(await isDir(join(root, 'noisy'))) || !(await isDir(join(root, 'clean')))) {
    return { ...empty, skipped: `dataset folder ${root} (with noisy/ and clean/) not found` };
  }
  const all = await loadDocPairs(root);
  if (all.length === 0) return { ...empty, skipped: `no page pairs in ${root}` };
  const { train, val: valAll } = splitDocPairs(all);
  const val: DocPair[] = opts.limit ? valAll.slice(0, opts.limit) : valAll;
  const r = { pages: val.length, trainPages: train.length, noisy: 0, medianPlain: 0, medianWhite: 0, model: scan.model ? 0 : undefined };
  for (const p of val) {
    const eNoisy = rmse(p.noisy, p.clean);
    const ePlain = rmse(await medianBackgroundClean(p.noisy, p.width, p.height, 1), p.clean);
    const eWhite = rmse(await medianBackgroundClean(p.noisy, p.width, p.height, MEDIAN_BG.white), p.clean);
    r.noisy += eNoisy;
    r.medianPlain += ePlain;
    r.medianWhite += eWhite;
    let line = `  ${p.name}: noisy ${f3(eNoisy)}  median bg ${f3(ePlain)} / ${f3(eWhite)}`;
    if (scan.model) {
      const img: RasterImage = { width: p.width, height: p.height, channels: 1, data: p.noisy, bitDepth: 8, format: 'png' };
      const out = await denoiseImage(img, scan.model, exec);
      const e = rmse(out.image.data, p.clean);
      r.model! += e;
      line += `  scan model ${f3(e)}`;
    }
    log(line);
  }
  const n = val.length;
  return {
    pages: n,
    trainPages: train.length,
    noisy: r.noisy / n,
    medianPlain: r.medianPlain / n,
    medianWhite: r.medianWhite / n,
    ...(r.model !== undefined ? { model: r.model / n } : {}),
  };
}

function scanTable(r: ScanResult, scan: ModelSlot): string {
  const lines = ['### Scan cleaning: Kaggle dirty documents, validation split', ''];
  if (r.skipped) {
    lines.push(`Skipped: ${r.skipped}.`);
    return lines.join('\n');
  }
  lines.push(
    `${r.pages} validation page${r.pages === 1 ? '' : 's'} (the background-grouped split the trainer holds out; ${r.trainPages} training pages). ` +
      'RMSE on 0..1 grey, mean over pages; lower is better. In brackets the difference from the better baseline.',
  );
  lines.push('');
  const best = Math.min(r.medianPlain, r.medianWhite);
  lines.push('| method | RMSE | target |');
  lines.push('|---|---|---|');
  lines.push(`| noisy input | ${f3(r.noisy)} | |`);
  lines.push(`| median background, page ÷ background (baseline) | ${f3(r.medianPlain)} | |`);
  lines.push(`| median background + white point ${MEDIAN_BG.white} (baseline) | ${f3(r.medianWhite)} | |`);
  const t = `≤ ${TARGET.scanRmse}`;
  if (r.model !== undefined) lines.push(`| scan model | ${f3(r.model)} (${signed(r.model - best, 3)}) | ${t}: ${r.model <= TARGET.scanRmse ? 'met' : 'not met'} |`);
  else lines.push(`| scan model | ${scan.missing} | ${t} |`);
  lines.push('');
  lines.push(
    `Median background: median filter of ${MEDIAN_BG.size} px on the page at ${MEDIAN_BG.scale}× scale (≈ ${Math.round(MEDIAN_BG.size / MEDIAN_BG.scale)} px at full size), ` +
      'cubic upscaling, page divided by it, clipped to 1; parameters chosen on the training split.',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// 3. Speed, one child process per (model, executor)

interface SpeedReport {
  model: string;
  executor: 'pool' | 'inproc';
  threads: number;
  width: number;
  height: number;
  seconds: number;
  secPerMp: number;
  maxRssKb: number;
  /** The inference engine that ran the networks: the pool's workers pick theirs as the app does (inference/select.ts). */
  engine: string;
}

/** A fixed test image: smooth shading, edges and fine texture, plus σ=25 noise (seeded). */
function speedImage(width: number, height: number, channels: 1 | 3): RasterImage {
  const data = new Float32Array(width * height * channels);
  const rng = new Rng(20261121);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const edge = ((x >> 7) + (y >> 7)) % 2 === 0 ? 0.15 : 0;
      const tex = 0.08 * Math.sin(x * 0.21) * Math.cos(y * 0.17);
      for (let c = 0; c < channels; c++) {
        const v = 0.25 + (0.4 * x) / width + (0.2 * y) / height + 0.05 * c + edge + tex;
        const n = Math.round(v * 255 + 25 * rng.normal());
        data[(y * width + x) * channels + c] = (n < 0 ? 0 : n > 255 ? 255 : n) / 255;
      }
    }
  }
  return { width, height, channels, data, bitDepth: 8, format: 'png' };
}

/** Child side: time one denoise of the speed image and print a JSON line. */
async function childSpeed(opts: Opts): Promise<void> {
  const { model: name, executor } = opts.child!;
  await initBackend();
  const model = await loadModel(name);
  const ch = model.manifest.arch.channels;
  let exec: TileExecutor & { close?: () => Promise<void> };
  let engineName: () => string | undefined;
  if (executor === 'pool') {
    const pool = new WorkerPool({ threads: opts.threads });
    engineName = () => pool.engineName;
    exec = pool;
  } else {
    const engine = await TfjsEngine.create();
    engineName = () => engine.name;
    exec = new InProcessExecutor(engine);
  }
  try {
    // Warm-up: start every worker and load the model in each (one tile per thread).
    await denoiseImage(speedImage(256 * exec.concurrency, 256, ch), model, exec);
    const [w, h] = opts.speedSize;
    const img = speedImage(w, h, ch);
    const t0 = performance.now();
    await denoiseImage(img, model, exec);
    const seconds = (performance.now() - t0) / 1000;
    const report: SpeedReport = {
      model: name,
      executor,
      threads: exec.concurrency,
      width: w,
      height: h,
      seconds,
      secPerMp: seconds / ((w * h) / 1e6),
      maxRssKb: process.resourceUsage().maxRSS,
      engine: engineName() ?? 'unknown',
    };
    process.stdout.write(JSON.stringify(report) + '\n');
  } finally {
    await exec.close?.();
  }
}

function runNode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

interface SpeedRow {
  model: 'photo' | 'scan';
  executor: 'pool' | 'inproc';
  report?: SpeedReport;
  error?: string;
}

async function benchSpeed(slots: ModelSlot[], opts: Opts): Promise<SpeedRow[]> {
  const rows: SpeedRow[] = [];
  for (const s of slots) {
    for (const executor of ['pool', 'inproc'] as const) {
      if (!s.model) {
        rows.push({ model: s.name, executor, error: s.missing });
        continue;
      }
      log(`  speed: ${s.name}, ${executor === 'pool' ? `worker pool (${opts.threads} threads)` : 'in process (1 thread)'} …`);
      const args = [SCRIPT, '--child-speed', s.name, '--executor', executor, '--threads', String(opts.threads), '--speed-size', opts.speedSize.join('x')];
      if (opts.modelsDir) args.push('--models-dir', opts.modelsDir);
      const r = await runNode(args);
      const last = r.stdout.trim().split('\n').pop() ?? '';
      try {
        if (r.code !== 0) throw new Error(`exit code ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
        const report = JSON.parse(last) as SpeedReport;
        rows.push({ model: s.name, executor, report });
        log(`    ${f2(report.secPerMp)} s/MP, peak RSS ${mib(report.maxRssKb)}`);
      } catch (e) {
        rows.push({ model: s.name, executor, error: errText(e) });
        log(`    failed: ${errText(e)}`);
      }
    }
  }
  return rows;
}

function speedTable(rows: SpeedRow[], nlm: NlmTiming, opts: Opts): string {
  const [w, h] = opts.speedSize;
  const lines = ['### Speed and memory', ''];
  lines.push(
    `One ${w}×${h} (${f2((w * h) / 1e6)} MP) synthetic noisy image (σ = 25), blind mode, default tiling, after a warm-up run; ` +
      'each row in its own process, so peak RSS (`process.resourceUsage().maxRSS`, whole process including worker threads) is that of the row alone.',
  );
  lines.push('');
  lines.push('| model | executor | s/MP | wall | peak RSS | target |');
  lines.push('|---|---|---|---|---|---|');
  for (const r of rows) {
    const engine = r.report ? ` (${r.report.engine})` : '';
    const ex = (r.executor === 'pool' ? `worker pool, ${r.report?.threads ?? opts.threads} threads` : 'in process, 1 thread') + engine;
    const target = r.model === 'photo' ? TARGET.photoSecPerMp : TARGET.scanSecPerMp;
    if (!r.report) {
      lines.push(`| ${r.model} | ${ex} | ${r.error} | | | ≤ ${target} s/MP |`);
      continue;
    }
    const met = r.report.secPerMp <= target ? 'met' : 'not met';
    lines.push(`| ${r.model} | ${ex} | ${f2(r.report.secPerMp)} | ${f2(r.report.seconds)} s | ${mib(r.report.maxRssKb)} | ≤ ${target} s/MP: ${met} |`);
  }
  if (nlm.megapixels > 0) {
    lines.push(
      `| NLM baseline (colour, σ = 25, as in the tables) | main thread, 1 thread | ${f2(nlm.seconds / nlm.megapixels)} | ${f2(nlm.seconds)} s for ${f2(nlm.megapixels)} MP | | |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// 4. --big: a 40-megapixel image through the real CLI

interface BigResult {
  width: number;
  height: number;
  fileBytes?: number;
  source?: string;
  skipped?: string;
  exitCode?: number | null;
  wallSeconds?: number;
  maxRssKb?: number;
  how?: string;
  error?: string;
}

/** Writes a W×H noisy PNG: a photo tiled (mirrored) over the canvas plus σ=25 noise, built row-band by
 *  row-band into one 8-bit buffer (3 bytes a pixel: 120 MB at 40 MP), then encoded by sharp. */
async function makeBigImage(path: string, width: number, height: number, dataRoot: string): Promise<string> {
  let src: { data: Buffer; w: number; h: number; what: string } | undefined;
  const photos = join(dataRoot, 'photos/val');
  if (await isDir(photos)) {
    const files = await listImages(photos, 'wiki-');
    if (files.length) {
      const { data, info } = await sharp(files[0]).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      src = { data, w: info.width, h: info.height, what: `${basename(files[0])} tiled (mirrored) over the canvas` };
    }
  }
  if (!src) {
    const img = speedImage(512, 512, 3);
    src = { data: Buffer.from(img.data.map((v) => Math.round(v * 255))), w: 512, h: 512, what: 'a synthetic pattern tiled over the canvas (no photo found)' };
  }
  const buf = Buffer.allocUnsafe(width * height * 3);
  const rng = new Rng(40_000_000);
  const sx = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    const k = Math.floor(x / src.w);
    const r = x % src.w;
    sx[x] = (k % 2 === 0 ? r : src.w - 1 - r) * 3; // mirrored tiles: no hard seams
  }
  for (let y = 0; y < height; y++) {
    const k = Math.floor(y / src.h);
    const r = y % src.h;
    const row = (k % 2 === 0 ? r : src.h - 1 - r) * src.w * 3;
    let o = y * width * 3;
    for (let x = 0; x < width; x++) {
      const s = row + sx[x];
      for (let c = 0; c < 3; c++) {
        const v = Math.round(src.data[s + c] + 25 * rng.normal());
        buf[o++] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  await sharp(buf, { raw: { width, height, channels: 3 }, limitInputPixels: false }).png({ compressionLevel: 1 }).toFile(path);
  return src.what;
}

function parseTimeV(stderr: string): { maxRssKb?: number; wall?: number } {
  const rss = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(stderr);
  const el = /Elapsed \(wall clock\) time[^:]*:\s*([\d:.]+)/.exec(stderr);
  let wall: number | undefined;
  if (el) wall = el[1].split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return { maxRssKb: rss ? Number(rss[1]) : undefined, wall };
}

async function readVmHWM(pid: number): Promise<number | undefined> {
  try {
    const s = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s*(\d+)\s*kB/.exec(s);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function benchBig(photo: ModelSlot, opts: Opts): Promise<BigResult> {
  const [width, height] = opts.bigSize;
  if (!photo.model) return { width, height, skipped: photo.missing };
  const dir = await mkdtemp(join(tmpdir(), 'aez-bench-big-'));
  try {
    const input = join(dir, 'big.png');
    const output = join(dir, 'out.png');
    log(`  --big: writing a ${width}×${height} noisy PNG …`);
    const source = await makeBigImage(input, width, height, opts.data);
    const fileBytes = (await stat(input)).size;
    const cli = [join(REPO, 'bin/aez.js'), '--threads', String(opts.threads), 'denoise', input, '-o', output, '--model', 'photo'];
    // AEZ_BENCH_NO_TIME=1 forces the /proc fallback (to test it where /usr/bin/time exists).
    const useTime = existsSync('/usr/bin/time') && !process.env.AEZ_BENCH_NO_TIME;
    log(`  --big: aez denoise (${useTime ? '/usr/bin/time -v' : 'polling /proc VmHWM'}) …`);
    const t0 = performance.now();
    const child = useTime
      ? spawn('/usr/bin/time', ['-v', process.execPath, ...cli], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(process.execPath, cli, { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    let polled = 0;
    const timer = useTime
      ? undefined
      : setInterval(() => {
          void readVmHWM(child.pid!).then((v) => {
            if (v !== undefined && v > polled) polled = v;
          });
        }, 200);
    const code = await new Promise<number | null>((res, rej) => {
      child.on('error', rej);
      child.on('close', (c) => res(c));
    });
    if (timer) clearInterval(timer);
    const wallParent = (performance.now() - t0) / 1000;
    const parsed = useTime ? parseTimeV(stderr) : {};
    const result: BigResult = {
      width,
      height,
      fileBytes,
      source,
      exitCode: code,
      wallSeconds: parsed.wall ?? wallParent,
      maxRssKb: useTime ? parsed.maxRssKb : polled || undefined,
      how: useTime ? '/usr/bin/time -v' : '/proc/PID/status VmHWM, polled every 200 ms',
    };
    if (code !== 0) result.error = stderr.trim().split('\n').filter((l) => !/^\s/.test(l)).slice(-3).join(' ');
    else {
      const meta = await sharp(output).metadata();
      if (meta.width !== width || meta.height !== height) result.error = `output is ${meta.width}×${meta.height}`;
    }
    log(`    exit ${code}, ${f2(result.wallSeconds ?? NaN)} s, peak RSS ${result.maxRssKb ? mib(result.maxRssKb) : '?'}`);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bigTable(r: BigResult, opts: Opts): string {
  const lines = ['### Large image through the CLI', ''];
  const mp = (r.width * r.height) / 1e6;
  const cmd = `node bin/aez.js --threads ${opts.threads} denoise big.png -o out.png --model photo`;
  if (r.skipped) {
    lines.push(`\`${cmd}\` on a ${r.width}×${r.height} image: skipped (photo ${r.skipped}).`);
    return lines.join('\n');
  }
  lines.push(
    `\`${cmd}\` on a ${r.width}×${r.height} (${f2(mp)} MP) noisy PNG (${((r.fileBytes ?? 0) / 1e6).toFixed(0)} MB; ${r.source ?? 'a photo tiled over the canvas'}, plus σ = 25 noise), blind mode. ` +
      `Peak RSS from ${r.how}.`,
  );
  lines.push('');
  lines.push('| image | exit | wall | s/MP | peak RSS | target |');
  lines.push('|---|---|---|---|---|---|');
  const rss = r.maxRssKb;
  const met = rss === undefined ? 'not measured' : rss * 1024 < TARGET.bigRssBytes ? 'met' : 'not met';
  lines.push(
    `| ${r.width}×${r.height} | ${r.exitCode}${r.error ? ` (${r.error})` : ''} | ${f2(r.wallSeconds ?? NaN)} s | ${f2((r.wallSeconds ?? NaN) / mp)} | ${rss === undefined ? '?' : `${mib(rss)} (${((rss * 1024) / 1e9).toFixed(2)} GB)`} | < 1.5 GB peak RSS: ${met} |`,
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Report

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function writeSection(path: string, section: string): Promise<void> {
  const block = `${MARK_START}\n${section.trim()}\n${MARK_END}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    text = '';
  }
  const a = text.indexOf(MARK_START);
  const b = text.indexOf(MARK_END);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + MARK_END.length);
  else if (text.trim() === '') text = `# Benchmarks\n\n${block}\n`;
  else text = text.replace(/\s*$/, '\n\n') + block + '\n';
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.modelsDir) process.env.AEZ_MODELS_DIR = opts.modelsDir;
  if (opts.child) return childSpeed(opts);

  const started = performance.now();
  const load = loadavg()[0];
  const backend = await initBackend();
  log(`bench-denoise: backend ${backend.chosen}, ${opts.threads} threads, models from ${modelsRoot()}, data from ${opts.data}`);
  const photo = await tryLoad('photo');
  const scan = await tryLoad('scan');
  log(`  ${describeModel(photo)}\n  ${describeModel(scan)}`);

  const pool = new WorkerPool({ threads: opts.threads });
  const nlmTime: NlmTiming = { seconds: 0, megapixels: 0 };
  const sets: PhotoSet[] = [
    { title: 'Photo denoising: McMaster18 (colour)', dir: join(opts.data, 'photos/val'), prefix: 'mcmaster-', targets: { 25: TARGET.photoMcMaster25 } },
    { title: 'Photo denoising: Wikipedia validation photos (colour)', dir: join(opts.data, 'photos/val'), prefix: 'wiki-' },
    { title: 'Photo denoising: Set12 (grey, photo model)', dir: join(opts.data, 'grey/val') },
  ];
  const photoResults: PhotoResult[] = [];
  let scanResult: ScanResult;
  let big: BigResult | undefined;
  try {
    for (const set of sets) {
      log(`${set.title} …`);
      const r = await benchPhotoSet(set, photo, pool, opts, nlmTime);
      if (r.skipped) log(`  skipped: ${r.skipped}`);
      photoResults.push(r);
    }
    log('Scan cleaning …');
    scanResult = await benchScan(join(opts.data, 'docs/pairs'), scan, pool, opts);
    if (scanResult.skipped) log(`  skipped: ${scanResult.skipped}`);
  } finally {
    await pool.close();
  }
  log('Speed …');
  const speed = await benchSpeed([photo, scan], opts);
  if (opts.big) {
    log('Large image …');
    try {
      big = await benchBig(photo, opts);
    } catch (e) {
      big = { width: opts.bigSize[0], height: opts.bigSize[1], error: errText(e), exitCode: null };
    }
  }

  const cpuList = cpus();
  const c25 = nlmDefaults(25, 3);
  const g25 = nlmDefaults(25, 1);
  const out: string[] = [];
  out.push('## Denoising');
  out.push('');
  if (opts.limit) out.push(`> **Smoke run** (\`--limit ${opts.limit}\`): only the first ${opts.limit} images of each set; not the full protocol.\n`);
  out.push(`- Date: ${new Date().toISOString().slice(0, 10)}; commit ${gitCommit()}; \`node dist/scripts/bench-denoise.js${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\``);
  out.push(
    `- Machine: ${cpuList.length} cores, ${cpuList[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; load average ${load.toFixed(2)} at the start (other jobs share the cores: timings are upper bounds).`,
  );
  out.push(
    `- Engines: the worker pool (${opts.threads} threads, the quality runs and the pool speed rows) runs the networks on ${pool.engineName ?? 'no engine (no model ran)'}, as the app does; TensorFlow.js ${backend.tfjsVersion} on ${backend.chosen} for the in-process rows.`,
  );
  out.push(`- Models: ${describeModel(photo)}; ${describeModel(scan)}.`);
  out.push(
    `- Protocol (../shared/data/README.md): noisy = round(clip(clean·255 + σ·N(0,1))) as 8-bit, seed from the file name and σ; PSNR on 8-bit values against the clean image, mean over images. ` +
      `NLM (scripts/lib/nlm.ts, pixelwise, given the true σ): search 21×21, colour patches ${2 * c25.patchRadius + 1}×${2 * c25.patchRadius + 1} with one weight over RGB, ` +
      `grey patches 3×3 (σ ≤ 20) or 5×5, h = ${(c25.h / 25).toFixed(2)}σ at σ = 25 (colour; grey ${(g25.h / 25).toFixed(2)}σ); parameters tuned on training images. ` +
      'For reference, OpenCV 4.6 NLM measured here gave about 26 dB at σ = 25 on held-out photos (shared/NOTES.md).',
  );
  out.push('');
  for (const r of photoResults) {
    out.push(photoTable(r, photo));
    out.push('');
  }
  out.push(scanTable(scanResult, scan));
  out.push('');
  out.push(speedTable(speed, nlmTime, opts));
  out.push('');
  if (big) {
    out.push(bigTable(big, opts));
    out.push('');
  } else {
    out.push('### Large image through the CLI\n\nNot run (pass `--big`).\n');
  }
  out.push(`_Benchmark wall time ${((performance.now() - started) / 60000).toFixed(1)} min._`);
  const section = out.join('\n');
  process.stdout.write(section + '\n');
  await writeSection(opts.out, section);
  log(`wrote ${opts.out}`);
}

main().catch((e) => {
  process.stderr.write(`bench-denoise: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
