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
// This file is the format's public entry point: it re-exports the public names of the files that implement
// it (importers use this file or ./index.ts, not those files).
//   aez-types.ts      constants and types        tile-geometry.ts  tile grid and rectangles
//   model-hash.ts     16-byte model hashes       header-check.ts   what makes a header valid
//   aez-writer.ts     writeAez                   aez-reader.ts     parseAez
//   alpha-plane.ts    encodeAlpha / decodeAlpha  model-match.ts    requireModel
//   aez-summary.ts    describeAez (`aez info`)
export {
  AEZ_MAGIC,
  AEZ_VERSION,
  DEFAULT_MAX_METADATA_BYTES,
  FORMAT_MAX_DIMENSION,
  FORMAT_MAX_PIXELS,
  FORMAT_MAX_TILES,
  MAX_MODEL_ID_LENGTH,
  MAX_STREAMS_PER_CHUNK,
  MODEL_HASH_BYTES,
  type AezChunkData,
  type AezFile,
  type AezHeader,
  type AezLimits,
  type AezParts,
  type AezTile,
  type RateTarget,
} from './aez-types.js';
export { tileGrid, tileRect, type TileGrid } from './tile-geometry.js';
export { hashHex, modelHashFromSha256 } from './model-hash.js';
export { writeAez } from './aez-writer.js';
export { parseAez } from './aez-reader.js';
export { decodeAlpha, encodeAlpha } from './alpha-plane.js';
export { requireModel, type InstalledModel } from './model-match.js';
export { describeAez } from './aez-summary.js';
