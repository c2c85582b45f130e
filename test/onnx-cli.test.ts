// End to end through the CLI and its worker pool: `aez --backend ort denoise` writes the same image as
// `--backend wasm` (within one 8-bit step), and `aez doctor` names the inference engine and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { gradientImage, saveTinyModel, tempDir, TINY_SCAN, writePng } from './helpers.js';

const AEZ = resolve('bin/aez.js');

function aez(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const e = { ...process.env, ...env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete e[k];
    const child = spawn(process.execPath, [AEZ, ...args], { env: e });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

async function pixels(path: string): Promise<Buffer> {
  return sharp(path).raw().toBuffer();
}

test('aez --backend ort denoise gives the same image as --backend wasm (within 1/255), photo and scan models', async () => {
  const dir = await tempDir();
  await mkdir(join(dir, 'out'));
  const photo = join(dir, 'photo.png');
  const page = join(dir, 'page.png');
  await writePng(photo, gradientImage(90, 60, 3), 90, 60, 3);
  await writePng(page, gradientImage(64, 40, 1), 64, 40, 1);
  const photoModel = await saveTinyModel(join(dir, 'm-photo'), { kind: 'unet', channels: 3, noiseMap: true, widths: [8, 12, 16], blocks: [1, 1, 2] });
  const scanModel = await saveTinyModel(join(dir, 'm-scan'), TINY_SCAN, 'float16');
  for (const [input, model, extra] of [
    [photo, photoModel, ['--sigma', '20']],
    [page, scanModel, []],
  ] as const) {
    const outs: Record<string, string> = {};
    for (const backend of ['ort', 'wasm']) {
      outs[backend] = join(dir, 'out', `${backend}-${model.endsWith('photo') ? 'p' : 's'}.png`);
      const r = await aez(['--backend', backend, '--threads', '2', 'denoise', input, '-o', outs[backend], '--model', model, ...extra]);
      assert.equal(r.code, 0, r.stderr);
    }
    const a = await pixels(outs.ort);
    const b = await pixels(outs.wasm);
    assert.equal(a.length, b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst <= 1, `${model}: ort and wasm outputs differ by ${worst}/255`);
  }
});

test('aez doctor lists the inference engine, every onnxruntime provider with a reason, and the tfjs backend', async () => {
  const r = await aez(['doctor', '--json'], { AEZ_BACKEND: undefined });
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.match(d.engine.chosen, /^ort-/);
  const names = d.engine.attempts.map((a: { name: string }) => a.name);
  for (const n of ['ort-cuda', 'ort-dml', 'ort-coreml', 'ort']) assert.ok(names.includes(n), `${n} in ${names}`);
  assert.ok(d.engine.attempts.every((a: { reason: string }) => a.reason.length > 0));
  assert.ok(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'].includes(d.backend.chosen));
  assert.equal(r.stderr, '', 'probing missing GPU providers prints nothing');

  const forced = await aez(['--backend', 'wasm', 'doctor']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /engine: +tfjs-wasm \(forced by --backend\)/);
  assert.match(forced.stdout, /✓ ort /);
});

test('without a loadable onnxruntime-node, inference falls back to TensorFlow.js and says why', async () => {
  const dir = await tempDir();
  // A module hook that makes `import('onnxruntime-node')` fail as on a platform without its binaries.
  const hook = join(dir, 'no-ort.mjs');
  const resolver = `export async function resolve(s, c, next) { if (s === 'onnxruntime-node') { const e = new Error("Cannot find package 'onnxruntime-node'"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }`;
  await writeFile(hook, `import { register } from 'node:module';\nregister(${JSON.stringify('data:text/javascript,' + encodeURIComponent(resolver))});\n`);
  const env = { ...process.env };
  delete env.AEZ_BACKEND;
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
      const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, AEZ, ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => res({ code, stdout, stderr }));
    });
  const r = await run(['doctor', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.match(d.engine.chosen, /^tfjs-/);
  assert.match(d.engine.why, /fell back to TensorFlow\.js/);
  assert.match(d.engine.attempts.find((a: { name: string }) => a.name === 'ort').reason, /onnxruntime-node is not installed/);

  const img = join(dir, 'a.png');
  await writePng(img, gradientImage(40, 32, 1), 40, 32, 1);
  const model = await saveTinyModel(join(dir, 'm'), TINY_SCAN);
  const ok = await run(['denoise', img, '-o', join(dir, 'b.png'), '--model', model]);
  assert.equal(ok.code, 0, ok.stderr);
  const forced = await run(['--backend', 'ort', 'denoise', img, '-o', join(dir, 'c.png'), '--model', model]);
  assert.notEqual(forced.code, 0);
  assert.match(forced.stderr, /ort was asked for but cannot run: onnxruntime-node is not installed/);
});
