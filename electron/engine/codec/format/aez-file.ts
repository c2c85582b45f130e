// The `.aez` container, format version 1: reader and writer. The byte-level specification is
// docs/aez-format.md; keep the two in step.
//
//   file  = magic "AEZ\x1A" | u8 version (1) | chunk*
//   chunk = 4-letter type | varint payload length | payload | u32 LE CRC-32 of (type, length bytes, payload)
//
// A chunk type whose first letter is lowercase is ancillary (a reader may skip it); uppercase is critical
// (a reader that does not know it must refuse the file). v1 chunks: HEAD (first), ALPH, meta, ZLAT and
// YLAT per tile, AEND (last).
//
// The reader validates each size against the bytes that remain before using it, checks every CRC, and
// allocates nothing whose size comes from the file except small per-chunk records: the latent streams are
// returned as views into the input. Every problem raises a CodecError naming the chunk (and tile).
import { deflateSync, inflateSync } from 'node:zlib';
import { CodecError, type CodecReason } from '../errors.js';
import { ByteWriter, readVarint } from './bytes.js';
import { crc32 } from './crc32.js';

export const AEZ_MAGIC = Uint8Array.of(0x41, 0x45, 0x5a, 0x1a); // "AEZ" + 0x1A
export const AEZ_VERSION = 1;
/** Hard limits of format version 1 (a header beyond them is invalid, not merely too large). */
export const FORMAT_MAX_PIXELS = 2 ** 28; // 268,435,456
export const FORMAT_MAX_DIMENSION = 2 ** 20;
export const FORMAT_MAX_TILES = 65536;
export const MODEL_HASH_BYTES = 16;
export const MAX_MODEL_ID_LENGTH = 64;
export const MAX_STREAMS_PER_CHUNK = 255;
export const DEFAULT_MAX_METADATA_BYTES = 65536;

export type RateTarget = { mode: 'quality' } | { mode: 'bpp'; bpp: number } | { mode: 'size'; bytes: number };

export interface AezHeader {
  /** Model folder name, 1–64 of [a-z0-9._-]. */
  modelId: string;
  /** First 16 bytes of the SHA-256 of the model's weights (see `modelHashFromSha256`). */
  modelHash: Uint8Array;
  width: number;
  height: number;
  /** Colour channels (alpha is separate): 1 grey, 3 RGB. */
  channels: 1 | 3;
  /** Bit depth of the original and of the decoded output (and of the alpha plane). */
  bitDepth: 8 | 16;
  colorSpace: 'srgb';
  /** The quality index the encoder used, 1–255; 0 when the model has none. */
  quality: number;
  /** What the user asked for (informative: decoding does not depend on it). */
  rate: RateTarget;
  /** Tile grid: ceil(width/tileWidth) × ceil(height/tileHeight) tiles in raster order. */
  tileWidth: number;
  tileHeight: number;
  /** Extra pixels each tile's latents cover on every side of its core rectangle (clipped to the image). */
  tileOverlap: number;
  /** An ALPH chunk is present (set by the writer from `parts.alpha`). */
  hasAlpha: boolean;
}

export interface AezTile {
  /** Entropy-coded streams of the hyper-latents z (0 or more; the model defines how many). */
  z: Uint8Array[];
  /** Entropy-coded streams of the latents y (0 or more, e.g. one per channel slice). */
  y: Uint8Array[];
}

export interface AezChunkData {
  type: string;
  data: Uint8Array;
}

export interface AezParts {
  header: Omit<AezHeader, 'hasAlpha'>;
  tiles: AezTile[];
  /** The alpha plane, width×height samples row-major: Uint8Array for 8-bit files, Uint16Array for 16-bit. */
  alpha?: Uint8Array | Uint16Array;
  /** Free-form metadata (JSON object, ≤ 64 KiB serialised). */
  metadata?: Record<string, unknown>;
  /** Further ancillary chunks to write verbatim (types with a lowercase first letter, not 'meta'). */
  ancillary?: AezChunkData[];
}

