// Inpainting one image of any size: the model (or Telea's method) runs only on the regions around the
// holes. Regions are the connected groups of holes, each grown by a context margin (found on a coarse grid
// of cells, so a 40-megapixel mask costs milliseconds); overlapping regions are merged. Each region is
// pre-filled (Telea, when the model asks for it), cut into tiles with a margin of context (one per worker
// when it is large) and run; only hole pixels are written back, so every known pixel of the image is
// returned exactly as it was.
import type { RasterImage } from '../image/io.js';
import { extractTile, placeTile, type Tile } from '../image/tiling.js';
import { averageWithMirrored, mirrorColumns } from '../image/mirror.js';
import type { LoadedModel } from '../models/model-file.js';
import { inputChannels, sizeMultiple, type UNetConfig } from '../nn/unet.js';
import { AezError } from '../util/errors.js';
import type { TileExecutor } from '../inference/tile-executor.js';
import { teleaInpaint } from './telea.js';

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface InpaintOptions {
  /** Context kept around the holes, in pixels (default 64). */
  context?: number;
  /** Largest tile core side (default 512). */
  maxTile?: number;
  /** Context inside a region around each tile core (default 48). */
  tileMargin?: number;
  /** Telea neighbourhood radius (default 3). */
  radius?: number;
  /**
   * Also run each tile mirrored left to right and average the two fills (default false): +0.06 to +0.10 dB
   * in the holes for twice the model time, which takes 768×512 past the 2 s target on wasm (bench-inpaint
   * --mirror measures both).
   */
  mirror?: boolean;
  /** Runs Telea's fill (the method, or the model's pre-fill) somewhere else, e.g. on a worker thread. */
  telea?: TeleaRunner;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** May take over `data` (e.g. hand it to a worker); must leave `mask` as it is. */
export type TeleaRunner = (data: Float32Array, width: number, height: number, channels: 1 | 3, mask: Uint8Array, radius?: number) => Promise<Float32Array>;

const teleaHere: TeleaRunner = async (data, width, height, channels, mask, radius) => teleaInpaint(data, width, height, channels, mask, { radius });

export interface InpaintResult {
  image: RasterImage;
  /** Hole pixels filled. */
  holes: number;
  holeFraction: number;
  regions: Rect[];
  /** Pixels the model (or Telea) was run on, context included: the cost. */
  processedPixels: number;
  method: 'model' | 'telea';
  /** Set when nothing was done (empty mask). */
  note?: string;
}

export type InpaintMethod = { kind: 'model'; model: LoadedModel; exec: TileExecutor } | { kind: 'telea' };

export function countHoles(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}

/**
 * Regions to process: groups of holes grown by `margin` pixels, as rectangles clipped to the image, merged
 * until none overlap. Works on `cell`-pixel cells (regions are cell-aligned, margin rounded up).
 */
export function holeRegions(mask: Uint8Array, width: number, height: number, margin: number, cell = 16): Rect[] {
  const cw = Math.ceil(width / cell);
  const ch = Math.ceil(height / cell);
  const occ = new Uint8Array(cw * ch);
  for (let y = 0; y < height; y++) {
    const row = ((y / cell) | 0) * cw;
    for (let x = 0; x < width; x++) if (mask[y * width + x]) occ[row + ((x / cell) | 0)] = 1;
  }
  const d = Math.ceil(margin / cell);
  // Square dilation by d cells, separable.
  const tmp = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    let last = -1e9;
    for (let x = 0; x < cw + d; x++) {
      if (x < cw && occ[y * cw + x]) last = x;
      const o = x - d;
      if (o >= 0) tmp[y * cw + o] = last >= o - d ? 1 : 0;
    }
  }
  const grown = new Uint8Array(cw * ch);
  for (let x = 0; x < cw; x++) {
    let last = -1e9;
    for (let y = 0; y < ch + d; y++) {
      if (y < ch && tmp[y * cw + x]) last = y;
      const o = y - d;
      if (o >= 0) grown[o * cw + x] = last >= o - d ? 1 : 0;
    }
  }
  // Connected components (8-neighbour) of the grown cells → bounding boxes.
  const seen = new Uint8Array(cw * ch);
  const stack: number[] = [];
  let rects: Rect[] = [];
  for (let s = 0; s < cw * ch; s++) {
    if (!grown[s] || seen[s]) continue;
    let bx0 = cw, by0 = ch, bx1 = -1, by1 = -1;
    seen[s] = 1;
    stack.push(s);
    while (stack.length) {
      const p = stack.pop()!;
      const y = (p / cw) | 0;
      const x = p - y * cw;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= ch) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= cw) continue;
          const q = yy * cw + xx;
          if (grown[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    rects.push({ x0: bx0 * cell, y0: by0 * cell, x1: Math.min(width, (bx1 + 1) * cell), y1: Math.min(height, (by1 + 1) * cell) });
  }
  // Bounding boxes of separate components can still overlap: merge until none do.
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i];
        const b = rects[j];
        if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) {
          rects[i] = { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
          rects = rects.filter((_, k) => k !== j);
          merged = true;
          break outer;
        }
      }
    }
  }
  return rects;
}

