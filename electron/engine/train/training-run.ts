// Setting up a training run from plain options: the one code path behind `aez train` and the app's Train
// mode (a `train` job). It checks the data folders with messages that say which folder, what is wrong and
// what to do; builds the batch source and the validation set (held out of the training data unless a
// validation folder is named); takes the settings of an existing run when its folder is reused, so a run
// resumes by naming its folder again; records the run in `run.json` beside its checkpoints; and trains.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadModel } from '../models/registry.js';
import type { LoadedModel } from '../models/model-file.js';
import { INPUT_EXTENSIONS } from '../image/io.js';
import { archCountParams as countParams, canStartFrom, type ArchConfig } from '../models/arch.js';
import { codecValSet } from './codec-validate.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { AezError, errorMessage } from '../util/errors.js';
import { listImages, loadImageStoreFiles } from './image-store.js';
import { DEFAULT_INPAINT_SOURCE } from './inpaint-source.js';
import { PRESETS, type TaskPreset, type TrainTask } from './presets.js';
import { renderSample, type SamplePreview } from './sample-preview.js';
import type { SourceSpec } from './sources.js';
import type { PixelLoss } from './grad-core.js';
import { train, type TrainConfig, type TrainProgress, type TrainResult, type TrainStart } from './trainer.js';
import { inpaintValSet, photoValSet, scanValSet } from './validate.js';
import type { ValSet } from './val-set.js';

export const TRAIN_TASKS = Object.keys(PRESETS) as TrainTask[];

export interface TrainOptions {
  /** Required for a new run; a resumed run takes its own (and refuses another). */
  task?: TrainTask;
  /** Training folders (photo, inpaint: images; scan: one folder with noisy/ and clean/). A resumed run's by default. */
  data?: string[];
  /** Validation folder; absent: held out of the training data (a resumed run keeps its choice). */
  val?: string;
  /** The run folder: checkpoints, run.json, sample.png, and the best model in `<out>/model`. */
  out: string;
  steps: number;
  batch?: number;
  patch?: number;
  lr?: number;
  seed?: number;
  valEvery?: number;
  checkpointEvery?: number;
  widths?: number[];
  blocks?: number[];
  /** Pixel loss (denoisers, inpainter); a resumed run keeps its own unless told. */
  loss?: PixelLoss;
  /** Model id written into the model (default: the task). */
  id?: string;
  /** A model name or folder whose weights the run starts from (fine-tuning). */
  initFrom?: string;
  /** Where to take data from when neither the options nor a resumed run name any (the CLI's shared data). */
  defaults?: { data?: string[]; val?: string };
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

export interface PreparedTraining {
  config: TrainConfig;
  source: SourceSpec;
  val: ValSet;
  initFrom?: LoadedModel;
  outDir: string;
  record: RunRecord;
}

/** run.json: what a run was started with, so the app can list runs and resume them. */
export interface RunRecord {
  format: 'aez-run';
  version: 1;
  task: TrainTask;
  data: string[];
  val: string | null;
  initFrom: string | null;
  created: string;
}

/** What the app shows about a run folder. */
export interface RunInfo {
  dir: string;
  name: string;
  task?: TrainTask;
  data?: string[];
  val?: string | null;
  /** Steps done (0 without a checkpoint) and the target. */
  step: number;
  total?: number;
  best?: { step: number; metric: number };
  metric?: 'psnr' | 'rmse' | 'rd';
  history: TrainProgress[];
  hasModel: boolean;
  arch?: { widths: number[]; blocks: number[] };
  batch?: number;
  patch?: number;
  updated?: string;
}

interface CheckpointJson {
  step: number;
  config: TrainConfig;
  history: TrainProgress[];
  best?: { step: number; metric: number };
}

const SUPPORTED = INPUT_EXTENSIONS.map((e) => e.slice(1).toUpperCase()).join(', ');

function bad(message: string): AezError {
  return new AezError('BAD_ARGUMENT', message);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Reads a run folder (run.json and the checkpoint); null when it is neither. */
export async function readRunInfo(dir: string): Promise<RunInfo | null> {
  const abs = resolve(dir);
  const [record, ckpt] = await Promise.all([readJson<RunRecord>(join(abs, 'run.json')), readJson<CheckpointJson>(join(abs, 'checkpoint.json'))]);
  if (!record && !ckpt) return null;
  const st = await stat(join(abs, ckpt ? 'checkpoint.json' : 'run.json')).catch(() => undefined);
  const history = Array.isArray(ckpt?.history) ? ckpt.history : [];
  return {
    dir: abs,
    name: basename(abs),
    task: record?.task ?? taskOf(ckpt?.config),
    data: record?.data,
    val: record?.val,
    step: ckpt?.step ?? 0,
    total: ckpt?.config.steps,
    best: ckpt?.best,
    metric: history.find((h) => h.val)?.val?.metric,
    history,
    hasModel: existsSync(join(abs, 'model', 'model.json')),
    ...(ckpt ? { ...(ckpt.config.arch.kind === 'unet' ? { arch: { widths: ckpt.config.arch.widths, blocks: ckpt.config.arch.blocks } } : {}), batch: ckpt.config.batch, patch: ckpt.config.patch } : {}),
    updated: st?.mtime.toISOString(),
  };
}

function taskOf(cfg: TrainConfig | undefined): TrainTask | undefined {
  if (!cfg) return undefined;
  return cfg.task === 'denoise-photo' ? 'photo' : cfg.task === 'denoise-scan' ? 'scan' : cfg.task === 'codec' ? 'codec' : 'inpaint';
}

/** The run folders directly inside `root`, newest first. */
export async function listRuns(root: string): Promise<RunInfo[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const runs = (await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => readRunInfo(join(root, n))))).filter((r): r is RunInfo => r !== null);
  return runs.sort((a, b) => (b.updated ?? '').localeCompare(a.updated ?? ''));
}