export interface AezFile {
  version: number;
  header: AezHeader;
  tiles: AezTile[];
  /** The ALPH payload after its method byte (deflated, filtered); decode with `decodeAlpha`. */
  alpha?: Uint8Array;
  metadata?: Record<string, unknown>;
  /** Ancillary chunks this reader does not know, in file order (CRC-checked, otherwise uninterpreted). */
  ancillary: AezChunkData[];
  /** Non-fatal problems (e.g. a 'meta' chunk that is not valid JSON). */
  warnings: string[];
  /** Total chunk overhead (magic, version, chunk types, lengths, CRCs) in bytes, for reports. */
  overheadBytes: number;
}

export interface AezLimits {
  /** Largest width×height accepted (default and maximum 2^28). */
  maxPixels?: number;
  /** Most tiles accepted (default and maximum 65536). */
  maxTiles?: number;
  /** Largest 'meta' chunk accepted (default 64 KiB). */
  maxMetadataBytes?: number;
}

const ALPHA_METHOD_DEFLATE_SUB = 0;
const MODEL_ID_RE = /^[a-z0-9._-]{1,64}$/;
const TYPE_HEAD = 'HEAD';
const TYPE_ALPH = 'ALPH';
const TYPE_META = 'meta';
const TYPE_ZLAT = 'ZLAT';
const TYPE_YLAT = 'YLAT';
const TYPE_AEND = 'AEND';
const KNOWN = new Set([TYPE_HEAD, TYPE_ALPH, TYPE_META, TYPE_ZLAT, TYPE_YLAT, TYPE_AEND]);

const RATE_MODES = ['quality', 'bpp', 'size'] as const;
const COLOR_SPACES = ['srgb'] as const;

// ---------------------------------------------------------------------------------------------- geometry

export interface TileGrid {
  cols: number;
  rows: number;
  count: number;
}

export function tileGrid(h: Pick<AezHeader, 'width' | 'height' | 'tileWidth' | 'tileHeight'>): TileGrid {
  const cols = Math.ceil(h.width / h.tileWidth);
  const rows = Math.ceil(h.height / h.tileHeight);
  return { cols, rows, count: cols * rows };
}

/** Core rectangle of tile t (raster order), without the overlap. */
export function tileRect(h: Pick<AezHeader, 'width' | 'height' | 'tileWidth' | 'tileHeight'>, t: number): { x: number; y: number; width: number; height: number } {
  const { cols } = tileGrid(h);
  const x = (t % cols) * h.tileWidth;
  const y = Math.floor(t / cols) * h.tileHeight;
  return { x, y, width: Math.min(h.tileWidth, h.width - x), height: Math.min(h.tileHeight, h.height - y) };
}

/** The 16-byte model hash for a model whose weights have SHA-256 `sha256Hex` (64 hex digits). */
export function modelHashFromSha256(sha256Hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/i.test(sha256Hex)) throw new CodecError('AEZ_ARGUMENT', `not a SHA-256 hex digest: ${sha256Hex}`);
  return Uint8Array.from(Buffer.from(sha256Hex.slice(0, 2 * MODEL_HASH_BYTES), 'hex'));
}

export function hashHex(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}

