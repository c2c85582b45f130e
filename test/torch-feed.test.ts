// The Node half of the PyTorch mirror (scripts/torch-feed.ts), driven as train.py drives it but without Python:
// its batches are exactly `aez train`'s, validations are scored by the app's metric, exports are model folders
// the app loads, and checkpoints are the trainer's own files, resumed by a new feeder.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { join, resolve } from 'node:path';
import { gradientImage, tempDir, writePng } from './helpers.js';
import { prepareTraining } from '../electron/engine/train/training-run.js';
import { createSource, sampleShard } from '../electron/engine/train/sources.js';
import { loadModelDir } from '../electron/engine/models/model-file.js';
import { decodeHalf, encodeHalf } from '../electron/engine/models/half-float.js';
import { loadCheckpoint } from '../electron/engine/train/checkpoint.js';
import { psnr8 } from '../electron/engine/train/validate.js';
import { scoreCodecLevels } from '../electron/engine/train/codec-validate.js';
import { EXACT_SHIFTS_PARAM } from '../electron/engine/codec/model/config.js';

interface Msg {
  op: string;
  bytes?: number;
  [k: string]: any;
}

/** The feeder as a request/reply channel (a JSON line, then `bytes` raw float32 bytes). */
function feeder(options: object) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [resolve('dist/scripts/torch-feed.js'), JSON.stringify(options)]);
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => ((buf = Buffer.concat([buf, d])), wake?.()));
  child.stderr.on('data', (d) => (stderr += d));
  child.on('exit', () => wake?.());
  const read = async (): Promise<{ msg: Msg; data: Float32Array }> => {
    const until = async (ok: () => boolean) => {
      while (!ok()) {
        if (child.exitCode !== null) throw new Error(`feeder exited ${child.exitCode}: ${stderr}`);
        await new Promise<void>((r) => (wake = r));
      }
    };
    await until(() => buf.indexOf(10) >= 0);
    const nl = buf.indexOf(10);
    const msg = JSON.parse(buf.subarray(0, nl).toString()) as Msg;
    buf = buf.subarray(nl + 1);
    const n = msg.bytes ?? 0;
    await until(() => buf.length >= n);
    const data = new Float32Array(n / 4);
    new Uint8Array(data.buffer).set(buf.subarray(0, n));
    buf = buf.subarray(n);
    return { msg, data };
  };
  const call = (msg: Msg, ...arrays: Float32Array[]) => {
    const raw = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
    child.stdin.write(JSON.stringify({ ...msg, bytes: raw.length }) + '\n');
    child.stdin.write(raw);
    return read();
  };
  const quit = () => new Promise<void>((r) => (child.once('exit', () => r()), child.stdin.end(JSON.stringify({ op: 'quit' }) + '\n')));
  const kill = () => child.exitCode === null && child.kill();
  return { read, call, quit, kill };
}

test('torch feeder: aez train\'s batches, metric, model folder and checkpoints', async () => {
  const dir = await tempDir();
  const data = join(dir, 'photos');
  const val = join(dir, 'val');
  await mkdir(data);
  await mkdir(val);
  for (let i = 0; i < 3; i++) await writePng(join(data, `p${i}.png`), gradientImage(72 + 8 * i, 64, 3), 72 + 8 * i, 64, 3);
  await writePng(join(val, 'v.png'), gradientImage(40, 36, 3), 40, 36, 3);
  const options = { task: 'photo', out: join(dir, 'run'), steps: 6, batch: 3, patch: 32, seed: 5, widths: [4, 8, 8], blocks: [1, 1, 1], data: [data], val, valEvery: 2, checkpointEvery: 2 };

  const f = feeder(options);
  after(f.kill);
  const { msg: start, data: startData } = await f.read();
  assert.equal(start.op, 'start');
  assert.equal(start.resume, null);
  assert.equal(start.config.batch, 3);
  const size = start.specs.reduce((s: number, x: { shape: number[] }) => s + x.shape.reduce((a, b) => a * b, 1), 0);
  const item = start.val.items[0];
  assert.deepEqual([item.ch, item.cw, item.channels], [40, 40, 3], 'validation input padded to the size multiple');
  assert.equal(startData.length, size + item.ch * item.cw * item.inC);

  // The batch of step 3 is the one the TypeScript trainer draws for step 3.
  const { msg: bm, data: batch } = await f.call({ op: 'batch', step: 3 });
  const p = await prepareTraining(options as never);
  const expected = sampleShard(await createSource(p.source), 5, 3, 0, 3, 32);
  assert.equal(bm.sigma, true);
  assert.deepEqual(batch, Float32Array.from([...expected.input, ...expected.target, ...expected.sigma!]));

  // A validation output of all zeros is scored by the app's PSNR against the validation target.
  const { msg: vm } = await f.call({ op: 'val' }, new Float32Array(item.ch * item.cw * 3));
  assert.equal(vm.value, psnr8(new Float32Array(40 * 36 * 3), p.val.items[0].target));

  const params = startData.slice(0, size).map((v, i) => v + 0.001 * (i % 7));
  assert.equal((await f.call({ op: 'export', step: 2, metric: 12.5 }, params)).msg.op, 'ok');
  const model = await loadModelDir(join(dir, 'run', 'model'));
  assert.equal(model.manifest.training?.trainer, 'pytorch-mirror');
  assert.deepEqual(Float32Array.from([...model.weights.values()].flatMap((w) => [...w])), decodeHalf(encodeHalf(params)));

  const m = params.map((v) => v * 0.5);
  const v = params.map((x) => x * x);
  const state = { step: 2, elapsedMs: 1234, history: [{ step: 2 }], adamT: 2, best: { step: 2, metric: 12.5 } };
  assert.equal((await f.call({ op: 'checkpoint', state, previousBin: null }, params, m, v)).msg.op, 'ok');
  await f.quit();
  const ck = await loadCheckpoint(join(dir, 'run'), size);
  assert.ok(ck);
  assert.equal(ck.state.step, 2);
  assert.deepEqual([ck.params, ck.m, ck.v], [params, m, v]);

  // A new feeder on the same folder resumes from it.
  const again = feeder(options);
  after(again.kill);
  const { msg: resumed, data: resumedData } = await again.read();
  assert.equal(resumed.resume.step, 2);
  assert.equal(resumed.resume.adamT, 2);
  assert.deepEqual(resumedData.slice(0, 3 * size), Float32Array.from([...params, ...m, ...v]));
  await again.quit();
});

