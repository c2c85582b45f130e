// The `.aez` writer: builds a complete file (signature, then HEAD, meta, ancillary, ALPH, ZLAT/YLAT per tile,
// AEND, each chunk with its CRC) from validated parts.
import { CodecError } from '../errors.js';
import { encodeAlpha } from './alpha-plane.js';
import {
  AEZ_MAGIC,
  AEZ_VERSION,
  COLOR_SPACES,
  DEFAULT_MAX_METADATA_BYTES,
  KNOWN,
  MAX_STREAMS_PER_CHUNK,
  RATE_MODES,
  TYPE_AEND,
  TYPE_ALPH,
  TYPE_HEAD,
  TYPE_META,
  TYPE_YLAT,
  TYPE_ZLAT,
  type AezHeader,
  type AezParts,
} from './aez-types.js';
import { ByteWriter } from './bytes.js';
import { crc32 } from './crc32.js';
import { headerProblem } from './header-check.js';
import { tileGrid } from './tile-geometry.js';

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
