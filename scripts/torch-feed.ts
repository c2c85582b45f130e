// The Node half of the PyTorch mirror (scripts/torch/train.py). PyTorch does the arithmetic of training
// (forward, backward, Adam); everything else stays the project's one TypeScript implementation, so the mirror
// cannot drift from `aez train`: setting up the run from the same flags (train/training-run.ts), the data (batches are
// the same pure function of seed, step and sample index, train/sources.ts), the validation sets and their
// metrics, the sample preview, checkpoints (the same files: a run resumes under either trainer) and the model
// folder it writes (train/trainer.ts's writer, with the codec's calibration).
//
// Protocol, over this process's stdin (requests) and stdout (replies), strictly in order: each message is one
// line of JSON, followed by `bytes` raw bytes when the JSON says so (little-endian float32 arrays). Logs go to
// stderr. Requests: batch, val, export, checkpoint, sample, quit. See scripts/torch/feed.py.
import { join } from 'node:path';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { archInitParams, archParamSpecs, startingWeights, type ArchConfig } from '../electron/engine/models/arch.js';
import { sizeMultiple } from '../electron/engine/nn/unet.js';
import { extractTile, placeTile, type Tile } from '../electron/engine/image/tiling.js';
import { saveModelDir } from '../electron/engine/models/model-file.js';
import { writeFileAtomic } from '../electron/engine/util/atomic-write.js';
import { loadCheckpoint, saveCheckpoint, type CheckpointState } from '../electron/engine/train/checkpoint.js';
import { createSource, sampleShard } from '../electron/engine/train/sources.js';
import { prepareTraining, sharedDataDefaults, type TrainOptions } from '../electron/engine/train/training-run.js';
import type { TrainConfig } from '../electron/engine/train/trainer.js';
import { exactCodecModel } from '../electron/engine/train/codec-calibration.js';
import { scoreCodecLevels } from '../electron/engine/train/codec-validate.js';
import { psnr8, psnr8Weighted, rmse } from '../electron/engine/train/validate.js';
import type { ValItem } from '../electron/engine/train/val-set.js';
import { renderSample } from '../electron/engine/train/sample-preview.js';

interface Message {
  op: string;
  bytes?: number;
  [k: string]: unknown;
}

/** Reads messages (a JSON line, then `bytes` raw bytes) from a stream. */
class MessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake?.();
    });
    stream.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  private async need(check: () => boolean): Promise<void> {
    while (!check()) {
      if (this.ended) throw new Error('the trainer closed the connection');
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }

  async next(): Promise<{ msg: Message; data: Buffer }> {
    await this.need(() => this.buf.indexOf(10) >= 0);
    const nl = this.buf.indexOf(10);
    const msg = JSON.parse(this.buf.subarray(0, nl).toString('utf8')) as Message;
    this.buf = this.buf.subarray(nl + 1);
    const n = msg.bytes ?? 0;
    await this.need(() => this.buf.length >= n);
    const data = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    return { msg, data };
  }
}

function send(msg: Message, ...arrays: ArrayBufferView[]): Promise<void> {
  const bytes = arrays.reduce((s, a) => s + a.byteLength, 0);
  const parts = [Buffer.from(JSON.stringify({ ...msg, bytes }) + '\n'), ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))];
  return new Promise((res, rej) => process.stdout.write(Buffer.concat(parts), (e) => (e ? rej(e) : res())));
}

function floats(data: Buffer, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(data.subarray(offset * 4, (offset + count) * 4));
  return out;
}

/** The padded whole-image input runWhole (train/validate.ts) feeds the network, and where its output goes.
 * The codec's validation crops are already multiples of 64 (codec-validate.ts) and go in as they are. */
