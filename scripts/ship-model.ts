// Installs the best model of a training run into models/<id>/ and writes its MODEL_CARD.md from the run's
// own records (checkpoint.json history): data, steps, wall time, throughput, validation figures.
// Usage: node dist/scripts/ship-model.js --run runs/photo --id photo --data "what it was trained on" [--notes TEXT]
// A fine-tune (a run with --init-from) may leave out --data: its parent card's Data line is kept.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModelDir } from '../electron/engine/models/model-file.js';
import { countParams, flopsPerPixel, type UNetConfig } from '../electron/engine/nn/unet.js';
import { archCountParams } from '../electron/engine/models/arch.js';
import type { HyperpriorConfig } from '../electron/engine/codec/model/config.js';
import type { TrainConfig, TrainProgress } from '../electron/engine/train/trainer.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    id: { type: 'string' },
    data: { type: 'string' },
    notes: { type: 'string', default: '' },
  },
});
function usage(msg: string): never {
  console.error(`ship-model: ${msg}\nusage: ship-model --run DIR --id NAME --data TEXT [--notes TEXT]`);
  process.exit(2);
}
if (!values.run || !values.id) usage('--run and --id are required');
const run = resolve(values.run);
const state = JSON.parse(await readFile(join(run, 'checkpoint.json'), 'utf8')) as {
  step: number;
  config: TrainConfig;
  elapsedMs: number;
  history: TrainProgress[];
  best?: { step: number; metric: number };
};
const record = JSON.parse(await readFile(join(run, 'run.json'), 'utf8').catch(() => '{}')) as { task?: string; initFrom?: string | null; trainer?: string };
/** Runs the PyTorch mirror trained (scripts/torch/train.py, or gpu_run.py on a GPU machine) say so in run.json. */
const mirror = record.trainer?.startsWith('pytorch-mirror') ?? false;
const model = await loadModelDir(join(run, 'model'));
const dest = resolve('models', values.id);
// A fine-tuned run started from another model (often the very one it replaces): keep that model's own
// training record in the new card, read before the folder is replaced.
const parent = record.initFrom ? await parentRecord(record.initFrom, model.manifest.arch.kind === 'unet' ? model.manifest.arch.widths : undefined) : undefined;
// A card must say what the model was trained on: --data, else (for a fine-tune) what its parent's card said.
const data = values.data ?? parent?.data ?? usage('--data is required (what the model was trained on)');
await rm(dest, { recursive: true, force: true });
await mkdir(dest, { recursive: true });
await cp(join(run, 'model', 'model.json'), join(dest, 'model.json'));
await cp(join(run, 'model', 'weights.bin'), join(dest, 'weights.bin'));

async function parentRecord(initFrom: string, shippedWidths?: number[]): Promise<{ text: string; data?: string }> {
  const dir = initFrom.includes('/') || initFrom.includes('\\') ? resolve(initFrom) : resolve('models', initFrom);
  const card = await readFile(join(dir, 'MODEL_CARD.md'), 'utf8').catch(() => '');
  const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8').catch(() => '{}')) as {
    sha256?: string;
    arch?: { widths?: number[] };
  };
  const sha = manifest.sha256;
  // A run that grew the parent (aez train --init-from M --widths <wider>) says so: the parent's widths differ.
  const from = manifest.arch?.widths;
  const grown = from && shippedWidths && from.join('/') !== shippedWidths.join('/');
  // Its training lines, with their own nested "Started from" record when it was fine-tuned too.
  const keep: string[] = [];
  let inParent = false;
  let dataLine: string | undefined;
  for (const l of card.split('\n')) {
    dataLine ??= /^- Data: (.+)$/.exec(l)?.[1];
    if (/^- /.test(l)) inParent = /^- (Trained by|Started from|Optimisation|Steps|Shipped weights):/.test(l);
    else if (!/^ {2,}- /.test(l)) inParent = false;
    if (inParent) keep.push(l);
  }
  const how = grown
    ? `grown from widths ${from.join('/')} to ${shippedWidths.join('/')} with the same output (electron/engine/nn/widen-unet.ts, deepen-unet.ts), then trained here`
    : 'fine-tuned here';
  const head = `- Started from: the weights of model \`${initFrom}\`${sha ? ` (sha256 \`${sha.slice(0, 16)}…\`)` : ''}, ${how}.`;
  const text = keep.length ? [`${head} That model's own record:`, ...keep.map((l) => `  ${l}`)].join('\n') : `${head} (Its card was not found.)`;
  return { text, data: dataLine };
}

const cfg = state.config;
const isCodec = model.manifest.arch.kind === 'hyperprior';
const arch = model.manifest.arch as UNetConfig;
const codec = model.manifest.arch as HyperpriorConfig;
const params = archCountParams(model.manifest.arch);
const metric = state.history.at(-1)?.val?.metric ?? 'psnr';
const fmt = (v: number) => (metric === 'psnr' ? `${v.toFixed(2)} dB` : v.toFixed(4));
const rows = state.history
  .filter((h) => h.val)
  .filter((_, i, a) => a.length <= 16 || i % Math.ceil(a.length / 16) === 0 || i === a.length - 1)
  .map((h) => `| ${h.step} | ${(h.elapsedMs / 60000).toFixed(1)} | ${h.loss.toFixed(5)} | ${fmt(h.val!.value)} | ${h.stepsPerSec.toFixed(2)} |`);
const speeds = state.history.map((h) => h.stepsPerSec).filter((s) => s > 0);
const medianSpeed = speeds.sort((a, b) => a - b)[speeds.length >> 1] ?? 0;

