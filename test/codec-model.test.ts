// The learned codec end to end on a small random model: the float64 hyper-synthesis against TensorFlow.js,
// deterministic z tables, encode → file → decode round trips (odd sizes, grey, alpha, 16-bit, tile grids),
// rate targets, and decoding across backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { hyperSynthesis, hyperpriorInitParams } from '../electron/engine/codec/model/hyperprior.js';
import { hyperSynthesisF64 } from '../electron/engine/codec/model/hyper-synthesis-f64.js';
import { zPriorTables } from '../electron/engine/codec/model/z-prior.js';
import { serializeCdfTables } from '../electron/engine/codec/entropy/cdf.js';
import { channelIndexes, decodeFactorized, encodeFactorized } from '../electron/engine/codec/entropy/factorized.js';
import { decodeImageAez, encodeImageAez } from '../electron/engine/codec/image-codec.js';
import { parseAez, tileGrid } from '../electron/engine/codec/format/aez-file.js';
import { gainsFor, qualityByte, qualityFromByte } from '../electron/engine/codec/codec-model.js';
import { isCodecError } from '../electron/engine/codec/errors.js';
import type { RasterImage } from '../electron/engine/image/io.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { Rng } from '../electron/engine/util/rng.js';
import { gradientImage } from './helpers.js';
import { TINY_CODEC, tinyCodec, tinyCodecWeights } from './codec-helpers.js';

function image(width: number, height: number, channels: 1 | 3, extra: Partial<RasterImage> = {}): RasterImage {
  const data = gradientImage(width, height, channels).map((v) => Math.round(v * 255) / 255);
  return { width, height, channels, data, bitDepth: 8, format: 'png', ...extra };
}

function to8(a: Float32Array): Uint8Array {
  return Uint8Array.from(a, (v) => Math.round(v * 255));
}

test('the float64 hyper-synthesis matches the TensorFlow.js one the model was trained with', async () => {
  await initBackend('wasm');
  const weights = tinyCodecWeights();
  const params = new Map([...weights].map(([k, v]) => [k, tf.tensor(v, hyperpriorInitParams(TINY_CODEC, 1).get(k)!.shape)]));
  const rng = new Rng(5);
  const zh = 3;
  const zw = 5;
  const z = Int32Array.from({ length: zh * zw * TINY_CODEC.nz }, () => Math.round(3 * rng.normal()));
  const ref = tf.tidy(() => hyperSynthesis(params, tf.tensor4d(Float32Array.from(z), [1, zh, zw, TINY_CODEC.nz])).dataSync() as Float32Array);
  const { hyperSynthesisWeights } = await import('../electron/engine/codec/model/hyper-synthesis-f64.js');
  const { mu, indexes } = hyperSynthesisF64(TINY_CODEC, hyperSynthesisWeights(TINY_CODEC, weights), z, zh, zw);
  const m = TINY_CODEC.m;
  assert.equal(mu.length, 4 * zh * 4 * zw * m);
  let maxDiff = 0;
  let spread = 0;
  for (let p = 0; p < mu.length / m; p++) {
    for (let c = 0; c < m; c++) {
      maxDiff = Math.max(maxDiff, Math.abs(mu[p * m + c] - ref[p * 2 * m + c]));
      spread = Math.max(spread, Math.abs(ref[p * 2 * m + c]));
    }
  }
  assert.ok(spread > 0.1, 'the network produces non-trivial means');
  assert.ok(maxDiff < 1e-4, `max |μ difference| ${maxDiff}`);
  assert.ok(new Set(indexes).size > 3, 'several scale tables in use');
  for (const t of params.values()) t.dispose();
});

test('z tables are built deterministically and code any integers', () => {
  const w = tinyCodecWeights();
  const a = serializeCdfTables(zPriorTables(w.get('z.loc')!, w.get('z.logscale')!));
  const b = serializeCdfTables(zPriorTables(w.get('z.loc')!, w.get('z.logscale')!));
  assert.deepEqual(a, b);
  const tables = zPriorTables(w.get('z.loc')!, w.get('z.logscale')!);
  const z = Int32Array.from({ length: 600 }, (_, i) => ((i * 7919) % 23) - 11 + (i === 5 ? 100000 : 0));
  const ch = channelIndexes(z.length, TINY_CODEC.nz);
  assert.deepEqual(decodeFactorized(encodeFactorized(z, ch, tables), ch, tables), z);
});

test('quality bytes map to the model levels and gains interpolate between them', () => {
  const model = tinyCodec();
  assert.equal(qualityByte(TINY_CODEC, 1), 1);
  assert.equal(qualityByte(TINY_CODEC, 3), 101);
  assert.equal(qualityFromByte(qualityByte(TINY_CODEC, 2.5)), 2.5);
  assert.throws(() => qualityByte(TINY_CODEC, 4), /between 1 and 3/);
  const g1 = gainsFor(model, 1, 'gain');
  const g2 = gainsFor(model, 51, 'gain');
  const mid = gainsFor(model, 26, 'gain');
  for (let c = 0; c < g1.length; c++) assert.ok(Math.abs(mid[c] - Math.sqrt(g1[c] * g2[c])) < 1e-5 * mid[c]);
  assert.throws(() => gainsFor(model, 102, 'gain'), (e) => isCodecError(e, 'AEZ_HEADER'));
});

