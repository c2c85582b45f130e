// `aez compress`, `aez decompress` and `aez info` as a user runs them, with a small codec installed in a
// temporary models folder: folders in and out, rate targets, JSON results, bad files, missing models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { gradientImage, tempDir, writePng } from './helpers.js';
import { saveTinyCodec } from './codec-helpers.js';

const AEZ = resolve('bin/aez.js');

function aez(args: string[], modelsDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [AEZ, ...args], { env: { ...process.env, AEZ_BACKEND: 'wasm', AEZ_MODELS_DIR: modelsDir } });
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
  await saveTinyCodec(join(models, 'tiny-codec'));
  const inDir = join(dir, 'in');
  const outDir = join(dir, 'out');
  await mkdir(inDir);
  await mkdir(outDir);
  await writePng(join(inDir, 'a.png'), gradientImage(70, 50, 3), 70, 50, 3);
  await writePng(join(inDir, 'grey.png'), gradientImage(40, 30, 1), 40, 30, 1);
  return { dir, models, inDir, outDir };
}

test('compress a folder to NAME.aez, restore it to PNGs of the same size, print the header', async () => {
  const f = await fixtures();
  const aezDir = join(f.dir, 'aez');
  await mkdir(aezDir);
  const c = await aez(['compress', f.inDir, '-o', aezDir, '--model', 'tiny-codec', '--quality', '2', '--json'], f.models);
  assert.equal(c.code, 0, c.stderr);
  const results = c.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(results.length, 2);
  for (const r of results) {
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.details.bytes > 0 && r.details.bpp > 0 && r.details.psnr > 0, JSON.stringify(r.details));
    assert.equal(r.details.quality, 2);
  }
  assert.deepEqual((await readdir(aezDir)).sort(), ['a.aez', 'grey.aez']);

  const d = await aez(['decompress', aezDir, '-o', f.outDir, '--json'], f.models);
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual((await readdir(f.outDir)).sort(), ['a.png', 'grey.png']);
  const meta = await sharp(join(f.outDir, 'grey.png')).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels], [40, 30, 1]);

  const i = await aez(['info', join(aezDir, 'a.aez'), '--json'], f.models);
  assert.equal(i.code, 0, i.stderr);
  const info = JSON.parse(i.stdout);
  assert.equal(info.width, 70);
  assert.equal(info.model, 'tiny-codec');
  assert.equal(info.modelInstalled, true);
  assert.equal(info.userQuality, 2);
  const text = await aez(['info', join(aezDir, 'a.aez')], f.models);
  assert.match(text.stdout, /70×50, RGB, 8-bit/);
});

test('a size target is met and reported; restore to another format by the output name', async () => {
  const f = await fixtures();
  const out = join(f.dir, 'a.aez');
  const c = await aez(['compress', join(f.inDir, 'a.png'), '-o', out, '--model', 'tiny-codec', '--size', '0.4KB', '--json'], f.models);
  assert.equal(c.code, 0, c.stderr);
  const r = JSON.parse(c.stdout);
  assert.ok(r.details.bytes <= 400 || r.details.targetMissed, JSON.stringify(r.details));
  const webp = join(f.dir, 'a.webp');
  const d = await aez(['decompress', out, '-o', webp], f.models);
  assert.equal(d.code, 0, d.stderr);
  assert.equal((await sharp(webp).metadata()).format, 'webp');
});

test('bad arguments and bad files: specific messages, exit codes, no output left behind', async () => {
  const f = await fixtures();
  const both = await aez(['compress', f.inDir, '-o', f.dir, '--model', 'tiny-codec', '--quality', '2', '--size', '5KB'], f.models);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /one of --quality, --bpp and --size/);
  const size = await aez(['compress', join(f.inDir, 'a.png'), '-o', join(f.dir, 'x.aez'), '--model', 'tiny-codec', '--size', 'lots'], f.models);
  assert.match(size.stderr, /--size "lots"/);
  const q = await aez(['compress', join(f.inDir, 'a.png'), '-o', join(f.dir, 'x.aez'), '--model', 'tiny-codec', '--quality', '9'], f.models);
  assert.equal(q.code, 2, 'a quality the model lacks is a usage error');
  assert.match(q.stderr, /quality must be between 1 and 3/);
  const effortSize = await aez(['compress', join(f.inDir, 'a.png'), '-o', join(f.dir, 'x.aez'), '--model', 'tiny-codec', '--effort', '1', '--size', '5KB'], f.models);
  assert.equal(effortSize.code, 2);
  assert.match(effortSize.stderr, /--effort works with --quality/);
  const refined = join(f.dir, 'refined.aez');
  const e1 = await aez(['compress', join(f.inDir, 'a.png'), '-o', refined, '--model', 'tiny-codec', '--quality', '2', '--effort', '1'], f.models);
  assert.equal(e1.code, 0, e1.stderr);
  assert.equal((await aez(['decompress', refined, '-o', join(f.dir, 'refined.png')], f.models)).code, 0, 'a refined file restores like any other');

  // A damaged file, a truncated one, a file of another kind: per-file failures, nothing written.
  const good = join(f.dir, 'good.aez');
  assert.equal((await aez(['compress', join(f.inDir, 'a.png'), '-o', good, '--model', 'tiny-codec'], f.models)).code, 0);
  const bytes = await readFile(good);
  const bad = join(f.dir, 'bad');
  await mkdir(bad);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 20] ^= 0x10;
  await writeFile(join(bad, 'flipped.aez'), flipped);
  await writeFile(join(bad, 'cut.aez'), bytes.subarray(0, bytes.length - 30));
  await writeFile(join(bad, 'png.aez'), await readFile(join(f.inDir, 'a.png')));
  const restored = join(f.dir, 'restored');
  await mkdir(restored);
  const d = await aez(['decompress', bad, '-o', restored, '--json'], f.models);
  assert.equal(d.code, 1);
  const lines = d.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const byName = Object.fromEntries(lines.map((l) => [l.input.split('/').pop(), l]));
  assert.match(byName['flipped.aez'].error.message, /CRC/);
  assert.match(byName['cut.aez'].error.message, /ends inside|truncated/);
  assert.match(byName['png.aez'].error.message, /not an \.aez file|magic/i);
  assert.deepEqual(await readdir(restored), [], 'no partial output');

  // The model the file needs is not installed.
  const empty = join(f.dir, 'no-models');
  await mkdir(empty);
  const m = await aez(['decompress', good, '-o', join(f.dir, 'm.png')], empty);
  assert.equal(m.code, 1);
  assert.match(m.stderr, /needs model tiny-codec \(hash [0-9a-f]{32}\), not installed/);
});
