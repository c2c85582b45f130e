// Engine benchmark: seconds per megapixel of every model in models/ through onnxruntime and through
// TensorFlow.js (wasm unless told otherwise), measured in the same run, with the speed-up; written into
// docs/benchmarks.md between <!-- bench-engines:start --> and <!-- bench-engines:end --> (other sections of
// the file are left as they are).
//
//   node dist/scripts/bench-engines.js [--models-dir DIR] [--model DIR]... [--presets] [--size WxH]
//        [--threads N] [--repeat N] [--tfjs wasm|tfjs-node|...] [--out FILE] [--no-write]
//
// For each model and engine, an image of --size (default 2048×1536) cut into the app's tiles (256 + 32 margin):
//   pool        the real path: the worker pool with --threads workers (default: all cores), each onnxruntime
//               worker with one intra-op thread
//   1 thread    in this process, one thread (tfjs-wasm is single-threaded anyway; ORT with 1 intra-op thread)
//   ORT, all cores in-process (onnxruntime only): one session with every core, no workers — the alternative
//               to the pool, measured so the choice stays justified
// --presets adds the shipped architectures (train/presets.ts) with random weights, for when models/ is empty
// (speed does not depend on the weights' values). A --size under one megapixel marks the section a smoke run.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TileExecutor } from '../electron/engine/inference/tile-executor.js';
import { DEFAULT_TILE, planTiles, type Tile } from '../electron/engine/image/tiling.js';
import type { InferenceEngine } from '../electron/engine/inference/engine.js';
import { loadOrt, OrtEngine, ortVersion } from '../electron/engine/inference/ort-engine.js';
import { TfjsEngine } from '../electron/engine/inference/tfjs-engine.js';
import { InProcessExecutor } from '../electron/engine/jobs/in-process-executor.js';
import { WorkerPool } from '../electron/engine/jobs/worker-pool.js';
import { loadModelDir, saveModelDir, type LoadedModel } from '../electron/engine/models/model-file.js';
import { codecModelFrom } from '../electron/engine/codec/codec-model.js';
import type { HyperpriorConfig } from '../electron/engine/codec/model/config.js';
import { hyperpriorParamSpecs } from '../electron/engine/codec/model/hyperprior.js';
import { quantiseLatent } from '../electron/engine/codec/model/exact-synthesis.js';
import { createCodecTransforms, TfjsCodecTransforms, type CodecTransforms } from '../electron/engine/codec/transform-engines.js';
import { archCountParams } from '../electron/engine/models/arch.js';
import { listInstalledModels } from '../electron/engine/models/registry.js';
import { countParams, flopsPerPixel, initParams, sizeMultiple, type UNetConfig } from '../electron/engine/nn/unet.js';
import { onnxInputPlanes } from '../electron/engine/nn/unet-onnx.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { PRESETS } from '../electron/engine/train/presets.js';
import { Rng } from '../electron/engine/util/rng.js';
import { repoRoot } from './lib/repo-root.js';

const SCRIPT = fileURLToPath(import.meta.url);
const REPO = repoRoot(SCRIPT);

export const MARK_START = '<!-- bench-engines:start -->';
export const MARK_END = '<!-- bench-engines:end -->';
/** The target: every shipped model at least this much faster through onnxruntime than tfjs-wasm. */
const TARGET_SPEEDUP = 3;

interface Opts {
  modelsDir?: string;
  models: string[];
  presets: boolean;
  size: [number, number];
  threads: number;
  repeat: number;
  tfjs: string;
  out: string;
  write: boolean;
}