test('encode → file → decode: odd sizes, the decoder restores exactly what the encoder reconstructed', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  for (const [w, h] of [
    [70, 45],
    [64, 64],
    [1, 130],
  ]) {
    const img = image(w, h, 3);
    const r = await encodeImageAez(model, img, { rate: { quality: 2 }, reconstruct: true });
    const file = parseAez(r.bytes);
    assert.equal(file.header.width, w);
    assert.equal(file.header.height, h);
    assert.equal(file.header.quality, 51);
    const out = await decodeImageAez(model, file);
    assert.equal(out.data.length, w * h * 3);
    assert.deepEqual(out.data, r.reconstruction!.data, `${w}×${h}: decoder output equals the encoder's reconstruction`);
    const again = await decodeImageAez(model, parseAez(r.bytes));
    assert.deepEqual(again.data, out.data, 'decoding twice gives identical output');
  }
});

test('an analysis kept from one setting codes the same image at another exactly as a fresh encode, without the analysis network', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const img = image(150, 90, 3);
  const first = await encodeImageAez(model, img, { rate: { quality: 2 } });
  let analysisChunks = 0;
  const calls: number[] = [];
  const reused = await encodeImageAez(model, img, { rate: { quality: 3 }, analysis: first.analysis, onProgress: (f) => calls.push(f) });
  const fresh = await encodeImageAez(model, img, { rate: { quality: 3 }, onProgress: () => analysisChunks++ });
  assert.deepEqual(reused.bytes, fresh.bytes, 'the same file');
  assert.ok(calls.length < analysisChunks, `fewer progress steps (${calls.length}) than with the analysis (${analysisChunks})`);
  // An analysis of another image size, or by another model, is not taken.
  const other = await encodeImageAez(model, image(140, 90, 3), { rate: { quality: 3 }, analysis: first.analysis });
  assert.equal(parseAez(other.bytes).header.width, 140);
});

test('effort 1 refines the latents: an ordinary file of the same model that decodes to the encoder\'s reconstruction', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const img = image(96, 80, 3);
  const plain = await encodeImageAez(model, img, { rate: { quality: 2 } });
  const refined = await encodeImageAez(model, img, { rate: { quality: 2 }, effort: 1, reconstruct: true });
  assert.notDeepEqual(refined.bytes, plain.bytes, 'the refinement changed the latents');
  const file = parseAez(refined.bytes);
  assert.equal(file.header.quality, plain.qualityByte);
  const out = await decodeImageAez(model, file);
  assert.deepEqual(out.data, refined.reconstruction!.data, 'decodes to exactly what the encoder reconstructed');
  await assert.rejects(encodeImageAez(model, img, { rate: { bytes: 500 }, effort: 1 }), /effort works with a quality setting/);
  await assert.rejects(encodeImageAez(model, img, { rate: { quality: 2 }, effort: 2 }), /effort must be 0/);
});

test('grey, alpha and 16-bit images keep their shape; alpha is lossless', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const alpha = Float32Array.from({ length: 50 * 40 }, (_, i) => (i % 7) / 6);
  const grey = image(50, 40, 1, { alpha, bitDepth: 16 });
  const r = await encodeImageAez(model, grey, { rate: { quality: 3 } });
  const file = parseAez(r.bytes);
  assert.equal(file.header.channels, 1);
  assert.equal(file.header.bitDepth, 16);
  assert.ok(file.header.hasAlpha);
  const out = await decodeImageAez(model, file);
  assert.equal(out.channels, 1);
  assert.equal(out.data.length, 50 * 40);
  assert.deepEqual(out.alpha, alpha.map((a) => Math.round(a * 65535) / 65535));
});

test('images larger than a tile are coded as a tile grid and decode whole, with progress per chunk', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const img = image(150, 100, 3);
  const encoding: number[] = [];
  const r = await encodeImageAez(model, img, { rate: { quality: 2 }, reconstruct: true, maxTile: 64, onProgress: (f) => encoding.push(f) });
  const file = parseAez(r.bytes);
  assert.deepEqual([tileGrid(file.header).cols, tileGrid(file.header).rows], [3, 2]);
  const decoding: number[] = [];
  const out = await decodeImageAez(model, file, { onProgress: (f) => decoding.push(f) });
  assert.deepEqual(out.data, r.reconstruction!.data);
  // Six tiles: six analysis and six synthesis chunks while encoding, six while decoding; never backwards.
  for (const [name, p, least] of [['encode', encoding, 13], ['decode', decoding, 6]] as const) {
    assert.ok(p.length >= least, `${name}: ${p.length} progress reports`);
    assert.ok(p.every((f, i) => f > 0 && (i === 0 || f >= p[i - 1])), `${name} progress: ${p.join(' ')}`);
    assert.ok(Math.abs(p.at(-1)! - 1) < 1e-9, `${name} ends at ${p.at(-1)}`);
  }
});

