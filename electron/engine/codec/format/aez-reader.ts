// The `.aez` reader: parses and validates a whole file into its header, tiles (latent streams), alpha,
// metadata and unknown ancillary chunks.
import { CodecError, type CodecReason } from '../errors.js';
import { ALPHA_METHOD_DEFLATE_SUB } from './alpha-plane.js';
import {
  AEZ_MAGIC,
  AEZ_VERSION,
  COLOR_SPACES,
  DEFAULT_MAX_METADATA_BYTES,
  FORMAT_MAX_PIXELS,
  FORMAT_MAX_TILES,
  MAX_MODEL_ID_LENGTH,
  MAX_STREAMS_PER_CHUNK,
  MODEL_HASH_BYTES,
  RATE_MODES,
  TYPE_AEND,
  TYPE_ALPH,
  TYPE_HEAD,
  TYPE_META,
  TYPE_YLAT,
  TYPE_ZLAT,
  type AezChunkData,
  type AezFile,
  type AezHeader,
  type AezLimits,
  type AezTile,
  type RateTarget,
} from './aez-types.js';
import { readVarint } from './bytes.js';
import { crc32 } from './crc32.js';
import { headerProblem } from './header-check.js';
import { tileGrid, type TileGrid } from './tile-geometry.js';

// The reader validates each size against the bytes that remain before using it, checks every CRC, and
// allocates nothing whose size comes from the file except small per-chunk records: the latent streams are
// returned as views into the input. Every problem raises a CodecError naming the chunk (and tile).

function chunkName(type: string, tile?: number): string {
  return tile === undefined ? `chunk '${type}'` : `chunk '${type}' of tile ${tile}`;
}