test('torch feeder, codec: batches with levels and noise seeds, the rate–distortion score, a calibrated model', async () => {
  const dir = await tempDir();
  const data = join(dir, 'photos');
  const val = join(dir, 'val');
  await mkdir(data);
  await mkdir(val);
  for (let i = 0; i < 3; i++) await writePng(join(data, `p${i}.png`), gradientImage(160 + 8 * i, 136, 3), 160 + 8 * i, 136, 3);
  await writePng(join(val, 'v.png'), gradientImage(140, 70, 3), 140, 70, 3);
  const options = { task: 'codec', out: join(dir, 'run'), steps: 4, batch: 2, patch: 64, seed: 7, data: [data], val, valEvery: 2, checkpointEvery: 2 };

  const f = feeder(options);
  after(f.kill);
  const { msg: start, data: startData } = await f.read();
  assert.equal(start.config.arch.kind, 'hyperprior');
  const size = start.specs.reduce((s: number, x: { shape: number[] }) => s + x.shape.reduce((a, b) => a * b, 1), 0);
  const item = start.val.items[0];
  assert.deepEqual([item.ch, item.cw, item.inC], [64, 128, 3], 'the validation crop: multiples of 64, unpadded');
  assert.equal(startData.length, size + 64 * 128 * 3);

  const { msg: bm, data: batch } = await f.call({ op: 'batch', step: 1 });
  const p = await prepareTraining(options as never);
  const expected = sampleShard(await createSource(p.source), 7, 1, 0, 2, 64);
  assert.equal(bm.levels, true);
  assert.equal(bm.noiseSeed, expected.noiseSeed);
  assert.deepEqual(batch, Float32Array.from([...expected.input, ...expected.target, ...expected.levels!]));

  // Per item: bpp and MSE at each level, then the middle level's output; scored as the TypeScript trainer scores.
  const L = start.config.arch.lambdas.length as number;
  const bpp = Float32Array.from({ length: L }, (_, l) => 0.2 + 0.1 * l);
  const mse = Float32Array.from({ length: L }, (_, l) => 0.004 / (l + 1));
  const { msg: vm } = await f.call({ op: 'val' }, bpp, mse, new Float32Array(64 * 128 * 3));
  const score = scoreCodecLevels(start.config.arch, [{ bpp, mse }]);
  assert.ok(Math.abs(vm.value - score.cost) < 1e-9);
  assert.equal(vm.levels.length, L);

  // The export goes through the app's calibration: the model decodes with the exact synthesis.
  assert.equal((await f.call({ op: 'export', step: 2, metric: vm.value }, startData.slice(0, size))).msg.op, 'ok');
  const model = await loadModelDir(join(dir, 'run', 'model'));
  assert.equal(model.manifest.arch.kind, 'hyperprior');
  assert.equal((model.manifest.arch as { exactSynthesis?: boolean }).exactSynthesis, true);
  assert.ok(model.weights.has(EXACT_SHIFTS_PARAM));
  await f.quit();
});

test('torch pack for the GPU machine: the run config, every photo as a JPEG, validation crops, the start model', async () => {
  const dir = await tempDir();
  const data = join(dir, 'photos');
  await mkdir(data);
  for (let i = 0; i < 3; i++) await writePng(join(data, `p${i}.png`), gradientImage(150 + 10 * i, 140, 3), 150 + 10 * i, 140, 3);
  const pack = join(dir, 'pack');
  const code = await new Promise<number | null>((res) => {
    const child = spawn(process.execPath, [resolve('dist/scripts/torch-pack.js'), '--task', 'codec', '--pack', pack, '--data', data, '--val', data, '--batch', '4', '--init-from', resolve('models/codec')]);
    child.stderr.resume();
    child.on('close', res);
  });
  assert.equal(code, 0);
  const meta = JSON.parse(await readFile(join(pack, 'pack.json'), 'utf8'));
  assert.equal(meta.format, 'aez-gpu-pack');
  assert.equal(meta.config.batch, 4);
  assert.equal(meta.config.arch.kind, 'hyperprior');
  assert.equal(meta.images.length, 3);
  for (const img of meta.images) {
    const m = await sharp(join(pack, img.file)).metadata();
    assert.deepEqual([m.format, m.width, m.height], ['jpeg', img.width, img.height]);
  }
  const valBytes = meta.val.reduce((s: number, v: { width: number; height: number }) => s + v.width * v.height * 3, 0);
  assert.equal((await readFile(join(pack, 'val.u8'))).length, valBytes);
  assert.equal(meta.initFrom, 'init');
  const init = await loadModelDir(join(pack, 'init'));
  assert.equal(init.manifest.id, 'codec');
});
