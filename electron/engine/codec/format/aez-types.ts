// Constants and types of the `.aez` container, format version 1 (docs/aez-format.md), shared by the
// writer, the reader and the helpers around them.

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

// Wire codes used inside this folder (not re-exported by aez-file.ts): the v1 chunk types, and the header
// fields stored as an index into these lists.
export const TYPE_HEAD = 'HEAD';
export const TYPE_ALPH = 'ALPH';
export const TYPE_META = 'meta';
export const TYPE_ZLAT = 'ZLAT';
export const TYPE_YLAT = 'YLAT';
export const TYPE_AEND = 'AEND';
export const KNOWN = new Set([TYPE_HEAD, TYPE_ALPH, TYPE_META, TYPE_ZLAT, TYPE_YLAT, TYPE_AEND]);

export const RATE_MODES = ['quality', 'bpp', 'size'] as const;
export const COLOR_SPACES = ['srgb'] as const;