function printableType(bytes: Uint8Array, pos: number): string {
  let s = '';
  for (let i = 0; i < 4 && pos + i < bytes.length; i++) {
    const c = bytes[pos + i];
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function parseHeader(p: Uint8Array, fail: (reason: CodecReason, m: string) => never): AezHeader {
  let pos = 0;
  const end = p.length;
  const need = (n: number, what: string): void => {
    if (pos + n > end) fail('AEZ_HEADER', `chunk 'HEAD' is too short (ends inside ${what})`);
  };
  const u8 = (what: string): number => {
    need(1, what);
    return p[pos++];
  };
  const varint = (what: string): number => {
    const [v, next] = readVarint(p, pos, end);
    if (v < 0) fail('AEZ_HEADER', next === 'end' ? `chunk 'HEAD' is too short (ends inside ${what})` : `chunk 'HEAD' has a malformed ${what}`);
    pos = next as number;
    return v;
  };
  const idLen = u8('the model id');
  if (idLen < 1 || idLen > MAX_MODEL_ID_LENGTH) fail('AEZ_HEADER', `model id length ${idLen} (1..${MAX_MODEL_ID_LENGTH})`);
  need(idLen, 'the model id');
  let modelId = '';
  for (let i = 0; i < idLen; i++) modelId += String.fromCharCode(p[pos++]);
  need(MODEL_HASH_BYTES, 'the model hash');
  const modelHash = p.slice(pos, pos + MODEL_HASH_BYTES);
  pos += MODEL_HASH_BYTES;
  const width = varint('width');
  const height = varint('height');
  const channels = u8('channels');
  const bitDepth = u8('bit depth');
  const colorSpace = u8('colour space');
  const flags = u8('flags');
  const quality = u8('quality');
  const rateMode = u8('rate mode');
  const rateValue = varint('rate target');
  const tileWidth = varint('tile width');
  const tileHeight = varint('tile height');
  const tileOverlap = varint('tile overlap');
  if (pos !== end) fail('AEZ_HEADER', `chunk 'HEAD' has ${end - pos} unexpected bytes at its end`);
  if (flags & ~1) fail('AEZ_HEADER', `reserved header flags are set (0x${flags.toString(16)})`);
  if (colorSpace >= COLOR_SPACES.length) fail('AEZ_HEADER', `unknown colour space ${colorSpace}`);
  if (rateMode >= RATE_MODES.length) fail('AEZ_HEADER', `unknown rate mode ${rateMode}`);
  const mode = RATE_MODES[rateMode];
  const rate: RateTarget = mode === 'bpp' ? { mode, bpp: rateValue / 1000 } : mode === 'size' ? { mode, bytes: rateValue } : { mode };
  if (mode === 'quality' && rateValue !== 0) fail('AEZ_HEADER', `rate target ${rateValue} given for quality mode (must be 0)`);
  const h: AezHeader = {
    modelId,
    modelHash,
    width,
    height,
    channels: channels as 1 | 3,
    bitDepth: bitDepth as 8 | 16,
    colorSpace: COLOR_SPACES[colorSpace],
    quality,
    rate,
    tileWidth,
    tileHeight,
    tileOverlap,
    hasAlpha: (flags & 1) === 1,
  };
  const problem = headerProblem(h);
  if (problem) fail('AEZ_HEADER', `bad header: ${problem}`);
  return h;
}

function parseStreams(p: Uint8Array, fail: (m: string) => never): Uint8Array[] {
  const [count, p0] = readVarint(p, 0, p.length);
  if (count < 0) fail('malformed stream count');
  if (count > MAX_STREAMS_PER_CHUNK) fail(`${count} streams (at most ${MAX_STREAMS_PER_CHUNK})`);
  let pos = p0 as number;
  if (count === 0) {
    if (pos !== p.length) fail(`${p.length - pos} bytes after an empty stream list`);
    return [];
  }
  // Lengths first (count−1 of them, each checked against what remains), then the views.
  const lengths: number[] = [];
  let total = 0;
  for (let i = 0; i < count - 1; i++) {
    const [len, next] = readVarint(p, pos, p.length);
    if (len < 0) fail(`malformed length of stream ${i}`);
    pos = next as number;
    total += len;
    if (total > p.length - pos) fail(`stream lengths exceed the chunk`);
    lengths.push(len);
  }
  lengths.push(p.length - pos - total);
  const streams: Uint8Array[] = [];
  for (const len of lengths) {
    streams.push(p.subarray(pos, pos + len));
    pos += len;
  }
  return streams;
}

/**
 * Parses and validates a whole `.aez` file. Throws CodecError on anything wrong; returns views into
 * `bytes` for the streams (keep `bytes` alive and unmodified while using them).
 */
export function parseAez(bytes: Uint8Array, limits: AezLimits = {}): AezFile {
  const maxPixels = Math.min(limits.maxPixels ?? FORMAT_MAX_PIXELS, FORMAT_MAX_PIXELS);
  const maxTiles = Math.min(limits.maxTiles ?? FORMAT_MAX_TILES, FORMAT_MAX_TILES);
  const maxMeta = limits.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
  const len = bytes.length;
  const fail = (reason: CodecReason, m: string, where: { chunk?: string; tile?: number; offset?: number } = {}): never => {
    throw new CodecError(reason, m, where);
  };

  if (len === 0) fail('AEZ_TRUNCATED', 'the file is empty');
  for (let i = 0; i < Math.min(4, len); i++) {
    if (bytes[i] !== AEZ_MAGIC[i]) fail('AEZ_BAD_MAGIC', 'not an AEZ file (wrong magic bytes)', { offset: 0 });
  }
  if (len < 5) fail('AEZ_TRUNCATED', `the file ends after ${len} bytes, inside the signature`);
  const version = bytes[4];
  if (version !== AEZ_VERSION) fail('AEZ_VERSION', `unknown version ${version}: this AEZ reads version ${AEZ_VERSION}; update AEZ`, { offset: 4 });

  let pos = 5;
  let header: AezHeader | undefined;
  let grid: TileGrid | undefined;
  const tiles: AezTile[] = [];
  let pendingZ: Uint8Array[] | undefined;
  let alpha: Uint8Array | undefined;
  let metadata: Record<string, unknown> | undefined;
  let sawMeta = false;
  const ancillary: AezChunkData[] = [];
  const warnings: string[] = [];
  let overhead = 5;
  let last = 'the signature';

  for (;;) {
    if (pos === len) {
      if (!header) fail('AEZ_TRUNCATED', 'the file ends before its HEAD chunk', { offset: pos });
      fail('AEZ_TRUNCATED', `the file ends after ${last}: the AEND chunk is missing (truncated file)`, { offset: pos });
    }
    const chunkStart = pos;
    if (len - pos < 4) fail('AEZ_TRUNCATED', `the file ends inside a chunk header after ${last}`, { offset: pos });
    for (let i = 0; i < 4; i++) {
      if (!isLetter(bytes[pos + i])) {
        fail('AEZ_STRUCTURE', `damaged chunk header at byte ${pos} after ${last} (type '${printableType(bytes, pos)}' is not 4 letters)`, { offset: pos });
      }
    }
    const type = String.fromCharCode(bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]);
    const tile = type === TYPE_ZLAT ? tiles.length : type === TYPE_YLAT ? tiles.length : undefined;
    const name = chunkName(type, tile);
    const where = { chunk: type, tile, offset: chunkStart };
    pos += 4;
    const [plen, afterLen] = readVarint(bytes, pos, len);
    if (plen < 0) {
      if (afterLen === 'end') fail('AEZ_TRUNCATED', `the file ends inside the header of ${name}`, where);
      fail('AEZ_STRUCTURE', `${name} has a malformed length field`, where);
    }
    pos = afterLen as number;
    if (plen > len - pos || len - pos - plen < 4) {
      fail('AEZ_TRUNCATED', `the file ends inside ${name} (it needs ${plen + 4} more bytes, ${len - pos} remain): truncated or damaged`, where);
    }
    const payload = bytes.subarray(pos, pos + plen);
    pos += plen;
    const stored = (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0;
    if (crc32(bytes, chunkStart, pos) !== stored) fail('AEZ_CRC', `${name} is damaged (CRC mismatch)`, where);
    pos += 4;
    overhead += pos - chunkStart - plen;
    last = name;

    if (!header) {
      if (type !== TYPE_HEAD) fail('AEZ_STRUCTURE', `the first chunk is '${type}', expected 'HEAD'`, where);
      header = parseHeader(payload, (reason, m) => fail(reason, m, where));
      if (header.width * header.height > maxPixels) {
        fail('AEZ_TOO_LARGE', `the image is ${header.width}×${header.height} = ${header.width * header.height} pixels, more than this reader's limit of ${maxPixels}`, where);
      }
      grid = tileGrid(header);
      if (grid.count > maxTiles) fail('AEZ_TOO_LARGE', `the file has ${grid.count} tiles, more than this reader's limit of ${maxTiles}`, where);
      // Every tile needs at least two chunks of ≥ 10 bytes: a cheap early check against absurd grids.
      if (grid.count * 20 > len - pos) fail('AEZ_TRUNCATED', `the file is too short for its ${grid.count} tiles (truncated)`, where);
      continue;
    }
    switch (type) {
      case TYPE_HEAD:
        fail('AEZ_STRUCTURE', `duplicate chunk 'HEAD'`, where);
        break;
      case TYPE_ALPH:
        if (alpha) fail('AEZ_STRUCTURE', `duplicate chunk 'ALPH'`, where);
        if (!header.hasAlpha) fail('AEZ_STRUCTURE', `chunk 'ALPH' present but the header says the image has no alpha`, where);
        if (plen < 1 || payload[0] !== ALPHA_METHOD_DEFLATE_SUB) fail('AEZ_STRUCTURE', `chunk 'ALPH' uses unknown method ${plen < 1 ? '(none)' : payload[0]}`, where);
        alpha = payload.subarray(1);
        break;
      case TYPE_META:
        if (sawMeta) fail('AEZ_STRUCTURE', `duplicate chunk 'meta'`, where);
        sawMeta = true;
        if (plen > maxMeta) fail('AEZ_TOO_LARGE', `chunk 'meta' is ${plen} bytes, more than this reader's limit of ${maxMeta}`, where);
        try {
          const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
          if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
          metadata = v as Record<string, unknown>;
        } catch (e) {
          warnings.push(`chunk 'meta' ignored: ${e instanceof Error ? e.message : String(e)}`);
        }
        break;
      case TYPE_ZLAT:
      case TYPE_YLAT: {
        const isZ = type === TYPE_ZLAT;
        if (tiles.length >= grid!.count) fail('AEZ_STRUCTURE', `${name}: the header's grid has only ${grid!.count} tiles`, where);
        if (isZ === (pendingZ !== undefined)) {
          fail('AEZ_STRUCTURE', isZ ? `chunk 'ZLAT' of tile ${tiles.length} follows another 'ZLAT' (its 'YLAT' is missing)` : `${name} comes before its 'ZLAT'`, where);
        }
        const streams = parseStreams(payload, (m) => fail('AEZ_STRUCTURE', `${name} is malformed: ${m}`, where));
        if (isZ) pendingZ = streams;
        else {
          tiles.push({ z: pendingZ!, y: streams });
          pendingZ = undefined;
        }
        break;
      }
      case TYPE_AEND: {
        if (plen !== 0) fail('AEZ_STRUCTURE', `chunk 'AEND' must be empty (has ${plen} bytes)`, where);
        if (pendingZ) fail('AEZ_STRUCTURE', `chunk 'YLAT' of tile ${tiles.length} is missing`, where);
        if (tiles.length !== grid!.count) fail('AEZ_STRUCTURE', `the file has ${tiles.length} of its ${grid!.count} tiles`, where);
        if (header.hasAlpha && !alpha) fail('AEZ_STRUCTURE', `chunk 'ALPH' is missing (the header says the image has alpha)`, where);
        if (pos !== len) fail('AEZ_STRUCTURE', `${len - pos} unexpected bytes after the AEND chunk`, { offset: pos });
        return { version, header, tiles, alpha, metadata, ancillary, warnings, overheadBytes: overhead };
      }
      default:
        if (type.charCodeAt(0) >= 0x61) ancillary.push({ type, data: payload });
        else fail('AEZ_UNKNOWN_CHUNK', `critical chunk '${type}' is unknown to this AEZ (written by a newer version?); update AEZ`, where);
    }
  }
}
