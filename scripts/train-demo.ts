// Trains and ships the latent-space explorer's demo models (electron/engine/explorer/catalog.ts) into
// models/demo/: per model a folder with float16 weights, the embeddings of its data set's explorer sample,
// demo-model.json and MODEL_CARD.md; per data set a gzip'ed sample of test images under samples/.
//
//   node dist/scripts/train-demo.js                       train every model into models/demo (hours on 2 cores)
//   node dist/scripts/train-demo.js --models fashion-ae,fashion-vae [--epochs-scale 0.5]
//   node dist/scripts/train-demo.js --smoke [--out DIR]   20 steps per model on 512 images, into a temp folder
//   node dist/scripts/train-demo.js --bench 3             ms per training step (batch 128), AE and VAE; no output
//
// Options: --out DIR (default models/demo), --data DIR (default ../shared/data), --seed N (default 1),
// --batch N (128), --lr X (1e-3), --backend NAME (default: the usual chain), --steps N (cap per model).
// Models already trained in --out are skipped unless --force is given, so an interrupted run can be re-run.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { DEMO_MODELS, type DemoModelSpec } from '../electron/engine/explorer/catalog.js';
import { loadDemoDataset } from '../electron/engine/explorer/datasets.js';
import { countParams, macsPerImage, demoArch } from '../electron/engine/explorer/models.js';
import { trainDemoModel, type DemoTrainConfig } from '../electron/engine/explorer/train.js';
import { DEMO_BUDGET_BYTES, parseModelList, runDemoTraining } from '../electron/engine/explorer/run.js';

interface Opts {
  models: DemoModelSpec[];
  out: string | undefined;
  data: string;
  seed: number;
  batch: number;
  lr: number;
  backend: string | undefined;
  epochsScale: number;
  steps: number | undefined;
  smoke: boolean;
  bench: number;
  force: boolean;
}

function parseArgs(argv: string[]): Opts {
  const o: Opts = {
    models: DEMO_MODELS,
    out: undefined,
    data: '../shared/data',
    seed: 1,
    batch: 128,
    lr: 1e-3,
    backend: undefined,
    epochsScale: 1,
    steps: undefined,
    smoke: false,
    bench: 0,
    force: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (min: number, max: number) => {
      const v = Number(next());
      if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${a} must be a number from ${min} to ${max}`);
      return v;
    };
    switch (a) {
      case '--models': o.models = parseModelList(next()); break;
      case '--out': o.out = resolve(next()); break;
      case '--data': o.data = resolve(next()); break;
      case '--seed': o.seed = Math.round(num(0, 2 ** 31)); break;
      case '--batch': o.batch = Math.round(num(1, 1024)); break;
      case '--lr': o.lr = num(1e-6, 1); break;
      case '--backend': o.backend = next(); break;
      case '--epochs-scale': o.epochsScale = num(0.001, 100); break;
      case '--steps': o.steps = Math.round(num(1, 1e9)); break;
      case '--smoke': o.smoke = true; break;
      case '--bench': o.bench = Math.round(num(1, 1000)); break;
      case '--force': o.force = true; break;
      case '-h':
      case '--help':
        process.stdout.write(`usage: node dist/scripts/train-demo.js [--models all|a,b] [--out DIR] [--smoke] [--bench N] ...\nmodels: ${DEMO_MODELS.map((s) => s.name).join(', ')}\n`);
        process.exit(0);
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

async function bench(o: Opts): Promise<void> {
  const data = await loadDemoDataset('fashion-mnist', join(o.data, 'fashion-mnist'));
  for (const kind of ['ae', 'vae'] as const) {
    const arch = demoArch(kind, 2);
    const times: number[] = [];
    let last = 0;
    const cfg: DemoTrainConfig = {
      name: `bench-${kind}`, title: 'bench', arch, dataset: 'fashion-mnist', epochs: 1, batch: o.batch, lr: o.lr,
      seed: o.seed, recon: 'bce', beta: 1, maxSteps: o.bench + 1, trainLimit: o.batch * (o.bench + 1),
    };
    await trainDemoModel({
      config: cfg, data, skipEval: true, progressEvery: 1,
      onProgress: (p) => {
        times.push(p.elapsedMs - last);
        last = p.elapsedMs;
      },
    });
    const steady = times.slice(1);
    const ms = steady.reduce((a, b) => a + b, 0) / steady.length;
    const gflop = (3 * 2 * macsPerImage(arch) * o.batch) / 1e9;
    process.stdout.write(
      `${kind}: ${countParams(arch).toLocaleString('en')} params, first step ${times[0].toFixed(0)} ms, then ${steady.map((t) => t.toFixed(0)).join(' / ')} ms ` +
        `(mean ${ms.toFixed(0)} ms/step at batch ${o.batch}, ≈${(gflop / (ms / 1000)).toFixed(1)} GFLOP/s counting fwd+bwd ≈ 3× forward)\n`,
    );
    for (const [ds, n] of [['fashion-mnist', 60000], ['mnist', 5000]] as const) {
      const m = DEMO_MODELS.find((s) => s.dataset === ds && s.arch.kind === kind && s.arch.latent === 2)!;
      const steps = Math.round(m.epochs * Math.floor(n / o.batch));
      process.stdout.write(`  ${m.name}: ${m.epochs} epochs = ${steps} steps ≈ ${((steps * ms) / 60000).toFixed(0)} min of training on this machine\n`);
    }
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const report = await initBackend(o.backend);
  process.stderr.write(`backend: ${report.chosen}\n`);
  if (o.bench) return bench(o);

  const out = o.out ?? (o.smoke ? await mkdtemp(join(tmpdir(), 'aez-demo-smoke-')) : resolve('models/demo'));
  process.stderr.write(`writing demo models to ${out}\n`);
  const r = await runDemoTraining({
    models: o.models, out, dataRoot: o.data, seed: o.seed, batch: o.batch, lr: o.lr, epochsScale: o.epochsScale,
    smoke: o.smoke, force: o.force, ...(o.steps ? { steps: o.steps } : {}),
    log: (line) => process.stderr.write(line + '\n'),
  });
  for (const m of r.trained) {
    process.stdout.write(`${m.name}: ${m.training.steps} steps, ${(m.training.wallTimeS / 60).toFixed(1)} min, test loss ${m.final.test.loss.toFixed(2)}, MSE ${m.final.test.mse.toFixed(4)} (${m.final.test.psnr.toFixed(2)} dB)\n`);
  }
  process.stdout.write(`${out}: ${(r.bytes / 1e6).toFixed(2)} MB in all (budget ${DEMO_BUDGET_BYTES / 1e6} MB); ${r.minutes.toFixed(1)} min\n`);
  if (r.bytes > DEMO_BUDGET_BYTES) process.stdout.write('WARNING: over the size budget for demo models and samples\n');
}

main().catch((e) => {
  process.stderr.write(`train-demo: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