function paddedVal(cfg: ArchConfig, item: ValItem): { tile: Tile; input: Float32Array } {
  if (cfg.kind === 'hyperprior') return { tile: { x0: 0, y0: 0, x1: item.width, y1: item.height, cx0: 0, cy0: 0, cw: item.width, ch: item.height }, input: item.target };
  const m = sizeMultiple(cfg);
  const tile: Tile = { x0: 0, y0: 0, x1: item.width, y1: item.height, cx0: 0, cy0: 0, cw: Math.ceil(item.width / m) * m, ch: Math.ceil(item.height / m) * m };
  return { tile, input: extractTile(item.input, item.width, item.height, item.inputChannels ?? item.channels, tile) };
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as TrainOptions;
  const log = (line: string) => process.stderr.write(line + '\n');
  // wasm: the codec's calibration at export runs its synthesis on 16 crops, minutes on the plain-JS backend.
  await initBackend('wasm');
  const p = await prepareTraining({ ...opts, onLog: log, defaults: opts.task ? sharedDataDefaults(opts.task) : undefined });
  const cfg: TrainConfig = p.config;
  const arch = cfg.arch;
  const specs = archParamSpecs(arch);
  const size = specs.reduce((s, x) => s + x.shape.reduce((a, b) => a * b, 1), 0);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(p.outDir, { recursive: true });
  await writeFileAtomic(join(p.outDir, 'run.json'), Buffer.from(JSON.stringify({ ...p.record, trainer: 'pytorch-mirror' }, null, 1) + '\n'));

  // Where the run starts: its checkpoint, else the model it grows from, else the seeded initialisation.
  const resumed = await loadCheckpoint<TrainConfig>(p.outDir, size);
  let start: Float32Array[];
  if (resumed) {
    const a = resumed.state.config;
    if (JSON.stringify(a.arch) !== JSON.stringify(cfg.arch) || a.seed !== cfg.seed || a.batch !== cfg.batch || a.patch !== cfg.patch) {
      throw new Error(`${p.outDir} holds a checkpoint of a different run (architecture, seed, batch or patch differ); choose another --out`);
    }
    start = [resumed.params, resumed.m, resumed.v];
    log(`resuming ${cfg.id} at step ${resumed.state.step} of ${cfg.steps}`);
  } else {
    const flat = new Float32Array(size);
    let offset = 0;
    if (p.initFrom) {
      const s = startingWeights(p.initFrom.manifest.arch as ArchConfig, p.initFrom.weights, arch, cfg.seed);
      for (const spec of specs) {
        const w = s.weights.get(spec.name)!;
        flat.set(w, offset);
        offset += w.length;
      }
      log(`starting from the weights of ${p.initFrom.dir}${s.grown && arch.kind === 'unet' ? ` grown to widths ${arch.widths.join('/')}` : ''}`);
    } else {
      const init = archInitParams(arch, cfg.seed);
      for (const spec of specs) {
        const t = init.get(spec.name)!;
        flat.set(t.dataSync() as Float32Array, offset);
        offset += t.size;
        t.dispose();
      }
    }
    start = [flat];
  }

  const val = p.val.items.map((item) => ({ item, ...paddedVal(arch, item) }));
  await send(
    {
      op: 'start',
      config: cfg,
      outDir: p.outDir,
      specs: specs.map((s) => ({ name: s.name, shape: s.shape })),
      resume: resumed ? resumed.state : null,
      val: { metric: p.val.metric, items: val.map((v) => ({ name: v.item.name, ch: v.tile.ch, cw: v.tile.cw, inC: v.item.inputChannels ?? v.item.channels, channels: v.item.channels, sigma: v.item.sigma ?? null })) },
    },
    ...start,
    ...val.map((v) => v.input),
  );

  const source = await createSource(p.source);
  const reader = new MessageReader(process.stdin);
  let sampleOutput: Float32Array | undefined;
  for (;;) {
    const { msg, data } = await reader.next();
    if (msg.op === 'quit') break;
    if (msg.op === 'batch') {
      const b = sampleShard(source, cfg.seed, msg.step as number, 0, cfg.batch, cfg.patch);
      const levels = b.levels ? [Float32Array.from(b.levels)] : [];
      await send({ op: 'batch', n: b.n, patch: b.patch, channels: b.channels, inC: b.inputChannels ?? b.channels, sigma: !!b.sigma, levels: !!b.levels, noiseSeed: b.noiseSeed ?? null }, b.input, b.target, ...(b.sigma ? [b.sigma] : []), ...levels);
    } else if (msg.op === 'val' && arch.kind === 'hyperprior') {
      // Per item: the rate (bpp) and the clipped output's MSE at each quality level, then the middle level's
      // output for the sample; scored as codec-validate.ts scores the TypeScript trainer's.
      const L = arch.lambdas.length;
      let offset = 0;
      const perItem = val.map((v, i) => {
        const bpp = floats(data, offset, L);
        const mse = floats(data, offset + L, L);
        const n = v.item.width * v.item.height * 3;
        if (i === 0) sampleOutput = floats(data, offset + 2 * L, n);
        offset += 2 * L + n;
        return { bpp, mse };
      });
      const score = scoreCodecLevels(arch, perItem);
      await send({ op: 'val', value: score.cost, levels: score.levels });
    } else if (msg.op === 'val') {
      // The network's outputs on the padded inputs, in order; scored exactly as train/validate.ts scores them.
      let offset = 0;
      let sum = 0;
      for (const [i, v] of val.entries()) {
        const n = v.tile.cw * v.tile.ch * v.item.channels;
        const out = new Float32Array(v.item.width * v.item.height * v.item.channels);
        placeTile(out, v.item.width, v.item.channels, v.tile, floats(data, offset, n));
        offset += n;
        if (i === 0) sampleOutput = out;
        sum += p.val.metric === 'rmse' ? rmse(out, v.item.target) : v.item.weight ? psnr8Weighted(out, v.item.target, v.item.channels, v.item.weight) : psnr8(out, v.item.target);
      }
      await send({ op: 'val', value: sum / val.length });
    } else if (msg.op === 'sample') {
      if (sampleOutput) {
        const s = await renderSample(val[0].item, sampleOutput);
        await writeFileAtomic(join(p.outDir, 'sample.png'), s.png);
      }
      await send({ op: 'ok' });
    } else if (msg.op === 'export') {
      const flat = floats(data, 0, size);
      let weights = new Map<string, Float32Array>();
      let offset = 0;
      for (const s of specs) {
        const n = s.shape.reduce((a, b) => a * b, 1);
        weights.set(s.name, flat.slice(offset, offset + n));
        offset += n;
      }
      // A codec is written with its exact synthesis calibrated, as the TypeScript trainer writes it.
      let outArch: ArchConfig = arch;
      if (arch.kind === 'hyperprior' && p.source.kind === 'codec') {
        const t0 = Date.now();
        ({ arch: outArch, weights } = exactCodecModel(arch, weights, p.source.store));
        log(`calibrated the exact synthesis in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      await saveModelDir(join(p.outDir, 'model'), weights, {
        id: cfg.id,
        task: cfg.task,
        arch: outArch,
        dtype: 'float16',
        ...(cfg.inputs ? { inputs: cfg.inputs } : {}),
        training: { step: msg.step, metric: msg.metric, metricName: p.val.metric, seed: cfg.seed, trainer: 'pytorch-mirror' },
      });
      await send({ op: 'ok' });
    } else if (msg.op === 'checkpoint') {
      const state = msg.state as CheckpointState<TrainConfig>;
      await saveCheckpoint(p.outDir, { ...state, config: cfg }, floats(data, 0, size), floats(data, size, size), floats(data, 2 * size, size));
      const prev = msg.previousBin as string | undefined;
      if (prev && prev !== `checkpoint-${state.step}.bin`) await import('node:fs/promises').then((fs) => fs.unlink(join(p.outDir, prev)).catch(() => {}));
      await send({ op: 'ok' });
    } else {
      throw new Error(`unknown request ${msg.op}`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`torch-feed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
