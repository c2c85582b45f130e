// The training coordinator. It owns the weights and Adam state (flat arrays), hands each gradient worker
// a slice of every step's batch, averages their gradients, applies Adam, validates and checkpoints.
// Batches are a pure function of (seed, step, sample index), so a resumed run continues exactly as an
// uninterrupted one would, whatever the number of workers.
import { availableParallelism } from 'node:os';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Params, UNetConfig } from '../nn/unet.js';
import { archInitParams as initParams, archParamSpecs as paramSpecs, canStartFrom, startingWeights, type ArchConfig } from '../models/arch.js';
import { saveModelDir, type LoadedModel, type ModelInputs, type ModelTask } from '../models/model-file.js';
import { initBackend } from '../tfjs/backend.js';
import { AezError } from '../util/errors.js';
import { adamStep, createAdam, learningRate } from './adam.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { exactCodecModel } from './codec-calibration.js';
import type { PixelLoss } from './grad-core.js';
import type { GradStepRequest, GradWorkerInit } from './grad-worker.js';
import { WorkerBridge } from '../workers/bridge.js';
import type { SourceSpec } from './sources.js';
import { evaluate } from './validate.js';
import type { ValItem, ValSet } from './val-set.js';

export interface TrainConfig {
  id: string;
  task: ModelTask;
  arch: ArchConfig;
  steps: number;
  batch: number;
  patch: number;
  lr: number;
  seed: number;
  valEvery: number;
  checkpointEvery: number;
  /** Written into the model (inpainting: mask plane and hole pre-fill). */
  inputs?: ModelInputs;
  /** Pixel loss of the denoisers and the inpainter (default Charbonnier); the codec has its own. */
  loss?: PixelLoss;
}

export interface TrainProgress {
  step: number;
  total: number;
  loss: number;
  lr: number;
  stepsPerSec: number;
  elapsedMs: number;
  val?: { metric: 'psnr' | 'rmse' | 'rd'; value: number; best: number };
}

export interface TrainRun {
  config: TrainConfig;
  source: SourceSpec;
  val: ValSet;
  outDir: string;
  workers?: number;
  backend?: string;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  onLog?: (line: string) => void;
  /** Once the workers are ready: where the run starts (a resumed run brings its history). */
  onStart?: (info: TrainStart) => void;
  /** After each validation: the first validation item and the network's output for it (sample previews). */
  onSample?: (s: { step: number; item: ValItem; output: Float32Array }) => void | Promise<void>;
  /** Start from these weights instead of a random init (fine-tuning); ignored when resuming. */
  initFrom?: LoadedModel;
}

export interface TrainStart {
  step: number;
  total: number;
  parameters: number;
  workers: number;
  resumed: boolean;
  /** Progress at each earlier validation (a resumed run's curve so far). */
  history: TrainProgress[];
}

export interface TrainResult {
  steps: number;
  elapsedMs: number;
  best: { step: number; metric: number } | undefined;
  modelDir: string;
  history: TrainProgress[];
  stopped: boolean;
}

interface GradWorker {
  bridge: WorkerBridge;
  grad: Float32Array;
}

function toParams(cfg: ArchConfig, flat: Float32Array): Params {
  const params: Params = new Map();
  let offset = 0;
  for (const s of paramSpecs(cfg)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    params.set(s.name, tf.tensor(flat.subarray(offset, offset + n), s.shape));
    offset += n;
  }
  return params;
}

