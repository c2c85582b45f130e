import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile, copyFile, symlink, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { gradientImage, saveTinyModel, tempDir, TINY_PHOTO, TINY_SCAN, writePng } from './helpers.js';

const AEZ = resolve('bin/aez.js');

function aez(args: string[], opts: { interruptOn?: RegExp } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [AEZ, ...args], { env: { ...process.env, AEZ_BACKEND: 'wasm' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    let interrupted = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      // Interrupt once the CLI says it is working on the file, half a second into it.
      if (opts.interruptOn && !interrupted && opts.interruptOn.test(stderr)) {
        interrupted = true;
        setTimeout(() => child.kill('SIGINT'), 500);
      }
    });
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

async function fixtures() {
  const dir = await tempDir();
  const inDir = join(dir, 'in');
  const outDir = join(dir, 'out');
  await mkdir(inDir);
  await mkdir(outDir);
  await writePng(join(inDir, 'a.png'), gradientImage(70, 50, 3), 70, 50, 3);
  await writePng(join(inDir, 'grey.png'), gradientImage(40, 30, 1), 40, 30, 1);
  const model = await saveTinyModel(join(dir, 'model'), TINY_PHOTO);
  return { dir, inDir, outDir, model };
}

test('denoises a folder into a folder, keeps names and sizes, and reports JSON per file', async () => {
  const f = await fixtures();
  const r = await aez(['denoise', f.inDir, '-o', f.outDir, '--model', f.model, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.ok && typeof l.details.sigma === 'number'));
  assert.deepEqual((await readdir(f.outDir)).sort(), ['a.png', 'grey.png']);
  const meta = await sharp(join(f.outDir, 'grey.png')).metadata();
  assert.equal(meta.width, 40);
  assert.equal(meta.channels, 1);
});

test('a single file with an explicit output format and sigma', async () => {
  const f = await fixtures();
  const out = join(f.outDir, 'x.webp');
  const r = await aez(['denoise', join(f.inDir, 'a.png'), '-o', out, '--model', f.model, '--sigma', '15']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await sharp(out).metadata()).format, 'webp');
  assert.match(r.stdout, /σ 15/);
});

test('one bad file fails with its reason while the others complete; exit code says so', async () => {
  const f = await fixtures();
  await writeFile(join(f.inDir, 'empty.png'), '');
  await writeFile(join(f.inDir, 'text.png'), 'this is not an image');
  const png = await readFile(join(f.inDir, 'a.png'));
  await writeFile(join(f.inDir, 'cut.png'), png.subarray(0, Math.floor(png.length * 0.6)));
  const r = await aez(['denoise', f.inDir, '-o', f.outDir, '--model', f.model, '--json']);
  assert.equal(r.code, 1);
  const byName = Object.fromEntries(r.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((l) => [l.input.split('/').pop(), l]));
  assert.equal(byName['a.png'].ok, true);
  assert.equal(byName['grey.png'].ok, true);
  assert.equal(byName['empty.png'].error.code, 'INPUT_EMPTY');
  assert.equal(byName['text.png'].error.code, 'INPUT_UNSUPPORTED');
  assert.equal(byName['cut.png'].error.code, 'INPUT_CORRUPT');
  assert.deepEqual((await readdir(f.outDir)).sort(), ['a.png', 'grey.png']);
});

test('refuses to overwrite an original, also through a symlink, and never touches it', async () => {
  const f = await fixtures();
  const input = join(f.inDir, 'a.png');
  const before = await readFile(input);
  let r = await aez(['denoise', input, '-o', input, '--model', f.model]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /input/i);
  await symlink(input, join(f.outDir, 'link.png'));
  r = await aez(['denoise', input, '-o', join(f.outDir, 'link.png'), '--model', f.model, '--overwrite']);
  assert.notEqual(r.code, 0);
  assert.deepEqual(await readFile(input), before);
});

test('existing outputs are kept unless --overwrite', async () => {
  const f = await fixtures();
  const out = join(f.outDir, 'o.png');
  await copyFile(join(f.inDir, 'grey.png'), out);
  let r = await aez(['denoise', join(f.inDir, 'a.png'), '-o', out, '--model', f.model]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /exists/);
  r = await aez(['denoise', join(f.inDir, 'a.png'), '-o', out, '--model', f.model, '--overwrite']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await sharp(out).metadata()).width, 70);
});

test('clear errors: missing input, an output folder that cannot be made, unknown format, missing and corrupt model, bad sigma, bad backend', async () => {
  const f = await fixtures();
  const cases: [string[], RegExp][] = [
    [['denoise', join(f.dir, 'nope.png'), '-o', f.outDir, '--model', f.model], /nope\.png: no such file/],
    [['denoise', f.inDir, '-o', join(f.inDir, 'a.png', 'sub'), '--model', f.model], /cannot create the output folder/],
    [['denoise', join(f.inDir, 'a.png'), '-o', join(f.outDir, 'a.xyz'), '--model', f.model], /output format/],
    [['denoise', f.inDir, '-o', f.outDir, '--model', join(f.dir, 'no-model')], /no model at/],
    [['denoise', f.inDir, '-o', f.outDir, '--model', 'nonexistent'], /model "nonexistent" is not installed/],
    [['denoise', f.inDir, '-o', f.outDir, '--model', f.model, '--sigma', '-3'], /--sigma must be/],
    [['--backend', 'quantum', 'doctor'], /unknown backend "quantum"/],
  ];
  for (const [args, pattern] of cases) {
    const r = await aez(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code} ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  await writeFile(join(f.model, 'weights.bin'), 'garbage');
  const r = await aez(['denoise', f.inDir, '-o', f.outDir, '--model', f.model]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /weights\.bin has/);
});

test('the scan model turns a colour scan into a cleaned page of the same size', async () => {
  const f = await fixtures();
  const scan = await saveTinyModel(join(f.dir, 'scan'), TINY_SCAN);
  const out = join(f.outDir, 'page.png');
  const r = await aez(['denoise', join(f.inDir, 'a.png'), '-o', out, '--model', scan]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await sharp(out).metadata()).width, 70);
});

test('Ctrl-C mid-run cancels: exit 130, no partial or temporary output left', async () => {
  const f = await fixtures();
  const big = join(f.inDir, 'big.png');
  await writePng(big, gradientImage(2400, 2000, 3), 2400, 2000, 3);
  const heavy = await saveTinyModel(join(f.dir, 'heavy'), { kind: 'unet', channels: 3, noiseMap: true, widths: [48, 96], blocks: [3, 3] });
  const r = await aez(['denoise', big, '-o', join(f.outDir, 'big.png'), '--model', heavy], { interruptOn: /denoising .*big\.png/ });
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(await readdir(f.outDir), []);
});

test('aez doctor reports the backend chain and the installed models', async () => {
  const r = await aez(['doctor', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.backend.chosen, 'wasm');
  assert.ok(d.backend.attempts.length >= 1);
  assert.ok(d.cpu.cores >= 1);
  await stat(d.modelsDir);
});