function usage(msg: string): never {
  process.stderr.write(`bench-engines: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Opts {
  const o: Opts = {
    models: [],
    presets: false,
    size: [2048, 1536],
    threads: availableParallelism(),
    repeat: 2,
    tfjs: 'wasm',
    out: join(REPO, 'docs', 'benchmarks.md'),
    write: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    const int = (v: string, min: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) usage(`${a} must be a whole number ≥ ${min}`);
      return n;
    };
    if (a === '--models-dir') o.modelsDir = resolve(next());
    else if (a === '--model') o.models.push(resolve(next()));
    else if (a === '--presets') o.presets = true;
    else if (a === '--size') {
      const m = /^(\d+)x(\d+)$/.exec(next());
      if (!m) usage('--size takes WxH, e.g. 256x192');
      o.size = [Number(m[1]), Number(m[2])];
    } else if (a === '--threads') o.threads = int(next(), 1);
    else if (a === '--repeat') o.repeat = int(next(), 1);
    else if (a === '--tfjs') o.tfjs = next();
    else if (a === '--out') o.out = resolve(next());
    else if (a === '--no-write') o.write = false;
    else usage(`unknown option ${a}`);
  }
  return o;
}

/** A fixed pseudo-random tile of `planes` planes (speed does not depend on the content). */
function tileData(w: number, h: number, planes: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(w * h * planes);
  for (let i = 0; i < out.length; i++) out[i] = rng.next();
  return out;
}

/**
 * Runs an image of o.size through the model the way the app does — tiles of DEFAULT_TILE with their margins,
 * exec.concurrency tiles in flight — and returns the best of `repeat` runs (after a warm-up tile) in seconds
 * per megapixel. Tiles go straight to the executor, so every model kind (denoisers, the inpainter) is timed alike.
 */
async function secondsPerMp(model: LoadedModel, exec: TileExecutor, o: Opts): Promise<number> {
  const cfg = model.manifest.arch as UNetConfig;
  const planes = onnxInputPlanes(cfg);
  const [w, h] = o.size;
  const tiles = planTiles(w, h, { ...DEFAULT_TILE, multiple: sizeMultiple(cfg) });
  const sigma = cfg.noiseMap ? 25 / 255 : undefined;
  const inputs = new Map<string, Float32Array>();
  for (const t of tiles) if (!inputs.has(`${t.cw}x${t.ch}`)) inputs.set(`${t.cw}x${t.ch}`, tileData(t.cw, t.ch, planes, t.cw * 7919 + t.ch));
  const runOne = (t: Tile) => exec.runTile(model, inputs.get(`${t.cw}x${t.ch}`)!.slice(), t.cw, t.ch, planes, sigma);
  // Warm-up: one tile per executor lane (sessions are created, kernels chosen).
  await Promise.all(Array.from({ length: exec.concurrency }, () => runOne(tiles[0])));
  let best = Infinity;
  for (let r = 0; r < o.repeat; r++) {
    const t0 = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < tiles.length) await runOne(tiles[next++]);
    };
    await Promise.all(Array.from({ length: exec.concurrency }, lane));
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best / ((w * h) / 1e6);
}

interface Row {
  id: string;
  params: number;
  gflopPerMp: number;
  tfjsPool: number;
  ortPool: number;
  tfjs1: number;
  ort1: number;
  ortMain: number;
  ortName: string;
  /** A codec row: no worker pool; its pool columns repeat the in-process figures. */
  codec?: boolean;
}

const PRESET_ROOT = join(tmpdir(), `aez-bench-engines-${process.pid}`);

async function presetModels(): Promise<string[]> {
  const root = PRESET_ROOT;
  const dirs: string[] = [];
  for (const [name, p] of Object.entries(PRESETS)) {
    if (p.arch.kind !== 'unet') continue; // the codec's transforms are benchmarked by bench-codec
    const dir = join(root, `preset-${name}`);
    const params = initParams(p.arch, 1);
    const weights = new Map<string, Float32Array>();
    for (const [k, t] of params) weights.set(k, (t.dataSync() as Float32Array).slice());
    for (const t of params.values()) t.dispose();
    const extra = p as { inputs?: unknown };
    await saveModelDir(dir, weights, { id: `preset-${name}`, task: p.task, arch: p.arch, dtype: 'float32', ...(extra.inputs ? { inputs: extra.inputs } : {}) } as Parameters<typeof saveModelDir>[2]);
    dirs.push(dir);
  }
  return dirs;
}

/** Analysis + synthesis FLOPs per pixel of a codec (the networks an encode and a decode run). */
function codecFlopsPerPixel(cfg: HyperpriorConfig): number {
  // Output positions per pixel of each conv: level l of the analysis runs at 1/4^(l+1), the synthesis mirrors it.
  const area: Record<string, number> = { ga0: 1 / 4, ga1: 1 / 16, ga2: 1 / 64, ga3: 1 / 256, gs0: 1 / 256, gs1: 1 / 64, gs2: 1 / 16, gs3: 1 / 4 };
  let total = 0;
  for (const s of hyperpriorParamSpecs(cfg)) {
    const m = /^(g[as]\d)\.(w|gdn\.gamma|igdn\.gamma)$/.exec(s.name);
    if (!m) continue;
    const [k, , cin, cout] = s.shape;
    // GDN after an up-sampling conv runs at the shuffled (4×) resolution.
    const a = m[2] === 'w' ? area[m[1]] : m[1].startsWith('gs') ? area[m[1]] * 4 : area[m[1]];
    total += 2 * k * k * cin * cout * a;
  }
  return total;
}

/**
 * A codec model: seconds per megapixel of its analysis then synthesis on a 768×512 image (what one encode
 * and one decode run through the networks), in-process on each engine (the codec uses no worker pool).
 * The engines take turns round by round, so a machine that slows down or speeds up mid-run (other jobs on
 * the shared cores) shifts all three alike instead of skewing their ratio.
 */
const CODEC_REPEAT = 8;

async function benchCodecModel(model: LoadedModel, o: Opts, id: string): Promise<Row> {
  const codec = codecModelFrom(model);
  const [w, h] = [768, 512];
  const x = tileData(w, h, 3, 5);
  const once = async (rt: CodecTransforms) => {
    const t0 = performance.now();
    const y = await rt.run(codec, 'analysis', x.slice(), [1, h, w, 3]);
    // The decoder feeds the exact synthesis Q0 integers (image-codec.ts).
    await rt.run(codec, 'synthesis', Float32Array.from(y, (v) => quantiseLatent(codec.exact, v)), [1, h / 16, w / 16, codec.cfg.m]);
    return (performance.now() - t0) / 1000 / ((w * h) / 1e6);
  };
  const ort1 = await createCodecTransforms('ort', 1);
  const ortAll = await createCodecTransforms('ort', o.threads);
  await initBackend(o.tfjs);
  const tfjs = new TfjsCodecTransforms(`tfjs-${o.tfjs}`);
  const engines = [ort1, ortAll, tfjs];
  for (const rt of engines) await once(rt); // warm-up: sessions built, kernels chosen
  // One 768×512 pass takes well under a second: best of at least 8 rounds, or the noise decides the row.
  const best = engines.map(() => Infinity);
  for (let r = 0; r < Math.max(o.repeat, CODEC_REPEAT); r++) for (const [i, rt] of engines.entries()) best[i] = Math.min(best[i], await once(rt));
  for (const rt of engines) rt.dispose();
  const [ort1s, ortMain, tfjs1] = best;
  const row: Row = { id: `${id} (codec: analysis + synthesis)`, params: archCountParams(codec.cfg), gflopPerMp: codecFlopsPerPixel(codec.cfg) / 1e3, ort1: ort1s, ortMain, tfjs1, ortPool: ortMain, tfjsPool: tfjs1, ortName: ort1.name, codec: true };
  process.stderr.write(`${id}: ${JSON.stringify(row)}\n`);
  return row;
}

async function benchModel(dir: string, o: Opts, id: string): Promise<Row> {
  const model = await loadModelDir(dir);
  if (model.manifest.arch.kind === 'hyperprior') return benchCodecModel(model, o, id);
  const cfg = model.manifest.arch as UNetConfig;
  const inproc = async (engine: InferenceEngine) => {
    try {
      return await secondsPerMp(model, new InProcessExecutor(engine), o);
    } finally {
      engine.dispose();
    }
  };
  const pooled = async (backend: string) => {
    const pool = new WorkerPool({ threads: o.threads, backend });
    try {
      return await secondsPerMp(model, pool, o);
    } finally {
      await pool.close();
    }
  };
  const ort1 = await OrtEngine.create({ threads: 1 });
  const ortName = ort1.name;
  const row: Row = {
    id,
    params: countParams(cfg),
    gflopPerMp: flopsPerPixel(cfg) / 1e3,
    ort1: await inproc(ort1),
    ortMain: await inproc(await OrtEngine.create({ threads: o.threads })),
    tfjs1: await inproc(await TfjsEngine.create(o.tfjs)),
    ortPool: await pooled('ort'),
    tfjsPool: await pooled(o.tfjs),
    ortName,
  };
  process.stderr.write(`${id}: ${JSON.stringify(row)}\n`);
  return row;
}

function section(rows: Row[], o: Opts, ortVer: string): string {
  const [w, h] = o.size;
  const mp = (w * h) / 1e6;
  const smoke = mp < 1;
  const f = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const x = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
  const lines = [
    MARK_START,
    '## Inference engines: onnxruntime vs TensorFlow.js',
    '',
    `Written by \`node dist/scripts/bench-engines.js\` on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${availableParallelism()} cores, Node ${process.versions.node}, onnxruntime-node ${ortVer}, tfjs ${o.tfjs}. ` +
      `Image ${w}×${h} (${mp.toFixed(2)} MP), best of ${o.repeat}, tiles 256 with a 32-pixel margin. ` +
      `Load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}.`,
    '',
    ...(smoke
      ? ['**Smoke run** (image under one megapixel; tile overheads dominate): these figures check the script, not the engines.', '']
      : []),
    `Seconds per megapixel (lower is better). *Pool*: the worker pool with ${o.threads} workers, as the app runs ` +
      '(each onnxruntime worker with one intra-op thread). ' +
      '*1 thread*: in process, one thread. *ORT in-process*: one onnxruntime session with all cores, no workers.',
    '',
    `| model | parameters | GFLOP/MP | tfjs-${o.tfjs} pool | ORT pool | speed-up | tfjs-${o.tfjs} 1 thread | ORT 1 thread | speed-up | ORT in-process, ${o.threads} threads |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.params.toLocaleString('en-US')} | ${r.gflopPerMp.toFixed(1)} | ${f(r.tfjsPool)} | ${f(r.ortPool)} | ${x(r.tfjsPool, r.ortPool)} | ` +
        `${f(r.tfjs1)} | ${f(r.ort1)} | ${x(r.tfjs1, r.ort1)} | ${f(r.ortMain)} |`,
    ),
    '',
    smoke && rows.length
      ? `Target (issue 7, ≥ ${TARGET_SPEEDUP}× over tfjs-wasm): not judged on a smoke run.`
      : rows.length
      ? `Target (issue 7): every shipped model ≥ ${TARGET_SPEEDUP}× faster through onnxruntime than tfjs-wasm: ` +
        rows
          .map(
            (r) =>
              `${r.id} ${r.tfjsPool / r.ortPool >= TARGET_SPEEDUP ? 'met' : 'not met'} ` +
              (r.codec
                ? `as the app runs it (ORT on all threads against tfjs-wasm, which has one in Node: ${x(r.tfjsPool, r.ortPool)}; one thread each: ${x(r.tfjs1, r.ort1)})`
                : `(pool ${x(r.tfjsPool, r.ortPool)})`),
          )
          .join(', ') +
        '.'
      : 'No models found (models/ is empty; --presets benchmarks the shipped architectures with random weights).',
    ...(rows.some((r) => r.codec)
      ? ['', `Codec rows time its analysis and synthesis transforms on a 768×512 image in one process (the codec has no worker pool), best of ${Math.max(o.repeat, CODEC_REPEAT)} rounds in which the engines take turns: the pool columns repeat tfjs on one thread and ORT on all threads, which is how the app runs the codec on each engine.`]
      : []),
    `ORT engine: ${rows[0]?.ortName ?? 'n/a'}.`,
    MARK_END,
  ];
  return lines.join('\n');
}

