// The header check: what makes a `.aez` header valid, shared by the writer (bad arguments) and the reader
// (bad files).
import { COLOR_SPACES, FORMAT_MAX_DIMENSION, FORMAT_MAX_PIXELS, FORMAT_MAX_TILES, MODEL_HASH_BYTES, RATE_MODES, type AezHeader } from './aez-types.js';
import { tileGrid } from './tile-geometry.js';

const MODEL_ID_RE = /^[a-z0-9._-]{1,64}$/;

/** What is wrong with a header, or undefined. Shared by the writer (bad arguments) and the reader. */
export function headerProblem(h: Omit<AezHeader, 'hasAlpha'>): string | undefined {
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
