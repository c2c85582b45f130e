// `aez inpaint` end to end through its Commander command. This file doubles as a minimal entry point (so
// the tests need no full CLI start-up): run with
// AEZ_INPAINT_CLI_ENTRY=1 it parses argv like bin/aez.js would (global --backend/--threads, same exit codes).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

if (process.env.AEZ_INPAINT_CLI_ENTRY === '1') {
  const { Command, CommanderError } = await import('commander');
  const { registerInpaint } = await import('../electron/cli/commands/inpaint.js');
  const { AezError, errorMessage } = await import('../electron/engine/util/errors.js');
  const program = new Command().name('aez').option('--backend <name>').option('--threads <n>', 'threads', (v) => Number(v)).exitOverride();
  registerInpaint(program);
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    process.stderr.write(`aez: ${errorMessage(e)}\n`);
    process.exit(e instanceof AezError && e.code === 'CANCELLED' ? 130 : 2);
  }
} else {
  await defineTests();
}

function aez(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      env: { ...process.env, AEZ_BACKEND: 'wasm', AEZ_INPAINT_CLI_ENTRY: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

async function defineTests(): Promise<void> {
  const { test } = await import('node:test');
  const { mkdir, writeFile, readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const sharp = (await import('sharp')).default;
  const { gradientImage, tempDir, writePng } = await import('./helpers.js');
  const { initParams } = await import('../electron/engine/nn/unet.js');
  const { saveModelDir } = await import('../electron/engine/models/model-file.js');
  const { initBackend } = await import('../electron/engine/tfjs/backend.js');
  const { benchmarkMask } = await import('../electron/engine/inpaint/masks.js');
  const { MODEL_MISSING } = await import('../electron/cli/commands/inpaint.js');

  const writeMask = async (path: string, mask: Uint8Array, w: number, h: number) =>
    sharp(Buffer.from(mask.map((v) => (v ? 255 : 0))), { raw: { width: w, height: h, channels: 1 } }).png().toFile(path);
  const raw = async (path: string) => sharp(path).raw().toBuffer({ resolveWithObject: true });

  async function fixtures() {
    const dir = await tempDir();
    const inDir = join(dir, 'in');
    const maskDir = join(dir, 'masks');
    const outDir = join(dir, 'out');
    for (const d of [inDir, maskDir, outDir]) await mkdir(d);
    await writePng(join(inDir, 'a.png'), gradientImage(70, 50, 3), 70, 50, 3);
    await writePng(join(inDir, 'grey.png'), gradientImage(40, 30, 1), 40, 30, 1);
    const ma = benchmarkMask(0, 70, 50).data;
    await writeMask(join(maskDir, 'a.png'), ma, 70, 50);
    await writeMask(join(maskDir, 'grey.png'), benchmarkMask(1, 40, 30).data, 40, 30);
    await initBackend('wasm');
    const cfg = { kind: 'unet' as const, channels: 3 as const, noiseMap: false, widths: [8, 16], blocks: [1, 1], extraInputs: 1, maskedOutput: true };
    const params = initParams(cfg, 3);
    const weights = new Map<string, Float32Array>();
    for (const [k, t] of params) weights.set(k, t.dataSync() as Float32Array);
    const model = join(dir, 'model');
    await saveModelDir(model, weights, { id: 'tiny-inpaint', task: 'inpaint', arch: cfg, dtype: 'float32', inputs: { mask: 'hole', prefill: 'telea' } });
    return { dir, inDir, maskDir, outDir, model, ma };
  }

  test('inpaints a folder with a mask folder (random tiny model): names, sizes, known pixels exact, JSON per file', async () => {
    const f = await fixtures();
    const r = await aez(['inpaint', f.inDir, '--mask', f.maskDir, '-o', f.outDir, '--model', f.model, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => l.ok && l.details.method === 'model' && l.details.holes > 0), r.stdout);
    assert.deepEqual((await readdir(f.outDir)).sort(), ['a.png', 'grey.png']);
    assert.equal((await sharp(join(f.outDir, 'grey.png')).metadata()).channels, 1);
    const src = await raw(join(f.inDir, 'a.png'));
    const out = await raw(join(f.outDir, 'a.png'));
    // Asserts every known pixel of `result` is the source's; counts the hole values that differ from `reference`.
    const holeValuesDiffering = (result: Buffer, reference: Buffer) => {
      let n = 0;
      for (let p = 0; p < 70 * 50; p++) {
        for (let c = 0; c < 3; c++) {
          if (!f.ma[p]) assert.equal(result[p * 3 + c], src.data[p * 3 + c]);
          else if (result[p * 3 + c] !== reference[p * 3 + c]) n++;
        }
      }
      return n;
    };
    assert.ok(holeValuesDiffering(out.data, src.data) > 0);

    // The same model on onnxruntime (the engine users get by default) fills the holes the same way.
    const ortDir = join(f.dir, 'out-ort');
    await mkdir(ortDir);
    const o = await aez(['inpaint', join(f.inDir, 'a.png'), '--mask', join(f.maskDir, 'a.png'), '-o', join(ortDir, 'a.png'), '--model', f.model], { AEZ_BACKEND: 'ort' });
    assert.equal(o.code, 0, o.stderr);
    const viaOrt = await raw(join(ortDir, 'a.png'));
    let maxDiff = 0;
    for (let i = 0; i < out.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(viaOrt.data[i] - out.data[i]));
    assert.ok(maxDiff <= 1, `onnxruntime and tfjs-wasm fills differ by ${maxDiff} levels`);

    // --mirror: each tile also runs mirrored, the fills averaged; known pixels exact, the fill differs.
    const mirrorOut = join(ortDir, 'mirror.png');
    const mr = await aez(['inpaint', join(f.inDir, 'a.png'), '--mask', join(f.maskDir, 'a.png'), '-o', mirrorOut, '--model', f.model, '--mirror']);
    assert.equal(mr.code, 0, mr.stderr);
    assert.ok(holeValuesDiffering((await raw(mirrorOut)).data, out.data) > 0, '--mirror changes the fill');
  });

  test('Telea needs no model; without a trained model the default falls back to it and says so; --method model says how to get one', async () => {
    const f = await fixtures();
    const out = join(f.outDir, 'a.webp');
    const r = await aez(['inpaint', join(f.inDir, 'a.png'), '--mask', join(f.maskDir, 'a.png'), '-o', out, '--method', 'telea']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sharp(out).metadata()).format, 'webp');
    const auto = await aez(['inpaint', join(f.inDir, 'a.png'), '--mask', join(f.maskDir, 'a.png'), '-o', join(f.outDir, 'c.png')], { AEZ_MODELS_DIR: join(f.dir, 'no-models') });
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(auto.stderr, /no inpainting model "inpaint" installed; filling with Telea/);
    const missing = await aez(['inpaint', join(f.inDir, 'a.png'), '--mask', join(f.maskDir, 'a.png'), '-o', join(f.outDir, 'b.png'), '--method', 'model'], { AEZ_MODELS_DIR: join(f.dir, 'no-models') });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), `aez: ${MODEL_MISSING}`);
    assert.equal(MODEL_MISSING, 'inpainting model not installed: train it with `aez train --task inpaint`');
  });

  test('bad masks: wrong size, empty (unchanged, says so), all holes, not an image; the others still complete', async () => {
    const f = await fixtures();
    for (const n of ['small', 'empty', 'full', 'text']) await writePng(join(f.inDir, `${n}.png`), gradientImage(30, 20, 3), 30, 20, 3);
    await writeMask(join(f.maskDir, 'small.png'), new Uint8Array(10 * 10), 10, 10);
    await writeMask(join(f.maskDir, 'empty.png'), new Uint8Array(30 * 20), 30, 20);
    await writeMask(join(f.maskDir, 'full.png'), new Uint8Array(30 * 20).fill(1), 30, 20);
    await writeFile(join(f.maskDir, 'text.png'), 'this is not an image');
    const r = await aez(['inpaint', f.inDir, '--mask', f.maskDir, '-o', f.outDir, '--model', f.model, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const by = Object.fromEntries(r.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((l) => [l.input.split('/').pop(), l]));
    assert.equal(by['a.png'].ok, true);
    assert.equal(by['grey.png'].ok, true);
    assert.match(by['small.png'].error.message, /mask .*small\.png is 10×10 but .* is 30×20: the mask must be the same size/);
    assert.equal(by['empty.png'].ok, true);
    assert.match(by['empty.png'].details.note, /mask is empty.*unchanged/);
    assert.deepEqual((await raw(join(f.outDir, 'empty.png'))).data, (await raw(join(f.inDir, 'empty.png'))).data);
    assert.match(by['full.png'].error.message, /covers the whole image/);
    assert.equal(by['text.png'].error.code, 'INPUT_UNSUPPORTED');
    assert.match(by['text.png'].error.message, /^mask: /);
    assert.deepEqual((await readdir(f.outDir)).sort(), ['a.png', 'empty.png', 'grey.png']);
  });

  test('image/mask count mismatch in a batch is refused before any work, naming the files', async () => {
    const f = await fixtures();
    await writePng(join(f.inDir, 'extra.png'), gradientImage(30, 20, 3), 30, 20, 3);
    await writeMask(join(f.maskDir, 'orphan.png'), new Uint8Array(30 * 20), 30, 20);
    const r = await aez(['inpaint', f.inDir, '--mask', f.maskDir, '-o', f.outDir, '--method', 'telea']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /3 image\(s\) but 3 mask\(s\).*no mask for extra\.png; no image for orphan\.png/);
    assert.deepEqual(await readdir(f.outDir), []);
    const none = await aez(['inpaint', f.inDir, '-o', f.outDir, '--method', 'telea']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--mask <file\|dir> or --mask-from-alpha/);
  });

  test('--mask-from-alpha fills the transparent pixels and writes an opaque image', async () => {
    const f = await fixtures();
    const w = 48;
    const h = 32;
    const rgba = Buffer.alloc(w * h * 4);
    const g = gradientImage(w, h, 3);
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round(g[p * 3 + c] * 255);
      const hole = Math.abs((p % w) - 20) < 4 && ((p / w) | 0) > 5;
      rgba[p * 4 + 3] = hole ? 0 : 255;
      if (hole) rgba[p * 4] = rgba[p * 4 + 1] = rgba[p * 4 + 2] = 0;
    }
    const input = join(f.inDir, 'alpha.png');
    await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toFile(input);
    const out = join(f.outDir, 'alpha.png');
    const r = await aez(['inpaint', input, '--mask-from-alpha', '-o', out, '--model', f.model, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const meta = await sharp(out).metadata();
    assert.equal(meta.hasAlpha, false);
    const o = await raw(out);
    for (let p = 0; p < w * h; p++) if (rgba[p * 4 + 3] === 255) for (let c = 0; c < 3; c++) assert.equal(o.data[p * 3 + c], rgba[p * 4 + c]);
    const noAlpha = await aez(['inpaint', join(f.inDir, 'a.png'), '--mask-from-alpha', '-o', join(f.outDir, 'x.png'), '--method', 'telea', '--json']);
    assert.equal(noAlpha.code, 1);
    assert.match(JSON.parse(noAlpha.stdout).error.message, /has no transparency/);
  });
}
