import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../electron/engine/util/rng.js';
import { CodecError, type CodecReason } from '../electron/engine/codec/errors.js';
import {
  AEZ_MAGIC,
  crc32,
  decodeAlpha,
  describeAez,
  modelHashFromSha256,
  parseAez,
  requireModel,
  tileGrid,
  tileRect,
  writeAez,
  type AezFile,
  type AezParts,
} from '../electron/engine/codec/format/index.js';
import { ByteWriter, readVarint } from '../electron/engine/codec/format/bytes.js';
import { decodeGaussian, encodeGaussian } from '../electron/engine/codec/entropy/index.js';

const SHA = 'ab'.repeat(8) + '0123456789abcdef'.repeat(3);

function bytesOf(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(0, 256));
}

/** A 300×200 RGB image in 3×2 tiles of 128×128, with alpha, metadata and an unknown ancillary chunk. */
function sampleParts(rng = new Rng(1)): AezParts {
  const header = {
    modelId: 'hyper-q3',
    modelHash: modelHashFromSha256(SHA),
    width: 300,
    height: 200,
    channels: 3 as const,
    bitDepth: 8 as const,
    colorSpace: 'srgb' as const,
    quality: 3,
    rate: { mode: 'bpp' as const, bpp: 0.25 },
    tileWidth: 128,
    tileHeight: 128,
    tileOverlap: 8,
  };
  const tiles = Array.from({ length: tileGrid(header).count }, (_, t) => ({ z: [bytesOf(rng, 20 + t)], y: [bytesOf(rng, 100 + t), bytesOf(rng, 7)] }));
  const alpha = Uint8Array.from({ length: 300 * 200 }, (_, i) => (i % 300 < 150 ? 255 : (i * 7) & 0xff));
  return { header, tiles, alpha, metadata: { source: 'test.png', note: 'ünïcode' }, ancillary: [{ type: 'xTRA', data: Uint8Array.of(1, 2, 3) }] };
}

function expectCodecError(fn: () => unknown, reason: CodecReason, message?: RegExp): CodecError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof CodecError, `expected CodecError ${reason}, got ${String(err)}`);
  assert.equal(err.reason, reason, err.message);
  if (message) assert.match(err.message, message);
  return err;
}

// Test-side chunk surgery: split a file into chunks and reassemble with fresh CRCs.
interface RawChunk {
  type: string;
  payload: Uint8Array;
}
function splitChunks(file: Uint8Array): RawChunk[] {
  const out: RawChunk[] = [];
  let pos = 5;
  while (pos < file.length) {
    const type = String.fromCharCode(...file.subarray(pos, pos + 4));
    const [len, next] = readVarint(file, pos + 4, file.length) as [number, number];
    out.push({ type, payload: file.slice(next, next + len) });
    pos = next + len + 4;
  }
  return out;
}
function assemble(chunks: RawChunk[], version = 1): Uint8Array {
  const w = new ByteWriter();
  w.bytes(AEZ_MAGIC).u8(version);
  for (const c of chunks) {
    const start = w.length;
    for (let i = 0; i < 4; i++) w.u8(c.type.charCodeAt(i));
    w.varint(c.payload.length).bytes(c.payload);
    w.u32le(crc32(w.view(start, w.length)));
  }
  return w.toBytes();
}
/** HEAD payload offsets for sampleParts: id length 1 + 8, hash 16 → width varint at 25. */
const HEAD_WIDTH_AT = 1 + 'hyper-q3'.length + 16;

function sameFile(a: AezFile, b: AezFile): void {
  assert.deepEqual(a.header, b.header);
  assert.deepEqual(a.tiles, b.tiles);
  assert.deepEqual(a.alpha, b.alpha);
  assert.deepEqual(a.metadata, b.metadata);
  assert.deepEqual(a.ancillary, b.ancillary);
}

test('round trip: header, tiles, alpha, metadata and unknown ancillary chunks', () => {
  const parts = sampleParts();
  const file = writeAez(parts);
  const f = parseAez(file);
  assert.equal(f.version, 1);
  assert.deepEqual(f.header, { ...parts.header, hasAlpha: true });
  assert.deepEqual(f.tiles, parts.tiles);
  assert.deepEqual(f.metadata, parts.metadata);
  assert.deepEqual(f.ancillary, parts.ancillary);
  assert.deepEqual(decodeAlpha(f), parts.alpha);
  assert.deepEqual(f.warnings, []);
  assert.deepEqual(writeAez(parts), file, 'writing is deterministic');
  assert.deepEqual(tileRect(f.header, 5), { x: 256, y: 128, width: 44, height: 72 });
  const info = describeAez(f, file.length);
  assert.equal(info.model, 'hyper-q3');
  assert.deepEqual(info.rate, { mode: 'bpp', bpp: 0.25 });
});