async function assertFolder(dir: string, what: string, hint: string): Promise<void> {
  let st;
  try {
    st = await stat(dir);
  } catch {
    throw bad(`The ${what} ${dir} does not exist. ${hint}`);
  }
  if (!st.isDirectory()) throw bad(`The ${what} ${dir} is a file, not a folder. ${hint}`);
}

async function imagesIn(dirs: string[], what: string): Promise<string[]> {
  const files: string[] = [];
  for (const d of dirs) {
    await assertFolder(d, what, 'Choose a folder that holds your photos.');
    let list: string[];
    try {
      list = await listImages(d);
    } catch (e) {
      throw bad(`Cannot read the ${what} ${d} (${errorMessage(e)}). Check its permissions.`);
    }
    if (list.length === 0) throw bad(`The ${what} ${d} holds no images AEZ can read (${SUPPORTED}). Put your photos directly in it (sub-folders are not searched).`);
    files.push(...list);
  }
  return files;
}

/** Every k-th image goes to validation: about a tenth, 1 to 8 images; with one image it serves both. */
function holdOut(files: string[]): { train: string[]; val: string[] } {
  if (files.length < 2) return { train: files, val: files };
  const n = Math.min(8, Math.max(1, Math.round(files.length / 10)));
  const step = files.length / n;
  const picked = new Set(Array.from({ length: n }, (_, i) => Math.floor(i * step + step / 2)));
  return { train: files.filter((_, i) => !picked.has(i)), val: files.filter((_, i) => picked.has(i)) };
}

function checkArch(widths: number[], blocks: number[], patch: number): void {
  if (widths.length < 1 || widths.length > 5 || widths.some((w) => !Number.isInteger(w) || w < 1 || w > 512)) throw bad('widths must be 1 to 5 whole numbers from 1 to 512');
  if (blocks.length !== widths.length) throw bad('blocks needs one count per width');
  if (blocks.some((b) => !Number.isInteger(b) || b < 0 || b > 32)) throw bad('blocks must be whole numbers from 0 to 32');
  const multiple = Math.max(8, 2 ** widths.length);
  if (patch % multiple) throw bad(`patch must be a multiple of ${multiple} (got ${patch})`);
}

/** Without --data a run trains on the project's shared data (a checkout's ../shared/data, from the working folder). */
export function sharedDataDefaults(task: TrainTask): { data: string[]; val?: string } {
  const shared = resolve('../shared/data');
  if (task === 'scan') return { data: [join(shared, 'docs/pairs')] };
  return { data: [join(shared, 'photos/train')], val: existsSync(join(shared, 'photos/val')) ? join(shared, 'photos/val') : undefined };
}