/**
 * Tiles over a w×h region: cores of at most `maxTile` px, at least `concurrency` of them when the region
 * is big enough to be worth splitting; contexts grow by `margin` inside the region and are rounded up to
 * the network's size multiple (extractTile mirrors past the region edge).
 */
export function planRegionTiles(w: number, h: number, maxTile: number, margin: number, multiple: number, concurrency: number): Tile[] {
  let cols = Math.ceil(w / maxTile);
  let rows = Math.ceil(h / maxTile);
  const minCore = 128;
  while (cols * rows < concurrency) {
    if (w / (cols + 1) >= minCore && w / cols >= h / rows) cols++;
    else if (h / (rows + 1) >= minCore) rows++;
    else if (w / (cols + 1) >= minCore) cols++;
    else break;
  }
  const tiles: Tile[] = [];
  for (let r = 0; r < rows; r++) {
    const y0 = Math.round((r * h) / rows);
    const y1 = Math.round(((r + 1) * h) / rows);
    for (let c = 0; c < cols; c++) {
      const x0 = Math.round((c * w) / cols);
      const x1 = Math.round(((c + 1) * w) / cols);
      const cx0 = Math.max(0, x0 - margin);
      const cy0 = Math.max(0, y0 - margin);
      const cw = Math.ceil((Math.min(w, x1 + margin) - cx0) / multiple) * multiple;
      const ch = Math.ceil((Math.min(h, y1 + margin) - cy0) / multiple) * multiple;
      tiles.push({ x0, y0, x1, y1, cx0, cy0, cw, ch });
    }
  }
  return tiles;
}

function cropPlanes(data: Float32Array, width: number, channels: number, r: Rect): Float32Array {
  const w = r.x1 - r.x0;
  const out = new Float32Array(w * (r.y1 - r.y0) * channels);
  for (let y = r.y0; y < r.y1; y++) out.set(data.subarray((y * width + r.x0) * channels, (y * width + r.x1) * channels), (y - r.y0) * w * channels);
  return out;
}

/** RGB planes from grey (repeated) or as they are. */
function toModelChannels(data: Float32Array, pixels: number, from: 1 | 3, to: 1 | 3): Float32Array {
  if (from === to) return data;
  const out = new Float32Array(pixels * to);
  if (to === 3) for (let i = 0; i < pixels; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i];
  else for (let i = 0; i < pixels; i++) out[i] = 0.299 * data[3 * i] + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2];
  return out;
}