test('round trip: 16-bit grey, size target, no alpha, empty stream lists, real entropy streams', () => {
  const rng = new Rng(2);
  const n = 1000;
  const idx = Uint8Array.from({ length: n }, () => rng.int(0, 40));
  const vals = Int32Array.from(idx, (t) => rng.int(-t, t + 1));
  const y = encodeGaussian(vals, idx);
  const parts: AezParts = {
    header: { ...sampleParts().header, channels: 1, bitDepth: 16, rate: { mode: 'size', bytes: 50000 }, quality: 0, width: 17, height: 9, tileWidth: 17, tileHeight: 9, tileOverlap: 0 },
    tiles: [{ z: [], y: [y] }],
    alpha: Uint16Array.from({ length: 17 * 9 }, (_, i) => (i * 4099) & 0xffff),
  };
  const f = parseAez(writeAez(parts));
  assert.deepEqual(decodeAlpha(f), parts.alpha);
  assert.deepEqual(f.tiles[0].z, []);
  assert.deepEqual(decodeGaussian(f.tiles[0].y[0], idx), vals);
  assert.equal(f.header.rate.mode, 'size');
});

test('overhead: a single-tile 768×512 file spends under 100 bytes on the container', () => {
  const rng = new Rng(3);
  const parts: AezParts = {
    header: { ...sampleParts().header, width: 768, height: 512, tileWidth: 768, tileHeight: 512, tileOverlap: 0, rate: { mode: 'quality' } },
    tiles: [{ z: [bytesOf(rng, 600)], y: [bytesOf(rng, 11700)] }],
  };
  const file = writeAez(parts);
  const overhead = file.length - 12300;
  console.log(`# container overhead: ${overhead} bytes (${parseAez(file).overheadBytes} in chunk framing, the rest header fields)`);
  assert.ok(overhead < 100, `${overhead} bytes`);
});

test('wrong magic, unknown version, empty and tiny files', () => {
  const file = writeAez(sampleParts());
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  expectCodecError(() => parseAez(png), 'AEZ_BAD_MAGIC', /not an AEZ file/);
  expectCodecError(() => parseAez(new Uint8Array(0)), 'AEZ_TRUNCATED', /empty/);
  expectCodecError(() => parseAez(file.subarray(0, 3)), 'AEZ_TRUNCATED');
  for (const v of [0, 2, 255]) {
    const bad = file.slice();
    bad[4] = v;
    expectCodecError(() => parseAez(bad), 'AEZ_VERSION', new RegExp(`^unknown version ${v}: this AEZ reads version 1; update AEZ$`));
  }
});

test('truncated files: every cut fails with AEZ_TRUNCATED naming where it ends', () => {
  const file = writeAez(sampleParts());
  for (let cut = 4; cut < file.length; cut++) expectCodecError(() => parseAez(file.subarray(0, cut)), 'AEZ_TRUNCATED');
  const chunks = splitChunks(file);
  const ylat3 = chunks.filter((c) => c.type === 'YLAT')[3];
  // Cut inside YLAT of tile 3.
  let at = 5;
  for (const c of chunks) {
    if (c === ylat3) break;
    at += 4 + 1 + c.payload.length + 4 + (c.payload.length >= 128 ? 1 : 0);
  }
  expectCodecError(() => parseAez(file.subarray(0, at + 20)), 'AEZ_TRUNCATED', /file ends inside chunk 'YLAT' of tile 3/);
  expectCodecError(() => parseAez(file.subarray(0, file.length - 9)), 'AEZ_TRUNCATED', /AEND chunk is missing/);
});

test('flipped bits: CRC mismatch names the chunk and the tile', () => {
  const file = writeAez(sampleParts());
  const f = parseAez(file);
  const y3 = f.tiles[3].y[0];
  const bad = file.slice();
  bad[y3.byteOffset + 5] ^= 0x10;
  const e = expectCodecError(() => parseAez(bad), 'AEZ_CRC', /^chunk 'YLAT' of tile 3 is damaged \(CRC mismatch\)$/);
  assert.equal(e.tile, 3);
  assert.equal(e.chunk, 'YLAT');
  assert.equal(e.code, 'INPUT_CORRUPT');
  const bad2 = file.slice();
  bad2[12] ^= 1; // inside HEAD
  expectCodecError(() => parseAez(bad2), 'AEZ_CRC', /chunk 'HEAD' is damaged/);
});