/** Builds everything `train()` needs, checking the folders first. Writes nothing. */
export async function prepareTraining(o: TrainOptions): Promise<PreparedTraining> {
  const log = o.onLog ?? (() => {});
  const outDir = resolve(o.out);
  const prior = existsSync(outDir) ? await readRunInfo(outDir) : null;
  const ckpt = prior && prior.step > 0 ? await readJson<CheckpointJson>(join(outDir, 'checkpoint.json')) : undefined;
  const record = await readJson<RunRecord>(join(outDir, 'run.json'));
  const task = o.task ?? prior?.task;
  if (!task) throw bad('Choose a task (photo or scan) for a new run.');
  if (!Object.hasOwn(PRESETS, task)) throw bad(`task must be one of ${TRAIN_TASKS.join(', ')}, got "${task}"`);
  if (prior?.task && prior.task !== task) {
    throw bad(`${outDir} holds a ${prior.task} run; choose the task ${prior.task} to resume it, or another run folder for a new ${task} run.`);
  }
  const preset: TaskPreset = PRESETS[task];
  const prev = ckpt?.config;
  const patch = o.patch ?? prev?.patch ?? preset.patch;
  let arch = preset.arch;
  if (preset.arch.kind === 'unet') {
    const prevArch = prev?.arch.kind === 'unet' ? prev.arch : undefined;
    const widths = o.widths ?? prevArch?.widths ?? preset.arch.widths;
    const blocks = o.blocks ?? prevArch?.blocks ?? (widths.length === preset.arch.blocks.length ? preset.arch.blocks : widths.map(() => 1));
    checkArch(widths, blocks, patch);
    arch = { ...preset.arch, widths, blocks };
  } else {
    if (o.widths || o.blocks) throw bad(`--widths and --blocks apply to the denoising and inpainting tasks, not to ${task}`);
    if (o.loss) throw bad(`--loss applies to the denoising and inpainting tasks; the codec trains on rate + λ·distortion`);
    if (patch % 64) throw bad(`patch must be a multiple of 64 for the codec (got ${patch})`);
  }
  const config: TrainConfig = {
    id: o.id ?? prev?.id ?? task,
    task: preset.task,
    arch,
    steps: o.steps,
    batch: o.batch ?? prev?.batch ?? preset.batch,
    patch,
    lr: o.lr ?? prev?.lr ?? preset.lr,
    seed: o.seed ?? prev?.seed ?? 1,
    valEvery: o.valEvery ?? prev?.valEvery ?? 500,
    checkpointEvery: o.checkpointEvery ?? prev?.checkpointEvery ?? 100,
    ...(preset.inputs ? { inputs: preset.inputs } : {}),
    ...((o.loss ?? prev?.loss) ? { loss: o.loss ?? prev?.loss } : {}),
  };

  // Data: what was asked for, else what the run was started with, else the caller's defaults.
  const userData = o.data?.map((d) => resolve(d));
  const data = userData ?? record?.data ?? o.defaults?.data;
  if (!data || data.length === 0) throw bad(task === 'scan' ? 'Choose a data folder holding noisy/ and clean/ sub-folders.' : 'Choose a data folder of photos to train on.');
  const valDir = o.val !== undefined ? resolve(o.val) : userData ? undefined : record ? (record.val ?? undefined) : o.defaults?.val;

  let source: SourceSpec;
  let val: ValSet;
  if (task === 'scan') {
    const root = data[0];
    if (data.length > 1) throw bad('The scan task takes one data folder (holding noisy/ and clean/).');
    await assertFolder(root, 'data folder', 'Choose a folder holding noisy/ and clean/ sub-folders.');
    const hint = `${root} must hold two folders, noisy/ and clean/, with a scanned page in noisy/ and its clean version under the same file name in clean/.`;
    for (const sub of ['noisy', 'clean']) if (!existsSync(join(root, sub))) throw bad(`The data folder ${root} has no ${sub}/ folder. ${hint}`);
    const { loadDocPairs, splitDocPairs } = await import('../data/doc-pairs.js');
    let pairs;
    try {
      pairs = await loadDocPairs(root);
    } catch (e) {
      throw bad(`Cannot read the page pairs in ${root}: ${errorMessage(e)}. ${hint}`);
    }
    if (pairs.length < 2) throw bad(`${root} holds ${pairs.length} matching noisy/clean pair${pairs.length === 1 ? '' : 's'}; at least 2 are needed (one is kept for validation). ${hint}`);
    const small = pairs.find((p) => p.width < patch || p.height < patch);
    if (small) throw bad(`${join(root, 'noisy', small.name)} is ${small.width}×${small.height}, smaller than the ${patch}-pixel training patch. Use larger scans or a smaller patch.`);
    if (valDir === undefined && splitDocPairs(pairs).val.length === 0) throw bad(`Could not keep a validation page out of ${root}; add more pairs.`);
    source = { kind: 'scan', pairsRoot: root, synthSeed: config.seed, synthFraction: 0.6, synthPages: 24 };
    val = await scanValSet(valDir ?? root);
    log(`training on the pairs in ${root} and synthetic pages; validating on ${val.items.length} held-out page(s)${valDir ? ` of ${valDir}` : ''}`);
  } else {
    const files = await imagesIn(data, 'data folder');
    const split = valDir === undefined ? holdOut(files) : { train: files, val: await imagesIn([valDir], 'validation folder') };
    log(`loading ${split.train.length} training image(s) from ${data.join(', ')}…`);
    let store;
    try {
      store = await loadImageStoreFiles(split.train, patch, data.join(', '));
    } catch (e) {
      throw bad(`${errorMessage(e)}. Every training image must be at least ${patch}×${patch} pixels; add larger photos or choose a smaller patch.`);
    }
    if (task === 'photo') {
      source = { kind: 'photo', store, sigmaMax: 55, greyProbability: 0.15 };
      val = await photoValSet(valDir ?? split.val);
    } else if (preset.arch.kind === 'hyperprior') {
      source = { kind: 'codec', store, levels: preset.arch.lambdas.length };
      val = await codecValSet(valDir ?? split.val);
    } else {
      const prefill = preset.inputs?.prefill ?? 'telea';
      source = { kind: 'inpaint', store, ...DEFAULT_INPAINT_SOURCE, prefill };
      val = await inpaintValSet(valDir ?? split.val, prefill);
    }
    const same = valDir === undefined && files.length < 2;
    log(
      valDir
        ? `validating on ${val.items.length} image(s) of ${valDir}`
        : same
          ? 'only one image: it is used for validation too (add more photos for an honest validation figure)'
          : `validating on ${val.items.length} image(s) held out of training: ${split.val.map((f) => basename(f)).join(', ')}`,
    );
  }
  if (val.items.length === 0) throw bad('The validation set is empty; add images to the data or validation folder.');

  let initFrom: LoadedModel | undefined;
  if (o.initFrom && !ckpt) {
    initFrom = await loadModel(o.initFrom);
    if (!canStartFrom(initFrom.manifest.arch as ArchConfig, config.arch)) {
      throw bad(`The model ${o.initFrom} has another architecture than this run (${JSON.stringify(initFrom.manifest.arch)} vs ${JSON.stringify(config.arch)}); leave the size at the preset to fine-tune it, or grow it: --widths at least as wide at every level, and optionally levels added below (--widths and --blocks keep the model's levels first).`);
    }
  }
  return {
    config,
    source,
    val,
    initFrom,
    outDir,
    record: { format: 'aez-run', version: 1, task, data, val: valDir ?? null, initFrom: record?.initFrom ?? o.initFrom ?? null, created: record?.created ?? new Date().toISOString() },
  };
}