test('a higher quality spends more bits; size and bpp targets pick the best quality that fits', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const img = image(128, 96, 3);
  const low = await encodeImageAez(model, img, { rate: { quality: 1 } });
  const high = await encodeImageAez(model, img, { rate: { quality: 3 } });
  assert.ok(high.bytes.length > low.bytes.length, `${high.bytes.length} > ${low.bytes.length}`);
  const target = Math.round((low.bytes.length + high.bytes.length) / 2);
  const fit = await encodeImageAez(model, img, { rate: { bytes: target } });
  assert.ok(fit.bytes.length <= target && fit.quality > 1 && fit.quality < 3, `${fit.bytes.length} B at quality ${fit.quality}`);
  assert.equal(parseAez(fit.bytes).header.rate.mode, 'size');
  const bpp = await encodeImageAez(model, img, { rate: { bpp: (8 * target) / (128 * 96) } });
  assert.ok(bpp.bpp <= (8 * target) / (128 * 96) + 1e-9);
  const missed = await encodeImageAez(model, img, { rate: { bytes: 10 } });
  assert.equal(missed.targetMissed, true);
  assert.equal(missed.qualityByte, 1);
});

test('cross-backend: a file encoded on cpu decodes on wasm to identical pixels (and the reverse)', async () => {
  const img = image(96, 80, 3);
  const sha = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
  const results: Record<string, { bytes: Uint8Array; recon: string }> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    const model = tinyCodec();
    const r = await encodeImageAez(model, img, { rate: { quality: 2 }, reconstruct: true });
    results[backend] = { bytes: r.bytes, recon: sha(r.reconstruction!.data) };
  }
  for (const [enc, dec] of [
    ['cpu', 'wasm'],
    ['wasm', 'cpu'],
  ] as const) {
    await initBackend(dec);
    const model = tinyCodec();
    // Entropy decoding is exact by construction (integer z, float64 h_s, integer table choice) and the
    // synthesis is integer-exact: the decoder's float output equals the encoder's reconstruction, bit for bit.
    const out = (await decodeImageAez(model, parseAez(results[enc].bytes))).data;
    assert.equal(sha(out), results[enc].recon, `${enc}→${dec}: the decoded pixels differ from the encoder's`);
    const twice = (await decodeImageAez(model, parseAez(results[enc].bytes))).data;
    assert.equal(sha(twice), sha(out), 'decoding twice on one backend gives identical bytes');
  }
  await initBackend('wasm');
});

test('fuzz: streams damaged behind valid CRCs fail with a CodecError or decode, never crash', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const img = image(64, 48, 3);
  const good = parseAez((await encodeImageAez(model, img, { rate: { quality: 2 } })).bytes);
  const { writeAez } = await import('../electron/engine/codec/format/aez-file.js');
  const rng = new Rng(99);
  let failed = 0;
  for (let it = 0; it < 120; it++) {
    const tile = good.tiles[0];
    const mutate = (s: Uint8Array) => {
      const m = Uint8Array.from(s);
      const kind = it % 3;
      if (kind === 0) m[rng.int(0, m.length)] ^= 1 << rng.int(0, 8);
      else if (kind === 1) return m.subarray(0, rng.int(0, m.length));
      else for (let i = 0; i < m.length; i++) m[i] = rng.int(0, 256);
      return m;
    };
    const tiles = [{ z: it % 2 ? [mutate(tile.z[0])] : tile.z, y: it % 2 ? tile.y : [mutate(tile.y[0])] }];
    const bytes = writeAez({ header: good.header, tiles });
    try {
      const out = await decodeImageAez(model, parseAez(bytes));
      assert.equal(out.data.length, 64 * 48 * 3);
    } catch (e) {
      assert.ok(isCodecError(e), `iteration ${it}: ${(e as Error)?.stack}`);
      failed++;
    }
  }
  assert.ok(failed > 60, `${failed} of 120 damaged files detected by the stream checks`);
  // A stream count the model does not write.
  const two = writeAez({ header: good.header, tiles: [{ z: [...good.tiles[0].z, ...good.tiles[0].z], y: good.tiles[0].y }] });
  await assert.rejects(() => decodeImageAez(model, parseAez(two)), (e) => isCodecError(e, 'AEZ_STRUCTURE'));
});

test('measured PSNR equals the PSNR of the kept reconstruction; grey images compare their one plane', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const { psnr8 } = await import('../electron/engine/train/validate.js');
  for (const channels of [3, 1] as const) {
    const img = image(80, 60, channels);
    const kept = await encodeImageAez(model, img, { rate: { quality: 2 }, reconstruct: true });
    const measured = await encodeImageAez(model, img, { rate: { quality: 2 }, measure: true });
    assert.equal(measured.reconstruction, undefined);
    assert.ok(Math.abs(measured.psnr! - psnr8(kept.reconstruction!.data, img.data)) < 1e-9, `${channels} channels: ${measured.psnr} vs ${kept.psnr}`);
    assert.equal(kept.psnr, measured.psnr);
  }
});
