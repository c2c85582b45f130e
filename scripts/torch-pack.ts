// Packs a training run for the GPU machine, which has PyTorch but no Node (scripts/torch/gpu_run.py trains from
// the pack there). The run is set up here by the app's own code (train/training-run.ts: flags, presets, data, the
// validation set), and the pack holds what the Python side needs and nothing it would have to re-derive:
//   pack.json   the run's config (as a checkpoint records it), parameter list, validation metric and crops
//   images/     the training photos as JPEG (originals copied byte for byte where they are JPEG, upright and
//               small enough; others re-encoded at quality 95, 4:4:4, larger ones scaled to --max-side)
//   val.u8      the validation crops, 8-bit RGB, in pack.json's order
//   init/       the model the run starts from (--init-from), as a model folder
// The whole tree travels to the device machine with the repository (64 MiB in all, about 24 MiB of it the
// repository), so the pack stops adding photos at --budget-mib (default 28) and says how many it took.
//
//   node dist/scripts/torch-pack.js --task codec --pack gpu-pack --init-from codec [--batch 32] [--lr 0.0002]
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { archParamSpecs } from '../electron/engine/models/arch.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { prepareTraining, sharedDataDefaults, type TrainOptions } from '../electron/engine/train/training-run.js';
import type { TrainTask } from '../electron/engine/train/presets.js';
import { Rng } from '../electron/engine/util/rng.js';

/** The tasks whose data the GPU script can make in Python: crops of photos. */
const PACKABLE = ['codec'];

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      task: { type: 'string' },
      pack: { type: 'string' },
      'init-from': { type: 'string' },
      batch: { type: 'string' },
      patch: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      data: { type: 'string', multiple: true },
      val: { type: 'string' },
      'max-side': { type: 'string', default: '640' },
      'budget-mib': { type: 'string', default: '28' },
    },
  });
  if (!a.task || !a.pack) throw new Error('usage: torch-pack --task codec --pack DIR [--init-from MODEL] [--batch N] [--patch N] [--lr X] [--seed N]');
  if (!PACKABLE.includes(a.task)) throw new Error(`the GPU script trains ${PACKABLE.join(', ')} from a pack; ${a.task} needs the Node feeder (scripts/torch/train.py)`);
  const log = (line: string) => process.stderr.write(line + '\n');
  await initBackend('wasm');
  const packDir = resolve(a.pack);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const opts: TrainOptions = {
    task: a.task as TrainTask,
    out: join(packDir, 'no-run'),
    steps: 1_000_000,
    batch: num(a.batch),
    patch: num(a.patch),
    lr: num(a.lr),
    seed: num(a.seed),
    initFrom: a['init-from'],
    ...(a.data ? { data: a.data.map((d) => resolve(d)) } : {}),
    ...(a.val ? { val: resolve(a.val) } : {}),
    defaults: sharedDataDefaults(a.task as TrainTask),
    onLog: log,
  };
  const p = await prepareTraining(opts);
  if (p.source.kind !== 'codec') throw new Error(`unexpected data source ${p.source.kind}`);
  await rm(packDir, { recursive: true, force: true });
  await mkdir(join(packDir, 'images'), { recursive: true });

  const maxSide = Number(a['max-side']);
  const budget = Number(a['budget-mib']) * 1024 * 1024;
  const pixels = new Uint8Array(p.source.store.buffer);
  const images: { file: string; source: string; width: number; height: number }[] = [];
  let bytes = 0;
  // A fixed shuffle, so that a budget that cuts the list drops photos of every source alike.
  const order = p.source.store.images.map((_, i) => i);
  const rng = new Rng(0x9acc);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const i of order) {
    const img = p.source.store.images[i];
    const meta = await sharp(img.name).metadata();
    const upright = (meta.orientation ?? 1) === 1;
    let jpeg: Buffer;
    let width = img.width;
    let height = img.height;
    if (meta.format === 'jpeg' && upright && Math.max(img.width, img.height) <= maxSide && meta.space === 'srgb') {
      jpeg = await readFile(img.name);
    } else {
      const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
      width = Math.round(img.width * scale);
      height = Math.round(img.height * scale);
      const raw = pixels.subarray(img.offset, img.offset + img.width * img.height * 3);
      jpeg = await sharp(raw, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(width, height, { kernel: 'lanczos3' }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
    }
    if (bytes + jpeg.length > budget) {
      log(`stopped at the budget: ${images.length} of ${p.source.store.images.length} photos`);
      break;
    }
    const file = `images/${String(i).padStart(4, '0')}.jpg`;
    await writeFile(join(packDir, file), jpeg);
    images.push({ file, source: img.name, width, height });
    bytes += jpeg.length;
  }

  const val = p.val.items.map((it) => ({ name: it.name, width: it.width, height: it.height }));
  const valBytes = new Uint8Array(p.val.items.reduce((s, it) => s + it.target.length, 0));
  let offset = 0;
  for (const it of p.val.items) {
    for (let j = 0; j < it.target.length; j++) valBytes[offset + j] = Math.round(it.target[j] * 255);
    offset += it.target.length;
  }
  await writeFile(join(packDir, 'val.u8'), valBytes);
  if (p.initFrom) await cp(p.initFrom.dir, join(packDir, 'init'), { recursive: true });
  const { steps, ...config } = p.config;
  void steps;
  await writeFile(
    join(packDir, 'pack.json'),
    JSON.stringify(
      {
        format: 'aez-gpu-pack',
        version: 1,
        config,
        record: p.record,
        specs: archParamSpecs(p.config.arch).map((s) => ({ name: s.name, shape: s.shape })),
        initFrom: p.initFrom ? 'init' : null,
        valMetric: p.val.metric,
        val,
        images,
      },
      null,
      1,
    ) + '\n',
  );
  log(`packed ${images.length} photos (${(bytes / 1048576).toFixed(1)} MiB), ${val.length} validation crops, into ${packDir}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`torch-pack: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