/** What is wrong with a header, or undefined. Shared by the writer (bad arguments) and the reader. */
function headerProblem(h: Omit<AezHeader, 'hasAlpha'>): string | undefined {
  if (typeof h.modelId !== 'string' || !MODEL_ID_RE.test(h.modelId)) return `model id ${JSON.stringify(h.modelId)} is not 1–64 of [a-z0-9._-]`;
  if (!(h.modelHash instanceof Uint8Array) || h.modelHash.length !== MODEL_HASH_BYTES) return `model hash must be ${MODEL_HASH_BYTES} bytes`;
  const dim = (v: number): boolean => Number.isInteger(v) && v >= 1 && v <= FORMAT_MAX_DIMENSION;
  if (!dim(h.width) || !dim(h.height)) return `image size ${h.width}×${h.height} is impossible (each side 1..${FORMAT_MAX_DIMENSION})`;
  if (h.width * h.height > FORMAT_MAX_PIXELS) return `image size ${h.width}×${h.height} exceeds the format's ${FORMAT_MAX_PIXELS} pixels`;
  if (h.channels !== 1 && h.channels !== 3) return `${h.channels} colour channels (must be 1 or 3)`;
  if (h.bitDepth !== 8 && h.bitDepth !== 16) return `bit depth ${h.bitDepth} (must be 8 or 16)`;
  if (!COLOR_SPACES.includes(h.colorSpace)) return `colour space ${String(h.colorSpace)} (must be srgb)`;
  if (!Number.isInteger(h.quality) || h.quality < 0 || h.quality > 255) return `quality ${h.quality} (0..255)`;
  const r = h.rate;
  if (!r || !RATE_MODES.includes(r.mode)) return `rate mode ${String(r?.mode)}`;
  if (r.mode === 'bpp' && !(Number.isFinite(r.bpp) && r.bpp >= 0 && Math.round(r.bpp * 1000) <= 0xffffffff)) return `target bpp ${r.bpp}`;
  if (r.mode === 'size' && !(Number.isInteger(r.bytes) && r.bytes >= 0 && r.bytes <= 0xffffffff)) return `target size ${r.bytes}`;
  if (!Number.isInteger(h.tileWidth) || !Number.isInteger(h.tileHeight) || h.tileWidth < 1 || h.tileHeight < 1 || h.tileWidth > h.width || h.tileHeight > h.height) {
    return `tile size ${h.tileWidth}×${h.tileHeight} does not fit the ${h.width}×${h.height} image`;
  }
  const grid = tileGrid(h);
  if (grid.count > FORMAT_MAX_TILES) return `${grid.count} tiles (${grid.cols}×${grid.rows}) exceed the format's ${FORMAT_MAX_TILES}`;
  if (!Number.isInteger(h.tileOverlap) || h.tileOverlap < 0 || h.tileOverlap >= Math.min(h.tileWidth, h.tileHeight)) {
    return `tile overlap ${h.tileOverlap} must be 0 or below the tile size ${Math.min(h.tileWidth, h.tileHeight)}`;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------ writer

function writeChunk(w: ByteWriter, type: string, payload: Uint8Array): void {
  const start = w.length;
  for (let i = 0; i < 4; i++) w.u8(type.charCodeAt(i));
  w.varint(payload.length);
  w.bytes(payload);
  w.u32le(crc32(w.view(start, w.length)));
}

function encodeHeader(h: Omit<AezHeader, 'hasAlpha'>, hasAlpha: boolean): Uint8Array {
  const w = new ByteWriter();
  w.u8(h.modelId.length);
  for (let i = 0; i < h.modelId.length; i++) w.u8(h.modelId.charCodeAt(i));
  w.bytes(h.modelHash);
  w.varint(h.width).varint(h.height);
  w.u8(h.channels).u8(h.bitDepth).u8(COLOR_SPACES.indexOf(h.colorSpace)).u8(hasAlpha ? 1 : 0).u8(h.quality);
  w.u8(RATE_MODES.indexOf(h.rate.mode));
  w.varint(h.rate.mode === 'bpp' ? Math.round(h.rate.bpp * 1000) : h.rate.mode === 'size' ? h.rate.bytes : 0);
  w.varint(h.tileWidth).varint(h.tileHeight).varint(h.tileOverlap);
  return w.toBytes();
}

function encodeStreams(streams: Uint8Array[]): Uint8Array {
  const w = new ByteWriter();
  w.varint(streams.length);
  for (let i = 0; i < streams.length - 1; i++) w.varint(streams[i].length);
  for (const s of streams) w.bytes(s);
  return w.toBytes();
}

/** Horizontal delta (each sample minus its left neighbour, modulo 2^bits) then zlib deflate. */
export function encodeAlpha(plane: Uint8Array | Uint16Array, width: number, height: number): Uint8Array {
  const bits = plane instanceof Uint16Array ? 16 : 8;
  const n = width * height;
  if (plane.length !== n) throw new CodecError('AEZ_ARGUMENT', `alpha plane has ${plane.length} samples for ${width}×${height}`);
  const raw = new Uint8Array(n * (bits / 8));
  const mask = bits === 16 ? 0xffff : 0xff;
  for (let y = 0; y < height; y++) {
    let prev = 0;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const d = (plane[i] - prev) & mask;
      prev = plane[i];
      if (bits === 8) raw[i] = d;
      else (raw[2 * i] = d & 0xff), (raw[2 * i + 1] = d >>> 8);
    }
  }
  const z = deflateSync(raw, { level: 9 });
  const out = new Uint8Array(1 + z.length);
  out[0] = ALPHA_METHOD_DEFLATE_SUB;
  out.set(z, 1);
  return out;
}

/** Builds a complete `.aez` file. Invalid parts raise CodecError('AEZ_ARGUMENT'). */
export function writeAez(parts: AezParts): Uint8Array {
  const h = parts.header;
  const argError = (m: string): never => {
    throw new CodecError('AEZ_ARGUMENT', `cannot write .aez: ${m}`);
  };
  const problem = headerProblem(h);
  if (problem) argError(problem);
  const grid = tileGrid(h);
  if (parts.tiles.length !== grid.count) argError(`${parts.tiles.length} tiles given, the ${grid.cols}×${grid.rows} grid needs ${grid.count}`);
  if (parts.alpha) {
    const want = h.bitDepth === 16 ? Uint16Array : Uint8Array;
    if (!(parts.alpha instanceof want)) argError(`a ${h.bitDepth}-bit file needs its alpha as ${want.name}`);
  }
  const w = new ByteWriter();
  w.bytes(AEZ_MAGIC).u8(AEZ_VERSION);
  writeChunk(w, TYPE_HEAD, encodeHeader(h, !!parts.alpha));
  if (parts.metadata !== undefined) {
    if (parts.metadata === null || typeof parts.metadata !== 'object' || Array.isArray(parts.metadata)) argError('metadata must be a JSON object');
    const json = new TextEncoder().encode(JSON.stringify(parts.metadata));
    if (json.length > DEFAULT_MAX_METADATA_BYTES) argError(`metadata is ${json.length} bytes (at most ${DEFAULT_MAX_METADATA_BYTES})`);
    writeChunk(w, TYPE_META, json);
  }
  for (const c of parts.ancillary ?? []) {
    if (!/^[a-z][A-Za-z]{3}$/.test(c.type) || KNOWN.has(c.type)) argError(`'${c.type}' is not an ancillary chunk type this writer may add`);
    writeChunk(w, c.type, c.data);
  }
  if (parts.alpha) writeChunk(w, TYPE_ALPH, encodeAlpha(parts.alpha, h.width, h.height));
  parts.tiles.forEach((t, i) => {
    for (const [list, what] of [[t.z, 'z'], [t.y, 'y']] as const) {
      if (list.length > MAX_STREAMS_PER_CHUNK) argError(`tile ${i}: ${list.length} ${what} streams (at most ${MAX_STREAMS_PER_CHUNK})`);
    }
    writeChunk(w, TYPE_ZLAT, encodeStreams(t.z));
    writeChunk(w, TYPE_YLAT, encodeStreams(t.y));
  });
  writeChunk(w, TYPE_AEND, new Uint8Array(0));
  return w.toBytes();
}

// ------------------------------------------------------------------------------------------------ reader

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

/**
 * Decodes the alpha plane of a parsed file (Uint8Array for 8-bit, Uint16Array for 16-bit), or undefined
 * if it has none. Inflation is capped at exactly width×height samples.
 */
export function decodeAlpha(file: AezFile): Uint8Array | Uint16Array | undefined {
  if (!file.alpha) return undefined;
  const { width, height, bitDepth } = file.header;
  const n = width * height;
  const bytesPer = bitDepth === 16 ? 2 : 1;
  let raw: Buffer;
  try {
    raw = inflateSync(file.alpha, { maxOutputLength: Math.max(1, n * bytesPer) });
  } catch (e) {
    throw new CodecError('AEZ_STRUCTURE', `chunk 'ALPH' is damaged (${e instanceof Error ? e.message : String(e)})`, { chunk: TYPE_ALPH });
  }
  if (raw.length !== n * bytesPer) {
    throw new CodecError('AEZ_STRUCTURE', `chunk 'ALPH' is damaged (${raw.length} bytes of alpha for ${width}×${height}×${bytesPer})`, { chunk: TYPE_ALPH });
  }
  if (bytesPer === 1) {
    const out = new Uint8Array(n);
    for (let y = 0; y < height; y++) {
      let prev = 0;
      for (let x = 0, i = y * width; x < width; x++, i++) out[i] = prev = (prev + raw[i]) & 0xff;
    }
    return out;
  }
  const out = new Uint16Array(n);
  for (let y = 0; y < height; y++) {
    let prev = 0;
    for (let x = 0, i = y * width; x < width; x++, i++) out[i] = prev = (prev + (raw[2 * i] | (raw[2 * i + 1] << 8))) & 0xffff;
  }
  return out;
}

export interface InstalledModel {
  id: string;
  /** SHA-256 of the weights (64 hex digits) or the 16-byte model hash. */
  hash: string | Uint8Array;
}

/**
 * Throws CodecError('AEZ_MODEL_MISSING') unless a model with the header's id and hash is installed:
 * "needs model X (hash …), not installed".
 */
export function requireModel(header: Pick<AezHeader, 'modelId' | 'modelHash'>, installed: readonly InstalledModel[]): InstalledModel {
  const want = hashHex(header.modelHash);
  const norm = (h: string | Uint8Array): string => (typeof h === 'string' ? h.toLowerCase().slice(0, 2 * MODEL_HASH_BYTES) : hashHex(h));
  const hit = installed.find((m) => m.id === header.modelId && norm(m.hash) === want);
  if (hit) return hit;
  const sameId = installed.find((m) => m.id === header.modelId);
  const extra = sameId ? ` (the installed '${sameId.id}' has hash ${norm(sameId.hash)}: a different version)` : '';
  throw new CodecError('AEZ_MODEL_MISSING', `needs model ${header.modelId} (hash ${want}), not installed${extra}`);
}

/** A plain summary for `aez info` / --json. */
export function describeAez(file: AezFile, fileBytes?: number): Record<string, unknown> {
  const h = file.header;
  const grid = tileGrid(h);
  let latentBytes = 0;
  for (const t of file.tiles) for (const s of [...t.z, ...t.y]) latentBytes += s.length;
  return {
    version: file.version,
    model: h.modelId,
    modelHash: hashHex(h.modelHash),
    width: h.width,
    height: h.height,
    channels: h.channels,
    bitDepth: h.bitDepth,
    colorSpace: h.colorSpace,
    alpha: h.hasAlpha,
    quality: h.quality,
    rate: h.rate,
    tiles: { width: h.tileWidth, height: h.tileHeight, overlap: h.tileOverlap, cols: grid.cols, rows: grid.rows },
    latentBytes,
    alphaBytes: file.alpha?.length ?? 0,
    overheadBytes: file.overheadBytes,
    ...(fileBytes !== undefined ? { bytes: fileBytes, bpp: (8 * fileBytes) / (h.width * h.height) } : {}),
    ...(file.metadata ? { metadata: file.metadata } : {}),
    ...(file.ancillary.length ? { otherChunks: file.ancillary.map((c) => c.type) } : {}),
    ...(file.warnings.length ? { warnings: file.warnings } : {}),
  };
}