/** Fills the holes of one region (crop of the image, model channels); returns the filled crop. */
async function fillRegion(crop: Float32Array, channels: 1 | 3, cmask: Uint8Array, w: number, h: number, method: InpaintMethod, opts: InpaintOptions, onTile: () => void): Promise<Float32Array> {
  const telea = opts.telea ?? teleaHere;
  if (method.kind === 'telea') {
    const out = await telea(crop, w, h, channels, cmask, opts.radius);
    onTile();
    return out;
  }
  const { model, exec } = method;
  const cfg = model.manifest.arch as UNetConfig;
  const c = cfg.channels;
  const inC = inputChannels(cfg);
  const prefill = model.manifest.inputs?.prefill ?? 'zero';
  const base = prefill === 'telea' ? await telea(crop, w, h, c, cmask, opts.radius) : crop;
  const planes = new Float32Array(w * h * inC);
  for (let p = 0; p < w * h; p++) {
    const hole = cmask[p] ? 1 : 0;
    for (let k = 0; k < c; k++) planes[p * inC + k] = hole && prefill === 'zero' ? 0 : base[p * c + k];
    for (let k = c; k < inC; k++) planes[p * inC + k] = hole;
  }
  const tiles = planRegionTiles(w, h, opts.maxTile ?? 512, opts.tileMargin ?? 48, sizeMultiple(cfg), exec.concurrency);
  const out = new Float32Array(w * h * c);
  let next = 0;
  const lane = async () => {
    while (next < tiles.length) {
      opts.signal?.throwIfAborted();
      const t = tiles[next++];
      const input = extractTile(planes, w, h, inC, t);
      // Mirror before the first run: an executor may take over (transfer) the buffer it is given.
      const mirroredInput = opts.mirror ? mirrorColumns(input, t.cw, t.ch, inC) : undefined;
      let result = await exec.runTile(model, input, t.cw, t.ch, inC);
      if (mirroredInput) {
        opts.signal?.throwIfAborted();
        const mirrored = await exec.runTile(model, mirroredInput, t.cw, t.ch, inC);
        result = averageWithMirrored(result, mirrored, t.cw, t.ch, c);
      }
      opts.signal?.throwIfAborted();
      placeTile(out, w, c, t, result);
      onTile();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(exec.concurrency, tiles.length)) }, lane));
  return out;
}

/**
 * Fills the holes (mask: one byte per pixel, nonzero = hole) of a grey or RGB image. Known pixels are
 * returned bit for bit; alpha is carried over untouched. An empty mask returns the image unchanged (with a
 * note); a mask with no known pixel is refused.
 */
export async function inpaintImage(img: RasterImage, mask: Uint8Array, method: InpaintMethod, opts: InpaintOptions = {}): Promise<InpaintResult> {
  const { width, height } = img;
  const pixels = width * height;
  if (mask.length !== pixels) throw new AezError('BAD_ARGUMENT', `mask has ${mask.length} pixels, the image ${width}×${height} has ${pixels}`);
  const holes = countHoles(mask);
  const base = { holes, holeFraction: holes / pixels, method: method.kind };
  if (holes === 0) {
    return { ...base, image: img, regions: [], processedPixels: 0, note: 'the mask is empty (no white pixels): image returned unchanged' };
  }
  if (holes === pixels) {
    throw new AezError('BAD_ARGUMENT', 'the mask covers the whole image (all white): there is nothing left to fill the holes from');
  }
  const modelChannels: 1 | 3 = method.kind === 'model' ? (method.model.manifest.arch as UNetConfig).channels : img.channels;
  if (method.kind === 'model' && method.model.manifest.task !== 'inpaint') {
    throw new AezError('BAD_ARGUMENT', `model ${method.model.manifest.id} is a ${method.model.manifest.task} model, not an inpainting model`);
  }
  const regions = holeRegions(mask, width, height, opts.context ?? 64);
  const tilesPerRegion = regions.map((r) =>
    method.kind === 'telea'
      ? 1
      : planRegionTiles(r.x1 - r.x0, r.y1 - r.y0, opts.maxTile ?? 512, opts.tileMargin ?? 48, sizeMultiple(method.model.manifest.arch as UNetConfig), method.exec.concurrency).length,
  );
  const totalTiles = tilesPerRegion.reduce((a, b) => a + b, 0);
  let done = 0;
  const data = new Float32Array(img.data);
  let processedPixels = 0;
  for (const r of regions) {
    opts.signal?.throwIfAborted();
    const w = r.x1 - r.x0;
    const h = r.y1 - r.y0;
    processedPixels += w * h;
    const cmask = new Uint8Array(w * h);
    for (let y = r.y0; y < r.y1; y++) cmask.set(mask.subarray(y * width + r.x0, y * width + r.x1), (y - r.y0) * w);
    const crop = toModelChannels(cropPlanes(img.data, width, img.channels, r), w * h, img.channels, modelChannels);
    const filled = await fillRegion(crop, modelChannels, cmask, w, h, method, opts, () => opts.onProgress?.(++done / totalTiles));
    const back = toModelChannels(filled, w * h, modelChannels, img.channels);
    const c = img.channels;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (!cmask[p]) continue;
        const d = ((y + r.y0) * width + x + r.x0) * c;
        for (let k = 0; k < c; k++) {
          const v = back[p * c + k];
          data[d + k] = v > 0 ? (v < 1 ? v : 1) : 0; // NaN → 0
        }
      }
    }
  }
  return { ...base, image: { ...img, data }, regions, processedPixels };
}