function flatten(params: Params): Float32Array {
  const arrays = [...params.values()].map((t) => t.dataSync() as Float32Array);
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

function weightsByName(cfg: ArchConfig, flat: Float32Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let offset = 0;
  for (const s of paramSpecs(cfg)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    out.set(s.name, flat.slice(offset, offset + n));
    offset += n;
  }
  return out;
}

async function startWorkers(count: number, init: Omit<GradWorkerInit, 'grad'>, size: number): Promise<GradWorker[]> {
  const workers = Array.from({ length: count }, (): GradWorker => {
    const gradBuf = new SharedArrayBuffer(size * 4);
    const bridge = new WorkerBridge(new URL('./grad-worker.js', import.meta.url), { ...init, grad: gradBuf } satisfies GradWorkerInit, 'a gradient worker');
    return { bridge, grad: new Float32Array(gradBuf) };
  });
  try {
    await Promise.all(workers.map((w) => w.bridge.ready.catch((e: Error) => Promise.reject(new Error(`gradient worker: ${e.message}`)))));
  } catch (e) {
    await Promise.all(workers.map((w) => w.bridge.terminate()));
    throw e;
  }
  return workers;
}

export async function train(run: TrainRun): Promise<TrainResult> {
  const { config: cfg, outDir } = run;
  const log = run.onLog ?? (() => {});
  await mkdir(outDir, { recursive: true });
  await initBackend(run.backend);
  const size = paramSpecs(cfg.arch).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);

  const paramsBuf = new SharedArrayBuffer(size * 4);
  const params = new Float32Array(paramsBuf);
  const adam = createAdam(size);
  let step = 0;
  let elapsedBefore = 0;
  let history: TrainProgress[] = [];
  let best: { step: number; metric: number } | undefined;

  const resumed = await loadCheckpoint<TrainConfig>(outDir, size);
  if (resumed) {
    const a = resumed.state.config;
    if (JSON.stringify(a.arch) !== JSON.stringify(cfg.arch) || a.seed !== cfg.seed || a.batch !== cfg.batch || a.patch !== cfg.patch) {
      throw new AezError('BAD_ARGUMENT', `${outDir} holds a checkpoint of a different run (architecture, seed, batch or patch differ); choose another --out`);
    }
    params.set(resumed.params);
    adam.m.set(resumed.m);
    adam.v.set(resumed.v);
    adam.t = resumed.state.adamT;
    step = resumed.state.step;
    elapsedBefore = resumed.state.elapsedMs;
    history = resumed.state.history as TrainProgress[];
    best = resumed.state.best;
    log(`resuming ${cfg.id} at step ${step} of ${cfg.steps}`);
  } else if (run.initFrom) {
    const modelArch = run.initFrom.manifest.arch as ArchConfig;
    if (!canStartFrom(modelArch, cfg.arch)) {
      throw new AezError('BAD_ARGUMENT', `--init-from ${run.initFrom.dir}: its architecture differs from the ${cfg.task} preset`);
    }
    const start = startingWeights(modelArch, run.initFrom.weights, cfg.arch, cfg.seed);
    let offset = 0;
    for (const s of paramSpecs(cfg.arch)) {
      const w = start.weights.get(s.name)!;
      params.set(w, offset);
      offset += w.length;
    }
    log(
      start.grown
        ? `starting from the weights of ${run.initFrom.dir}, grown to widths ${(cfg.arch as UNetConfig).widths.join('/')}, blocks ${(cfg.arch as UNetConfig).blocks.join('/')} (new channels and levels start silent: the same output)`
        : `starting from the weights of ${run.initFrom.dir}`,
    );
  } else {
    const init = initParams(cfg.arch, cfg.seed);
    params.set(flatten(init));
    for (const t of init.values()) t.dispose();
  }

  const nWorkers = Math.max(1, Math.min(run.workers ?? availableParallelism(), cfg.batch));
  const workers = await startWorkers(nWorkers, { cfg: cfg.arch, loss: cfg.loss ?? 'charbonnier', source: run.source, backend: run.backend, seed: cfg.seed, params: paramsBuf }, size);
  log(`${nWorkers} gradient worker(s) ready; ${size} parameters`);
  run.onStart?.({ step, total: cfg.steps, parameters: size, workers: nWorkers, resumed: !!resumed, history: [...history] });

  const grad = new Float32Array(size);
  const started = Date.now();
  let lastCheckpointBin: string | undefined;
  let emaLoss = NaN;
  let windowStart = Date.now();
  let windowSteps = 0;
  let stopped = false;

  const bestDir = join(outDir, 'model');
  const exportBest = async (metric: number) => {
    let arch = cfg.arch;
    let weights = weightsByName(cfg.arch, params);
    // A codec is written with its exact synthesis calibrated (codec-calibration.ts).
    if (arch.kind === 'hyperprior' && run.source.kind === 'codec') ({ arch, weights } = exactCodecModel(arch, weights, run.source.store));
    await saveModelDir(bestDir, weights, {
      id: cfg.id,
      task: cfg.task,
      arch,
      dtype: 'float16',
      ...(cfg.inputs ? { inputs: cfg.inputs } : {}),
      training: { step, metric, metricName: run.val.metric, seed: cfg.seed },
    });
  };
  let sampleOutput: Float32Array | undefined;
  const validate = (): number => {
    const p = toParams(cfg.arch, params);
    try {
      return evaluate(cfg.arch, p, run.val, (i, out) => {
        if (i === 0 && run.onSample) sampleOutput = out;
      });
    } finally {
      for (const t of p.values()) t.dispose();
    }
  };
  const checkpoint = async () => {
    const elapsedMs = elapsedBefore + (Date.now() - started);
    await saveCheckpoint(outDir, { step, config: cfg, elapsedMs, history, best, adamT: adam.t }, params, adam.m, adam.v);
    const bin = `checkpoint-${step}.bin`;
    if (lastCheckpointBin && lastCheckpointBin !== bin) await unlink(join(outDir, lastCheckpointBin)).catch(() => {});
    lastCheckpointBin = bin;
  };

  try {
    while (step < cfg.steps) {
      if (run.signal?.aborted) {
        stopped = true;
        break;
      }
      const lr = learningRate(step, cfg.steps, cfg.lr);
      const per = Math.ceil(cfg.batch / nWorkers);
      const losses = await Promise.all(
        workers.map((w, i) => {
          const first = i * per;
          const count = Math.min(per, cfg.batch - first);
          const req: GradStepRequest = { step, first, count, patch: cfg.patch, weight: count / cfg.batch };
          return w.bridge.call<number>('step', req).then(
            (loss) => loss * (count / cfg.batch),
            (e: Error) => Promise.reject(new Error(`gradient worker: ${e.message}`)),
          );
        }),
      );
      grad.set(workers[0].grad);
      for (let k = 1; k < workers.length; k++) {
        const g = workers[k].grad;
        for (let i = 0; i < size; i++) grad[i] += g[i];
      }
      adamStep(params, grad, adam, { lr, clipNorm: 1 });
      const loss = losses.reduce((a, b) => a + b, 0);
      if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss})`);
      emaLoss = Number.isNaN(emaLoss) ? loss : 0.98 * emaLoss + 0.02 * loss;
      step++;
      windowSteps++;
      const now = Date.now();
      const stepsPerSec = (windowSteps * 1000) / Math.max(1, now - windowStart);
      if (now - windowStart > 20000) {
        windowStart = now;
        windowSteps = 0;
      }
      const progress: TrainProgress = { step, total: cfg.steps, loss: emaLoss, lr, stepsPerSec, elapsedMs: elapsedBefore + (now - started) };
      if (step % cfg.valEvery === 0 || step === cfg.steps) {
        const value = validate();
        const better = !best || (run.val.metric === 'psnr' ? value > best.metric : value < best.metric);
        if (better) {
          best = { step, metric: value };
          await exportBest(value);
        }
        progress.val = { metric: run.val.metric, value, best: best!.metric };
        history.push(progress);
        if (run.onSample && sampleOutput) {
          try {
            await run.onSample({ step, item: run.val.items[0], output: sampleOutput });
          } catch (e) {
            log(`sample preview failed: ${(e as Error)?.message ?? e}`);
          }
          sampleOutput = undefined;
        }
      }
      run.onProgress?.(progress);
      if (step % cfg.checkpointEvery === 0 || step === cfg.steps) await checkpoint();
    }
    if (stopped && step > 0) await checkpoint();
  } finally {
    // TensorFlow.js workers make no native calls: terminating them is safe (workers/bridge.ts).
    await Promise.all(workers.map((w) => w.bridge.terminate()));
  }
  return { steps: step, elapsedMs: elapsedBefore + (Date.now() - started), best, modelDir: bestDir, history, stopped };
}
