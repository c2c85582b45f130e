// Tiled inference. Every tile is run with a margin of real context around it (mirror-reflected past the
// image border), and only its core is kept, so neighbouring tiles see the same surroundings and no seam
// can appear; with a margin wider than the network's effective receptive field the result equals a
// single whole-image run (tested to 1/255). Memory is bounded by the tile size, not the image size.

export interface Tile {
  /** Core region written to the output, [x0, x1) × [y0, y1) in image pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Context region fed to the network; may extend past the image (reflected). */
  cx0: number;
  cy0: number;
  cw: number;
  ch: number;
}

export interface TileOptions {
  /** Core tile side in pixels. */
  tile: number;
  /** Context on each side in pixels. */
  margin: number;
  /** Network input sides must be multiples of this. */
  multiple: number;
}

export const DEFAULT_TILE: TileOptions = { tile: 256, margin: 32, multiple: 8 };

function roundUp(v: number, m: number): number {
  return Math.ceil(v / m) * m;
}

export function planTiles(width: number, height: number, opts: TileOptions): Tile[] {
  const tiles: Tile[] = [];
  const { tile, margin, multiple } = opts;
  for (let y0 = 0; y0 < height; y0 += tile) {
    for (let x0 = 0; x0 < width; x0 += tile) {
      const x1 = Math.min(width, x0 + tile);
      const y1 = Math.min(height, y0 + tile);
      tiles.push({
        x0, y0, x1, y1,
        cx0: x0 - margin,
        cy0: y0 - margin,
        cw: roundUp(x1 - x0 + 2 * margin, multiple),
        ch: roundUp(y1 - y0 + 2 * margin, multiple),
      });
    }
  }
  return tiles;
}

/** Mirror index into [0, n) without repeating the edge pixel (…2 1 | 0 1 2 … n-1 | n-2 …). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let r = i % period;
  if (r < 0) r += period;
  return r < n ? r : period - r;
}

/** Copies a tile's context region out of an interleaved HWC image. */
export function extractTile(data: Float32Array, width: number, height: number, channels: number, t: Tile, scale = 1): Float32Array {
  const out = new Float32Array(t.cw * t.ch * channels);
  const xs = new Int32Array(t.cw);
  for (let x = 0; x < t.cw; x++) xs[x] = reflectIndex(t.cx0 + x, width) * channels;
  let o = 0;
  for (let y = 0; y < t.ch; y++) {
    const row = reflectIndex(t.cy0 + y, height) * width * channels;
    for (let x = 0; x < t.cw; x++) {
      const s = row + xs[x];
      for (let c = 0; c < channels; c++) out[o++] = data[s + c] * scale;
    }
  }
  return out;
}

/** Writes a tile's core from the network output (context-sized) into the output image. */
export function placeTile(
  out: Float32Array,
  width: number,
  channels: number,
  t: Tile,
  result: Float32Array,
  convert: (v: number) => number = (v) => v,
): void {
  const ox = t.x0 - t.cx0;
  const oy = t.y0 - t.cy0;
  const rowLen = (t.x1 - t.x0) * channels;
  for (let y = t.y0; y < t.y1; y++) {
    const src = ((y - t.y0 + oy) * t.cw + ox) * channels;
    const dst = (y * width + t.x0) * channels;
    for (let i = 0; i < rowLen; i++) out[dst + i] = convert(result[src + i]);
  }
}

export type TileRunner = (input: Float32Array, width: number, height: number, tileIndex: number) => Promise<Float32Array>;

export interface TiledRunOptions extends TileOptions {
  /** Tiles in flight at once (one per worker). */
  concurrency?: number;
  signal?: AbortSignal;
  onTile?: (done: number, total: number) => void;
}

/**
 * Runs `runTile` over every tile of an HWC image and assembles the output into `out` (same layout).
 * `out` may be `data` itself: tiles run band by band (a band is a row of tiles), and a band's results
 * are held back until the next band has read its context, so in-place runs need no second full-size
 * image, only two bands of buffer. Tiles of a band run `concurrency` at a time; cancellation rejects.
 */
export async function runTiled(
  data: Float32Array,
  out: Float32Array,
  width: number,
  height: number,
  channels: number,
  runTile: TileRunner,
  opts: TiledRunOptions,
): Promise<void> {
  const tiles = planTiles(width, height, opts);
  const bands: Tile[][] = [];
  for (const t of tiles) {
    if (bands.length === 0 || bands[bands.length - 1][0].y0 !== t.y0) bands.push([]);
    bands[bands.length - 1].push(t);
  }
  const inPlace = out === data;
  let done = 0;
  let pending: { y0: number; rows: Float32Array } | null = null;
  const commit = (band: { y0: number; rows: Float32Array }) => out.set(band.rows, band.y0 * width * channels);
  for (const band of bands) {
    const y0 = band[0].y0;
    const rows = new Float32Array((band[0].y1 - y0) * width * channels);
    // Tile cores are placed relative to the band: shift the tile up by y0.
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < band.length) {
        opts.signal?.throwIfAborted();
        const t = band[next++];
        const result = await runTile(extractTile(data, width, height, channels, t), t.cw, t.ch, tiles.indexOf(t));
        opts.signal?.throwIfAborted();
        placeTile(rows, width, channels, { ...t, y0: 0, y1: t.y1 - y0, cy0: t.cy0 - y0 }, result);
        opts.onTile?.(++done, tiles.length);
      }
    };
    const lanes = Math.max(1, Math.min(opts.concurrency ?? 1, band.length));
    await Promise.all(Array.from({ length: lanes }, lane));
    // This band has read all its context now, so the band before it may be overwritten.
    if (pending) commit(pending);
    pending = { y0, rows };
    if (!inPlace) {
      commit(pending);
      pending = null;
    }
  }
  if (pending) commit(pending);
}