test('absurd or inconsistent headers (with valid CRCs) are rejected before anything is allocated', () => {
  const chunks = splitChunks(writeAez(sampleParts()));
  const withHead = (patch: (h: Uint8Array) => Uint8Array): Uint8Array => assemble(chunks.map((c) => (c.type === 'HEAD' ? { type: 'HEAD', payload: patch(c.payload.slice()) } : c)));
  const varint = (v: number): Uint8Array => new ByteWriter().varint(v).toBytes();
  // Replace width (2-byte varint 300) by another value.
  const setWidth = (v: number) => (h: Uint8Array) => Uint8Array.from([...h.subarray(0, HEAD_WIDTH_AT), ...varint(v), ...h.subarray(HEAD_WIDTH_AT + 2)]);
  expectCodecError(() => parseAez(withHead(setWidth(0))), 'AEZ_HEADER', /image size 0×200 is impossible/);
  expectCodecError(() => parseAez(withHead(setWidth(4_000_000_000))), 'AEZ_HEADER', /impossible/);
  const setDims = (w: number, h: number) => (p: Uint8Array) => Uint8Array.from([...p.subarray(0, HEAD_WIDTH_AT), ...varint(w), ...varint(h), ...p.subarray(HEAD_WIDTH_AT + 4)]);
  expectCodecError(() => parseAez(withHead(setDims(1_000_000, 1_000_000))), 'AEZ_HEADER', /1000000×1000000 exceeds the format's 268435456 pixels/);
  // The width changes the tile grid: 3×2 tiles no longer fit 600 px with 128 px tiles.
  expectCodecError(() => parseAez(withHead(setWidth(600))), 'AEZ_STRUCTURE', /grid has only|of its 10 tiles/);
  expectCodecError(() => parseAez(withHead(setWidth(100))), 'AEZ_HEADER', /tile size 128×128 does not fit/);
  const at = HEAD_WIDTH_AT + 4; // channels
  expectCodecError(() => parseAez(withHead((h) => ((h[at] = 4), h))), 'AEZ_HEADER', /4 colour channels/);
  expectCodecError(() => parseAez(withHead((h) => ((h[at + 1] = 12), h))), 'AEZ_HEADER', /bit depth 12/);
  expectCodecError(() => parseAez(withHead((h) => ((h[at + 2] = 9), h))), 'AEZ_HEADER', /unknown colour space 9/);
  expectCodecError(() => parseAez(withHead((h) => ((h[at + 3] = 0x81), h))), 'AEZ_HEADER', /reserved header flags/);
  expectCodecError(() => parseAez(withHead((h) => h.subarray(0, h.length - 1))), 'AEZ_HEADER', /too short/);
  expectCodecError(() => parseAez(withHead((h) => Uint8Array.from([...h, 0]))), 'AEZ_HEADER', /unexpected bytes/);
  expectCodecError(() => parseAez(withHead((h) => ((h[0] = 0), h))), 'AEZ_HEADER', /model id length 0/);
  // A header promising a huge tile grid in a tiny file fails on size before any per-tile work.
  const tiny = withHead((h) => {
    const p = Array.from(h);
    const tw = p.length - 3; // tile width varint (128 = 2 bytes 0x80 0x01), tile height, overlap (1 byte)
    return Uint8Array.from([...p.slice(0, tw - 2), 1, 1, 0]);
  });
  expectCodecError(() => parseAez(tiny), 'AEZ_TRUNCATED', /too short for its 60000 tiles/);
  // Within the format but above this reader's limit.
  expectCodecError(() => parseAez(writeAez(sampleParts()), { maxPixels: 1000 }), 'AEZ_TOO_LARGE', /limit of 1000/);
});

test('chunk lengths past the end, structure errors, unknown chunks', () => {
  const file = writeAez(sampleParts());
  const chunks = splitChunks(file);
  // A length field claiming ~4 GB: rejected as truncated, nothing allocated.
  const huge = file.slice(0, 5 + 4);
  const w = new ByteWriter().bytes(huge).varint(0xfffffff0).bytes(file.subarray(10));
  expectCodecError(() => parseAez(w.toBytes()), 'AEZ_TRUNCATED', /file ends inside chunk 'HEAD'/);
  const without = (type: string) => assemble(chunks.filter((c) => c.type !== type));
  expectCodecError(() => parseAez(without('ALPH')), 'AEZ_STRUCTURE', /'ALPH' is missing/);
  expectCodecError(() => parseAez(without('HEAD')), 'AEZ_STRUCTURE', /first chunk is 'meta', expected 'HEAD'/);
  expectCodecError(() => parseAez(without('AEND')), 'AEZ_TRUNCATED', /AEND chunk is missing/);
  const dupHead = assemble([chunks[0], ...chunks]);
  expectCodecError(() => parseAez(dupHead), 'AEZ_STRUCTURE', /duplicate chunk 'HEAD'/);
  const i = chunks.findIndex((c) => c.type === 'ALPH');
  expectCodecError(() => parseAez(assemble([...chunks.slice(0, i), chunks[i], ...chunks.slice(i)])), 'AEZ_STRUCTURE', /duplicate chunk 'ALPH'/);
  const noY2 = chunks.filter((c, k) => !(c.type === 'YLAT' && chunks.slice(0, k).filter((d) => d.type === 'YLAT').length === 2));
  expectCodecError(() => parseAez(assemble(noY2)), 'AEZ_STRUCTURE', /'ZLAT' of tile 2 follows another 'ZLAT'/);
  const lastTileGone = chunks.filter((c, k) => k < chunks.length - 3 || c.type === 'AEND');
  expectCodecError(() => parseAez(assemble(lastTileGone)), 'AEZ_STRUCTURE', /has 5 of its 6 tiles/);
  const end = chunks.length - 1;
  const critical = [...chunks.slice(0, end), { type: 'XNEW', payload: Uint8Array.of(1) }, chunks[end]];
  expectCodecError(() => parseAez(assemble(critical)), 'AEZ_UNKNOWN_CHUNK', /critical chunk 'XNEW' is unknown.*update AEZ/);
  const optional = assemble([...chunks.slice(0, end), { type: 'zzzz', payload: Uint8Array.of(9, 9) }, chunks[end]]);
  assert.deepEqual(parseAez(optional).ancillary.map((c) => c.type), ['xTRA', 'zzzz']);
  expectCodecError(() => parseAez(Uint8Array.from([...file, 0])), 'AEZ_STRUCTURE', /1 unexpected bytes after the AEND chunk/);
  const badMeta = assemble(chunks.map((c) => (c.type === 'meta' ? { type: 'meta', payload: Uint8Array.of(0x7b) } : c)));
  assert.match(parseAez(badMeta).warnings[0], /chunk 'meta' ignored/);
  const bigMeta = assemble(chunks.map((c) => (c.type === 'meta' ? { type: 'meta', payload: new TextEncoder().encode(JSON.stringify({ a: 'x'.repeat(70000) })) } : c)));
  expectCodecError(() => parseAez(bigMeta), 'AEZ_TOO_LARGE', /'meta' is 70008 bytes/);
  const badStreams = assemble(chunks.map((c) => (c.type === 'ZLAT' ? { type: 'ZLAT', payload: Uint8Array.of(3, 100, 100, 1) } : c)));
  expectCodecError(() => parseAez(badStreams), 'AEZ_STRUCTURE', /'ZLAT' of tile 0 is malformed: stream lengths exceed the chunk/);
  const badAlpha = assemble(chunks.map((c) => (c.type === 'ALPH' ? { type: 'ALPH', payload: Uint8Array.of(0, 1, 2, 3) } : c)));
  expectCodecError(() => decodeAlpha(parseAez(badAlpha)), 'AEZ_STRUCTURE', /'ALPH' is damaged/);
});

test('missing model: "needs model X (hash …), not installed"', () => {
  const f = parseAez(writeAez(sampleParts()));
  const hash = SHA.slice(0, 32);
  assert.equal(requireModel(f.header, [{ id: 'other', hash: SHA }, { id: 'hyper-q3', hash: SHA }]).id, 'hyper-q3');
  expectCodecError(() => requireModel(f.header, [{ id: 'other', hash: SHA }]), 'AEZ_MODEL_MISSING', new RegExp(`^needs model hyper-q3 \\(hash ${hash}\\), not installed$`));
  const e = expectCodecError(() => requireModel(f.header, [{ id: 'hyper-q3', hash: 'cd'.repeat(32) }]), 'AEZ_MODEL_MISSING', /a different version/);
  assert.equal(e.code, 'MODEL_NOT_FOUND');
});

test('writer rejects invalid parts', () => {
  const p = sampleParts();
  expectCodecError(() => writeAez({ ...p, tiles: p.tiles.slice(1) }), 'AEZ_ARGUMENT', /5 tiles given/);
  expectCodecError(() => writeAez({ ...p, header: { ...p.header, modelId: 'Bad Id' } }), 'AEZ_ARGUMENT', /model id/);
  expectCodecError(() => writeAez({ ...p, alpha: new Uint16Array(300 * 200) }), 'AEZ_ARGUMENT', /needs its alpha as Uint8Array/);
  expectCodecError(() => writeAez({ ...p, ancillary: [{ type: 'BIGX', data: new Uint8Array(0) }] }), 'AEZ_ARGUMENT', /not an ancillary/);
  expectCodecError(() => writeAez({ ...p, metadata: { a: 'x'.repeat(70000) } }), 'AEZ_ARGUMENT', /metadata is/);
});

test('fuzz: mutated and truncated files parse identically or fail with a CodecError', () => {
  const rng = new Rng(99);
  const variants = [sampleParts(new Rng(5)), { ...sampleParts(new Rng(6)), alpha: undefined, metadata: undefined, ancillary: undefined }];
  const t0 = performance.now();
  const counts: Record<string, number> = {};
  let identical = 0;
  let n = 0;
  for (const parts of variants) {
    const good = writeAez(parts);
    const ref = parseAez(good);
    for (let k = 0; k < 1500; k++, n++) {
      let bad: Uint8Array;
      const kind = rng.int(0, 6);
      if (kind === 0) {
        bad = good.slice();
        for (let j = rng.int(1, 4); j > 0; j--) bad[rng.int(0, bad.length)] ^= 1 << rng.int(0, 8);
      } else if (kind === 1) {
        const at = rng.int(0, good.length + 1);
        bad = Uint8Array.from([...good.subarray(0, at), ...bytesOf(rng, rng.int(1, 4)), ...good.subarray(at)]);
      } else if (kind === 2) {
        const at = rng.int(0, good.length);
        bad = Uint8Array.from([...good.subarray(0, at), ...good.subarray(at + rng.int(1, 4))]);
      } else if (kind === 3) {
        bad = good.slice(0, rng.int(0, good.length));
      } else if (kind === 4) {
        bad = good.slice();
        bad[rng.int(0, bad.length)] = rng.pick([0x00, 0xff, 0x7f, 0x80]);
      } else {
        bad = good.slice();
        const at = rng.int(0, bad.length - 4);
        bad.set(bytesOf(rng, 4), at);
      }
      try {
        const f = parseAez(bad);
        decodeAlpha(f);
        sameFile(f, ref);
        // CRCs cover every byte after the signature, so only an unchanged file may parse.
        assert.deepEqual(bad, good, `mutation ${kind} #${k} changed the file yet it parsed`);
        identical++;
      } catch (e) {
        if (!(e instanceof CodecError)) throw new Error(`mutation ${kind} #${k} gave a non-codec error: ${String(e)}`);
        counts[e.reason] = (counts[e.reason] ?? 0) + 1;
      }
    }
  }
  const ms = performance.now() - t0;
  console.log(`# fuzz: ${n} mutated files in ${ms.toFixed(0)} ms; unchanged by the mutation (and parsed) ${identical}; errors ${JSON.stringify(counts)}`);
  assert.ok(ms < 5000, `${ms} ms`);
});

test('the minimal example file in docs/aez-format.md, byte for byte', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  const y = encodeGaussian(Int32Array.of(0, 1, -1, 0), Uint8Array.of(10, 10, 20, 20));
  const file = writeAez({
    header: {
      modelId: 'demo',
      modelHash: modelHashFromSha256('00112233445566778899aabbccddeeff'.repeat(2)),
      width: 16,
      height: 16,
      channels: 1,
      bitDepth: 8,
      colorSpace: 'srgb',
      quality: 2,
      rate: { mode: 'quality' },
      tileWidth: 16,
      tileHeight: 16,
      tileOverlap: 0,
    },
    tiles: [{ z: [], y: [y] }],
  });
  const hex =
    '41455a1a01' +
    '484541442104' + '64656d6f' + '00112233445566778899aabbccddeeff' + '101001080000020000101000' + 'fa76a4f9' +
    '5a4c4154010' + '00fb7d2d0' +
    '594c415405016ce52961e6160761' +
    '41454e440020046ae1';
  assert.equal(Buffer.from(file).toString('hex'), hex);
  assert.deepEqual(decodeGaussian(parseAez(file).tiles[0].y[0], Uint8Array.of(10, 10, 20, 20)), Int32Array.of(0, 1, -1, 0));
});
