// Where the command line writes, as users expect: without -o each result goes beside its input under the
// app's names (photo-denoised.png, photo.aez, photo-restored.png) and never over anything; an output folder
// that does not exist is made (parents too); exit codes follow the README (2 for a setting no file can use);
// messages name the flag that helps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gradientImage, saveTinyModel, tempDir, TINY_PHOTO, writePng } from './helpers.js';
import { saveTinyCodec } from './codec-helpers.js';

function aez(args: string[], modelsDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [resolve('bin/aez.js'), ...args], { env: { ...process.env, AEZ_BACKEND: 'wasm', AEZ_MODELS_DIR: modelsDir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

async function fixtures() {
  const dir = await tempDir();
  const models = join(dir, 'models');
  await saveTinyModel(join(models, 'photo'), TINY_PHOTO);
  await saveTinyCodec(join(models, 'codec'));
  const pics = join(dir, 'pics');
  await mkdir(pics);
  await writePng(join(pics, 'photo.png'), gradientImage(64, 48, 3), 64, 48, 3);
  return { dir, models, pics, photo: join(pics, 'photo.png') };
}

test('without -o: results beside the input under the app names, numbered, the input untouched', async () => {
  const f = await fixtures();
  const original = await readFile(f.photo);
  for (let i = 0; i < 2; i++) assert.equal((await aez(['denoise', f.photo, '--sigma', '10'], f.models)).code, 0);
  const c = await aez(['compress', f.photo, '--quality', '2'], f.models);
  assert.equal(c.code, 0, c.stderr);
  const d = await aez(['decompress', join(f.pics, 'photo.aez')], f.models);
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual((await readdir(f.pics)).sort(), ['photo-denoised (2).png', 'photo-denoised.png', 'photo-restored.png', 'photo.aez', 'photo.png']);
  assert.deepEqual(await readFile(f.photo), original);
});

test('an output folder that does not exist is made, parents too', async () => {
  const f = await fixtures();
  const out = join(f.dir, 'new', 'deeper');
  const r = await aez(['denoise', f.pics, '-o', out, '--sigma', '10'], f.models);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await readdir(out), ['photo.png']);
});

test('a quality the codec does not have is a usage error (exit 2) before any file is written', async () => {
  const f = await fixtures();
  const out = join(f.dir, 'out');
  const r = await aez(['compress', f.pics, '-o', out, '-q', '9'], f.models);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /quality/);
  assert.deepEqual(await readdir(f.dir).then((n) => n.includes('out')), false, 'nothing made');
});

test('messages: an existing output names --overwrite; a wrong single extension says which one to use', async () => {
  const f = await fixtures();
  const target = join(f.dir, 'x.png');
  assert.equal((await aez(['denoise', f.photo, '-o', target, '--sigma', '10'], f.models)).code, 0);
  const again = await aez(['denoise', f.photo, '-o', target, '--sigma', '10'], f.models);
  assert.equal(again.code, 1);
  assert.match(again.stderr + again.stdout, /already exists.*--overwrite/);
  const ext = await aez(['compress', f.photo, '-o', join(f.dir, 'x.bin')], f.models);
  assert.match(ext.stderr + ext.stdout, /name it with \.aez/);
});
