// The `aez info` summary of a parsed `.aez` file (also its --json output).
import type { AezFile } from './aez-types.js';
import { hashHex } from './model-hash.js';
import { tileGrid } from './tile-geometry.js';

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