/** Replaces the bench-engines section of `doc` (or appends one), leaving everything else as it was. */
export function spliceSection(doc: string, sectionText: string): string {
  const a = doc.indexOf(MARK_START);
  const b = doc.indexOf(MARK_END);
  if (a >= 0 && b > a) return doc.slice(0, a) + sectionText + doc.slice(b + MARK_END.length);
  if (!doc.trim()) return `# Benchmarks\n\n${sectionText}\n`;
  return `${doc.replace(/\n*$/, '')}\n\n${sectionText}\n`;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  await initBackend(o.tfjs);
  const ortVer = ortVersion(await loadOrt());
  const dirs: { id: string; dir: string }[] = [];
  if (o.modelsDir) process.env.AEZ_MODELS_DIR = o.modelsDir;
  if (!o.models.length) dirs.push(...listInstalledModels());
  for (const m of o.models) dirs.push({ id: m.split(/[\\/]/).pop()!, dir: m });
  if (o.presets) for (const d of await presetModels()) dirs.push({ id: `${d.split(/[\\/]/).pop()!} (random weights)`, dir: d });
  const rows: Row[] = [];
  try {
    for (const d of dirs) rows.push(await benchModel(d.dir, o, d.id));
  } finally {
    await rm(PRESET_ROOT, { recursive: true, force: true });
  }
  const text = section(rows, o, ortVer);
  process.stdout.write(text + '\n');
  if (o.write) {
    const doc = await readFile(o.out, 'utf8').catch(() => '');
    await mkdir(dirname(o.out), { recursive: true });
    await writeFile(o.out, spliceSection(doc, text));
    process.stderr.write(`wrote ${o.out}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === SCRIPT) {
  main().catch((e) => {
    process.stderr.write(`bench-engines: ${e instanceof Error ? e.stack : e}\n`);
    process.exit(1);
  });
}
