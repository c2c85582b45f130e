// Trains a list of demo models and ships them into a demo folder (models/demo by default): the sample set
// of each data set first, then each model with its embeddings and model card. Used by
// scripts/train-demo.ts and `aez demo train`. Models already in the folder are skipped unless `force`, so an
// interrupted run is simply started again; two processes may train disjoint model lists into one folder.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_MODELS, SAMPLE_COUNTS, type DemoModelSpec } from './catalog.js';
import { loadDemoDataset, type DemoDataset, type DemoDatasetName } from './datasets.js';
import { countParams } from './models.js';
import { loadSampleSet, readDemoManifest, type DemoManifest, type SampleSet } from './model-io.js';
import { trainDemoModel, type DemoTrainConfig } from './train.js';
import { saveTrainedDemo, writeSampleSet } from './ship.js';

export interface DemoRunOptions {
  models?: DemoModelSpec[];
  out: string;
  /** Folder holding fashion-mnist/ and mnist/ (default ../shared/data). */
  dataRoot?: string;
  seed?: number;
  batch?: number;
  lr?: number;
  /** Multiplies every model's epoch count. */
  epochsScale?: number;
  /** Caps the steps per model. */
  steps?: number;
  /** 20 steps (or `steps`) per model on 512 training images, 200 sample images: checks the pipeline in seconds. */
  smoke?: boolean;
  force?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Progress line every N steps (default 50; smoke 5). */
  progressEvery?: number;
}

export interface DemoRunResult {
  trained: DemoManifest[];
  skipped: string[];
  bytes: number;
  minutes: number;
}

export const DEMO_BUDGET_BYTES = 8e6;

export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await dirBytes(p) : (await stat(p)).size;
  }
  return total;
}

export function parseModelList(list: string): DemoModelSpec[] {
  if (list === 'all') return DEMO_MODELS;
  return list.split(',').map((n) => {
    const m = DEMO_MODELS.find((s) => s.name === n.trim());
    if (!m) throw new Error(`unknown demo model "${n}": choose from ${DEMO_MODELS.map((s) => s.name).join(', ')} (or all)`);
    return m;
  });
}

export async function runDemoTraining(o: DemoRunOptions): Promise<DemoRunResult> {
  const log = o.log ?? (() => {});
  const models = o.models ?? DEMO_MODELS;
  const dataRoot = o.dataRoot ?? '../shared/data';
  const t0 = performance.now();
  const datasets = new Map<DemoDatasetName, { data: DemoDataset; sample: SampleSet }>();
  const trained: DemoManifest[] = [];
  const skipped: string[] = [];
  for (const spec of models) {
    const dir = join(o.out, spec.name);
    if (!o.force && !o.smoke) {
      const done = await readDemoManifest(dir).catch(() => null);
      if (done) {
        log(`${spec.name}: already trained (${done.training.steps} steps); force retrains it`);
        skipped.push(spec.name);
        continue;
      }
    }
    let ds = datasets.get(spec.dataset);
    if (!ds) {
      const data = await loadDemoDataset(spec.dataset, join(dataRoot, spec.dataset));
      log(`${spec.dataset}: ${data.train.count} train / ${data.test.count} test images`);
      const want = o.smoke ? 200 : SAMPLE_COUNTS[spec.dataset];
      // Reuse the sample another process (or an earlier run) wrote, so embeddings always match it.
      const existing = await loadSampleSet(spec.dataset, o.out).catch(() => null);
      const sample = existing && existing.manifest.count === want ? existing : await writeSampleSet(o.out, data, want);
      ds = { data, sample };
      datasets.set(spec.dataset, ds);
    }
    const cfg: DemoTrainConfig = {
      name: spec.name,
      title: spec.title,
      arch: spec.arch,
      dataset: spec.dataset,
      epochs: spec.epochs * (o.epochsScale ?? 1),
      batch: o.batch ?? 128,
      lr: o.lr ?? 1e-3,
      seed: o.seed ?? 1,
      recon: spec.recon,
      beta: spec.beta,
      ...(o.smoke ? { maxSteps: o.steps ?? 20, trainLimit: 512, testLimit: 256, trainEvalLimit: 256 } : o.steps ? { maxSteps: o.steps } : {}),
    };
    log(`${spec.name}: training ${spec.arch.kind}, latent ${spec.arch.latent}, ${countParams(spec.arch).toLocaleString('en')} parameters`);
    const result = await trainDemoModel({
      config: cfg,
      data: ds.data,
      progressEvery: o.progressEvery ?? (o.smoke ? 5 : 50),
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (p) => {
        const eta = ((p.total - p.step) * p.msPerStep) / 60000;
        log(
          `  ${spec.name} step ${p.step}/${p.total} epoch ${p.epoch.toFixed(2)} loss ${p.loss.toFixed(2)} (recon ${p.recon.toFixed(2)}, KL ${p.kl.toFixed(2)}) ` +
            `lr ${p.lr.toExponential(2)} ${p.msPerStep.toFixed(0)} ms/step, ${eta.toFixed(1)} min left`,
        );
      },
    });
    const m = await saveTrainedDemo(o.out, result, ds.data, ds.sample, spec.role === 'scatter');
    trained.push(m);
    log(
      `${spec.name}: ${result.steps} steps in ${(result.wallTimeS / 60).toFixed(1)} min; test loss ${m.final.test.loss.toFixed(2)}, ` +
        `MSE ${m.final.test.mse.toFixed(4)} (${m.final.test.psnr.toFixed(2)} dB); train loss ${m.final.train.loss.toFixed(2)}`,
    );
  }
  return { trained, skipped, bytes: await dirBytes(o.out), minutes: (performance.now() - t0) / 60000 };
}