export interface RunTrainingOptions extends TrainOptions {
  workers?: number;
  backend?: string;
  onStart?: (info: TrainStart & { task: TrainTask; outDir: string }) => void;
  onProgress?: (p: TrainProgress) => void;
  /** After each validation: a preview of the first validation item (also saved as `<out>/sample.png`). */
  onSample?: (s: SamplePreview & { step: number }) => void;
}

/** Prepares, records and runs a training run. */
export async function runTraining(o: RunTrainingOptions): Promise<TrainResult & { task: TrainTask; outDir: string; parameters: number }> {
  const p = await prepareTraining(o);
  if (o.signal?.aborted) throw new AezError('CANCELLED', 'cancelled before training started');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(p.outDir, { recursive: true });
  await writeFileAtomic(join(p.outDir, 'run.json'), Buffer.from(JSON.stringify(p.record, null, 1) + '\n'));
  const result = await train({
    config: p.config,
    source: p.source,
    val: p.val,
    outDir: p.outDir,
    workers: o.workers,
    backend: o.backend,
    initFrom: p.initFrom,
    signal: o.signal,
    onLog: o.onLog,
    onProgress: o.onProgress,
    onStart: (s) => o.onStart?.({ ...s, task: p.record.task, outDir: p.outDir }),
    onSample: async ({ step, item, output }) => {
      const s = await renderSample(item, output);
      await writeFileAtomic(join(p.outDir, 'sample.png'), s.png);
      o.onSample?.({ ...s, step });
    },
  });
  return { ...result, task: p.record.task, outDir: p.outDir, parameters: countParams(p.config.arch) };
}
