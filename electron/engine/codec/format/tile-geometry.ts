// Tile geometry of a `.aez` image: the grid of tiles (raster order) and each tile's core rectangle.
import type { AezHeader } from './aez-types.js';

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