// What the card says about the loss, the validation and the benchmark, per kind of model.
const kind = isCodec ? 'codec' : model.manifest.task === 'inpaint' ? 'inpaint' : metric === 'rmse' ? 'scan' : 'photo';
const pixelLoss = cfg.loss === 'mse' ? 'squared-error loss' : 'Charbonnier loss';
const TEXT = {
  photo: {
    loss: pixelLoss,
    validation: 'PSNR on 8 centre crops 192×192 of photos/val at σ=25, 8-bit protocol',
    benchmark: 'all validation images, σ 15/25/50, baselines, speed',
  },
  scan: {
    loss: pixelLoss,
    validation: 'RMSE (0..1) on the held-out Kaggle pages, whose two backgrounds never appear in training',
    benchmark: 'all validation images, σ 15/25/50, baselines, speed',
  },
  inpaint: {
    loss: `${pixelLoss} on the composited output, hole pixels only`,
    validation: 'PSNR inside the holes of 8 centre crops 256×256 of photos/val, fixed seeded free-form masks of 10–30 % holes (train/validate.ts inpaintValSet), 8-bit',
    benchmark: 'all of photos/val with seeded 10–30 % masks against Telea, speed',
  },
  codec: {
    loss: 'rate–distortion loss (uniform noise for the rate, straight-through rounding into the synthesis), each sample at a random quality level',
    validation: 'rate–distortion cost bpp + λ·255²·MSE with real rounding, averaged over the quality levels, on 6 centre crops 256×256 of photos/val; lower is better',
    benchmark: 'rate–distortion on all of photos/val against JPEG, WebP and AVIF, BD-rates, speed',
  },
}[kind];

const trainCommand = [
  `${mirror ? 'python3 scripts/torch/train.py' : 'aez train'} --task ${record.task ?? values.id} --steps ${cfg.steps} --batch ${cfg.batch} --patch ${cfg.patch} --seed ${cfg.seed} --lr ${cfg.lr}`,
  isCodec ? '' : `--widths ${arch.widths.join(',')} --blocks ${arch.blocks.join(',')}`,
  cfg.loss ? `--loss ${cfg.loss}` : '',
  record.initFrom ? `--init-from ${record.initFrom}` : '',
]
  .filter(Boolean)
  .join(' ');

const card = `# Model card: \`${values.id}\`

- Task: ${model.manifest.task}
- Architecture: ${
  isCodec
    ? `mean-scale hyperprior image codec (docs/aez-format.md, "Model-defined content"): analysis and synthesis of four stride-2 stages (pixel (un)shuffle + 3×3 convolution, simplified GDN / inverse GDN), N=${codec.n}, M=${codec.m} latent channels at 1/16 resolution, NZ=${codec.nz} hyper-latent channels at 1/64, per-channel logistic prior on z, Gaussian conditional on y with a float64 hyper-synthesis for bit-exact decoding${codec.exactSynthesis ? ', integer-exact synthesis when decoding (9-bit weights, activation grids calibrated by the trainer on 16 crops of the training photos at every level: codec/model/exact-synthesis.ts), so every engine decodes identical pixels' : ''}; ${codec.lambdas.length} quality levels in one model (gain vectors, λ = ${codec.lambdas.join(', ')} for loss = bpp + λ·255²·MSE); ${params.toLocaleString('en')} parameters`
    : `residual U-Net (pixel-unshuffle input, widths ${arch.widths.join('/')}, residual blocks ${arch.blocks.join('/')}${arch.noiseMap ? ', noise-level map input (FFDNet-style)' : ''}), ${arch.channels === 3 ? 'RGB' : 'grey'}; ${countParams(arch).toLocaleString('en')} parameters; ${(flopsPerPixel(arch) / 1000).toFixed(1)} GFLOP per megapixel`
}.
- Weights: \`weights.bin\`, float16, ${((params * 2) / 1e6).toFixed(2)} MB; sha256 \`${model.manifest.sha256}\`.
- Trained by: \`${trainCommand}\` (${
  mirror
    ? `the project's PyTorch mirror of aez train, ${record.trainer}: PyTorch does the arithmetic, and the data, validation, checkpoints and model writer${isCodec ? ' (with the calibration of the exact synthesis)' : ''} are the app's own code through dist/scripts/torch-feed.js`
    : "the project's own TypeScript trainer, TensorFlow.js wasm backend with the project's training kernels, data-parallel worker threads"
}), then \`node dist/scripts/ship-model.js --run <run> --id ${values.id}\`.
${parent ? `${parent.text}\n` : ''}- Data: ${data}
- Optimisation: Adam, peak learning rate ${cfg.lr}, 200-step warm-up then cosine decay, gradient-norm clip 1, ${TEXT.loss}, batch ${cfg.batch} patches of ${cfg.patch}×${cfg.patch}.
- Steps: ${state.step} of ${cfg.steps} planned; wall time ${(state.elapsedMs / 3.6e6).toFixed(2)} h on a 2-core CPU machine; median ${medianSpeed.toFixed(2)} steps/s.
- Shipped weights: the best validation checkpoint, step ${state.best?.step ?? '?'} (${state.best ? fmt(state.best.metric) : '?'}).
- Validation during training (${TEXT.validation}):

| step | minutes | train loss (EMA) | validation | steps/s |
|---|---|---|---|---|
${rows.join('\n')}

Full benchmark figures (${TEXT.benchmark}): \`docs/benchmarks.md\`.
${values.notes ? `\n${values.notes}\n` : ''}`;
await writeFile(join(dest, 'MODEL_CARD.md'), card);
console.log(`installed ${values.id} (step ${state.best?.step}, ${state.best ? fmt(state.best.metric) : ''}) into ${dest}`);
