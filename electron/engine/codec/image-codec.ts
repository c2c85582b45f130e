// Image ⇄ .aez bytes with a learned codec model: tiles, padding, quality search, entropy coding.
//
// Per tile (the format's tile grid; one tile up to MAX_TILE pixels a side):
//   encode: pad to a multiple of 64 → y = g_a(x)·gain(q) → z = h_a(y) → ẑ = round(z), coded with the
//           per-channel z tables → (μ, table index) = h_s(ẑ) in float64 → ŷ − μ rounded, coded with the
//           Gaussian tables.
//   decode: ẑ → (μ, index) by the same float64 h_s → ŷ = symbols + μ → x̂ = g_s(ŷ·igain(q)), cropped.
// Everything that chooses a probability (ẑ, the z tables, the float64 h_s, the table indexes) is exact on
// every machine, so the symbols decode identically everywhere, and g_s runs integer-exact
// (model/exact-synthesis.ts), so the pixels do too (see docs/aez-format.md, "Determinism").
import type { RasterImage } from '../image/io.js';
import { throwIfCancelled } from '../util/errors.js';
import { CodecError } from './errors.js';
import { channelIndexes, decodeFactorized, encodeFactorized } from './entropy/factorized.js';
import { decodeGaussian, encodeGaussian } from './entropy/gaussian.js';
import { decodeAlpha, modelHashFromSha256, tileGrid, tileRect, writeAez, type AezFile, type AezHeader, type AezTile, type RateTarget } from './format/aez-file.js';
import { CODEC_SIZE_MULTIPLE } from './model/config.js';
import { gainsFor, maxQualityByte, qualityByte, qualityFromByte, type CodecModel } from './codec-model.js';
import { hyperSynthesisF64 } from './model/hyper-synthesis-f64.js';
import { quantiseLatent } from './model/exact-synthesis.js';
import { analyze, hyperAnalyze, synthesize, type ChunkReader } from './chunked-transforms.js';
import { TfjsCodecTransforms, type CodecTransforms } from './transform-engines.js';
import { activeBackend } from '../tfjs/backend.js';
import { EFFORT_STEPS, MAX_EFFORT, refineLatents } from './latent-refinement.js';

/** Largest tile side: a tile's latents (y, μ, symbols) are held whole, about 60 bytes per pixel / 16². */
export const MAX_TILE = 8192;
export const DEFAULT_QUALITY = 4;

export type RateRequest = { quality: number } | { bpp: number } | { bytes: number };

export interface EncodeOptions {
  rate?: RateRequest;
  metadata?: Record<string, unknown>;
  /** Also return the decoded image (what any decoder will restore), e.g. to report PSNR and SSIM. */
  reconstruct?: boolean;
  /** Measure the PSNR of what any decoder will restore without keeping it (bounded memory for big images). */
  measure?: boolean;
  /** Largest tile side (default MAX_TILE; smaller values exist for tests of the tile grid). */
  maxTile?: number;
  /** Where the transforms run (default: TensorFlow.js on the active backend). */
  transforms?: CodecTransforms;
  signal?: AbortSignal;
  /** Fraction done, 0..1, as the networks finish chunks (the entropy coding is quick by comparison). */
  onProgress?: (fraction: number) => void;
  /**
   * The analysis of this same image by this same model, from an earlier call's result: the analysis does not
   * depend on the quality (the gain vectors scale its output), so a new setting skips the costliest network.
   */
  analysis?: ImageAnalysis;
  /**
   * Encoder-side refinement of the latents for the chosen quality (latent-refinement.ts): 0 none (default),
   * 1–3 more steps; a quality setting only (a size or bpp target bisects the quality on the plain latents).
   */
  effort?: number;
}

/** What the analysis transform made of an image (per tile, before the quality's gains): reusable across settings. */
export interface ImageAnalysis {
  readonly modelHash: string;
  readonly width: number;
  readonly height: number;
  readonly maxTile: number;
  readonly tiles: readonly TileLatents[];
}

/** TensorFlow.js on whatever backend is active (initBackend first). */
function defaultTransforms(): CodecTransforms {
  return new TfjsCodecTransforms(`tfjs-${activeBackend()?.chosen ?? 'unknown'}`);
}

export interface EncodeResult {
  bytes: Uint8Array;
  /** Quality byte in the header and the user quality it stands for (1 … levels). */
  qualityByte: number;
  quality: number;
  bpp: number;
  /** Set when a size or bpp target could not be reached even at the lowest quality. */
  targetMissed?: boolean;
  reconstruction?: RasterImage;
  /** PSNR (8-bit, all samples) of the restored image, with `measure` or `reconstruct`. */
  psnr?: number;
  /** The analysis this encode used, to pass to the next encode of the same image (EncodeOptions.analysis). */
  analysis: ImageAnalysis;
}

interface TileLatents {
  rect: { x: number; y: number; width: number; height: number };
  /** Padded size in pixels and latent grid. */
  pw: number;
  ph: number;
  y: Float32Array;
}

interface CodedTile {
  tile: AezTile;
  ySym: Int32Array;
  mu: Float64Array;
}

function padUp(v: number): number {
  return Math.ceil(v / CODEC_SIZE_MULTIPLE) * CODEC_SIZE_MULTIPLE;
}

/**
 * Reads RGB chunks of a tile padded to multiples of 64 (the last row and column repeated) straight from the
 * image, so no padded copy of a large image is ever made.
 */
function tileReader(img: RasterImage, rect: TileLatents['rect']): ChunkReader {
  const c = img.channels;
  return (x0, y0, w, h) => {
    const out = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      const sy = rect.y + Math.min(y0 + y, rect.height - 1);
      for (let x = 0; x < w; x++) {
        const s = (sy * img.width + rect.x + Math.min(x0 + x, rect.width - 1)) * c;
        const d = (y * w + x) * 3;
        if (c === 3) {
          out[d] = img.data[s];
          out[d + 1] = img.data[s + 1];
          out[d + 2] = img.data[s + 2];
        } else {
          out[d] = out[d + 1] = out[d + 2] = img.data[s];
        }
      }
    }
    return out;
  };
}

/** Receives each decoded pixel of a tile, in image coordinates, clipped to 0..1. */
type PixelVisitor = (x: number, y: number, r: number, g: number, b: number) => void;

/** A visitor writing into an output image (grey files: the mean of the three equal-coded planes). */
function writeInto(out: RasterImage): PixelVisitor {
  const c = out.channels;
  return (x, y, r, g, b) => {
    const d = (y * out.width + x) * c;
    if (c === 3) {
      out.data[d] = r;
      out.data[d + 1] = g;
      out.data[d + 2] = b;
    } else out.data[d] = (r + g + b) / 3;
  };
}

async function codeTile(rt: CodecTransforms, model: CodecModel, t: TileLatents, q: number): Promise<CodedTile> {
  const { m, nz } = model.cfg;
  const lh = t.ph / 16;
  const lw = t.pw / 16;
  const gain = gainsFor(model, q, 'gain');
  const ys = new Float32Array(t.y.length);
  for (let i = 0; i < ys.length; i++) ys[i] = t.y[i] * gain[i % m];
  const z = await hyperAnalyze(rt, model, ys, lh, lw);
  const zSym = new Int32Array(z.length);
  for (let i = 0; i < z.length; i++) zSym[i] = Math.round(z[i]);
  const zStream = encodeFactorized(zSym, channelIndexes(zSym.length, nz), model.zTables);
  const { mu, indexes } = hyperSynthesisF64(model.cfg, model.hs, zSym, lh / 4, lw / 4);
  const ySym = new Int32Array(ys.length);
  for (let i = 0; i < ys.length; i++) ySym[i] = Math.round(ys[i] - mu[i]);
  const yStream = encodeGaussian(ySym, indexes);
  return { tile: { z: [zStream], y: [yStream] }, ySym, mu };
}

function headerFor(model: CodecModel, img: RasterImage, q: number, rate: RateRequest, maxTile: number): Omit<AezHeader, 'hasAlpha'> {
  const rateTarget: RateTarget = 'bpp' in rate ? { mode: 'bpp', bpp: rate.bpp } : 'bytes' in rate ? { mode: 'size', bytes: rate.bytes } : { mode: 'quality' };
  return {
    modelId: model.id,
    modelHash: modelHashFromSha256(model.sha256),
    width: img.width,
    height: img.height,
    channels: img.channels,
    bitDepth: img.bitDepth,
    colorSpace: 'srgb',
    quality: q,
    rate: rateTarget,
    tileWidth: Math.min(img.width, maxTile),
    tileHeight: Math.min(img.height, maxTile),
    tileOverlap: 0,
  };
}

function alphaSamples(img: RasterImage): Uint8Array | Uint16Array | undefined {
  if (!img.alpha) return undefined;
  const max = img.bitDepth === 16 ? 65535 : 255;
  const out = img.bitDepth === 16 ? new Uint16Array(img.alpha.length) : new Uint8Array(img.alpha.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, img.alpha[i])) * max);
  return out;
}

/** Throws when a rate request is outside what the model can do (e.g. a quality above its levels). */
export function checkRate(model: CodecModel, rate: RateRequest): void {
  if ('quality' in rate) qualityByte(model.cfg, rate.quality); // throws when out of range
  else if ('bpp' in rate && !(rate.bpp > 0 && rate.bpp <= 64)) throw new CodecError('AEZ_ARGUMENT', `a bpp target must be between 0 and 64, got ${rate.bpp}`);
  else if ('bytes' in rate && !(Number.isInteger(rate.bytes) && rate.bytes > 0)) throw new CodecError('AEZ_ARGUMENT', `a size target must be a positive number of bytes, got ${rate.bytes}`);
}

/** Encodes an image. Size and bpp targets search the quality scale for the best quality that fits. */
export async function encodeImageAez(model: CodecModel, img: RasterImage, opts: EncodeOptions = {}): Promise<EncodeResult> {
  const rt = opts.transforms ?? defaultTransforms();
  const rate = opts.rate ?? { quality: Math.min(DEFAULT_QUALITY, model.cfg.lambdas.length) };
  checkRate(model, rate);
  const maxTile = opts.maxTile ?? MAX_TILE;
  if (!(Number.isInteger(maxTile) && maxTile >= 64 && maxTile <= MAX_TILE)) throw new CodecError('AEZ_ARGUMENT', `tile size must be 64 … ${MAX_TILE}`);
  const probe = headerFor(model, img, 1, rate, maxTile);
  const grid = tileGrid(probe);
  const rects = Array.from({ length: grid.count }, (_, t) => tileRect(probe, t));
  // Progress: the analysis, then the coding, then (when asked for) the synthesis, by padded pixels.
  const padded = rects.reduce((sum, r) => sum + padUp(r.width) * padUp(r.height), 0);
  const synthesisShare = opts.reconstruct || opts.measure ? 0.35 : 0;
  const analysisShare = 0.9 - synthesisShare;
  let analysed = 0;
  const reuse = opts.analysis;
  const reusable = reuse && reuse.modelHash === model.sha256 && reuse.width === img.width && reuse.height === img.height && reuse.maxTile === maxTile;
  const latents: TileLatents[] = reusable ? [...reuse.tiles] : [];
  if (!reusable) {
    for (const rect of rects) {
      const pw = padUp(rect.width);
      const ph = padUp(rect.height);
      const y = await analyze(rt, model, tileReader(img, rect), pw, ph, opts.signal, (px) => opts.onProgress?.((analysisShare * (analysed += px)) / padded));
      latents.push({ rect, pw, ph, y });
    }
  }
  opts.onProgress?.(analysisShare);
  let latentsUsed: readonly TileLatents[] = latents;
  const alpha = alphaSamples(img);
  const pixels = img.width * img.height;
  const build = async (q: number, tiles: readonly TileLatents[] = latents) => {
    throwIfCancelled(opts.signal);
    const coded: CodedTile[] = [];
    for (const t of tiles) coded.push(await codeTile(rt, model, t, q));
    const bytes = writeAez({ header: headerFor(model, img, q, rate, maxTile), tiles: coded.map((c) => c.tile), ...(alpha ? { alpha } : {}), ...(opts.metadata ? { metadata: opts.metadata } : {}) });
    return { q, coded, bytes };
  };

  let best: Awaited<ReturnType<typeof build>>;
  let targetMissed = false;
  const effort = opts.effort ?? 0;
  if (!(Number.isInteger(effort) && effort >= 0 && effort <= MAX_EFFORT)) throw new CodecError('AEZ_ARGUMENT', `effort must be 0 … ${MAX_EFFORT}`);
  if (effort > 0 && !('quality' in rate)) throw new CodecError('AEZ_ARGUMENT', 'effort works with a quality setting, not with a size or bpp target');
  if ('quality' in rate) {
    const q = qualityByte(model.cfg, rate.quality);
    let tiles: readonly TileLatents[] = latents;
    if (effort > 0) {
      const steps = EFFORT_STEPS[effort];
      const refined: TileLatents[] = [];
      let done = 0;
      for (const t of latents) {
        const pixels = tileReader(img, t.rect)(0, 0, t.pw, t.ph);
        const y = await refineLatents(model, pixels, t.pw, t.ph, t.rect.width, t.rect.height, t.y, q, steps, opts.signal, () =>
          opts.onProgress?.(analysisShare * ((++done) / (steps * latents.length))),
        );
        refined.push({ ...t, y });
      }
      tiles = refined;
    }
    best = await build(q, tiles);
    if (effort > 0) latentsUsed = tiles;
  } else {
    // File size grows with quality; bisect for the highest quality byte that fits.
    const limit = 'bytes' in rate ? rate.bytes : Math.floor((rate.bpp * pixels) / 8);
    let lo = 1;
    let hi = maxQualityByte(model.cfg);
    const low = await build(lo);
    if (low.bytes.length > limit) {
      best = low;
      targetMissed = true;
    } else {
      best = low;
      const top = await build(hi);
      if (top.bytes.length <= limit) best = top;
      else {
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          const r = await build(mid);
          if (r.bytes.length <= limit) {
            lo = mid;
            best = r;
          } else hi = mid;
        }
      }
    }
  }

  opts.onProgress?.(analysisShare + 0.1);
  const result: EncodeResult = {
    analysis: { modelHash: model.sha256, width: img.width, height: img.height, maxTile, tiles: latents },
    bytes: best.bytes,
    qualityByte: best.q,
    quality: qualityFromByte(best.q),
    bpp: (best.bytes.length * 8) / pixels,
    ...(targetMissed ? { targetMissed } : {}),
  };
  if (opts.reconstruct || opts.measure) {
    const out = opts.reconstruct ? newOutput(img.width, img.height, img.channels, img.bitDepth, img.alpha) : undefined;
    const write = out ? writeInto(out) : undefined;
    // Squared error on 8-bit values, as a saved file would be compared (grey: the mean of the planes).
    let se = 0;
    const c = img.channels;
    const q8 = (v: number) => Math.round(v * 255);
    const visit: PixelVisitor = (x, y, r, g, b) => {
      write?.(x, y, r, g, b);
      const s = (y * img.width + x) * c;
      if (c === 3) se += (q8(r) - q8(img.data[s])) ** 2 + (q8(g) - q8(img.data[s + 1])) ** 2 + (q8(b) - q8(img.data[s + 2])) ** 2;
      else se += (q8((r + g + b) / 3) - q8(img.data[s])) ** 2;
    };
    let synthesized = 0;
    const onChunk = (px: number) => opts.onProgress?.(analysisShare + 0.1 + (synthesisShare * (synthesized += px)) / padded);
    for (const [i, t] of latentsUsed.entries()) {
      const coded = best.coded[i];
      await synthesizeTile(rt, model, coded.ySym, coded.mu, best.q, t.rect, t.pw, t.ph, visit, opts.signal, onChunk);
    }
    const mse = se / (pixels * c);
    result.psnr = mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
    if (out) result.reconstruction = out;
  }
  return result;
}

function newOutput(width: number, height: number, channels: 1 | 3, bitDepth: 8 | 16, alpha?: Float32Array): RasterImage {
  return { width, height, channels, bitDepth, data: new Float32Array(width * height * channels), format: 'aez', ...(alpha ? { alpha } : {}) };
}

/** ŷ = symbols + μ, scaled by the inverse gain, through g_s into the output rectangle (clipped to 0..1). */
async function synthesizeTile(
  rt: CodecTransforms,
  model: CodecModel,
  ySym: Int32Array,
  mu: Float64Array,
  q: number,
  rect: TileLatents['rect'],
  pw: number,
  ph: number,
  visit: PixelVisitor,
  signal?: AbortSignal,
  onChunk?: (pixels: number) => void,
): Promise<void> {
  const m = model.cfg.m;
  const igain = gainsFor(model, q, 'igain');
  // Q0 of the exact synthesis, in float64: the graphs take integers.
  const yHat = new Float32Array(ySym.length);
  for (let i = 0; i < yHat.length; i++) yHat[i] = quantiseLatent(model.exact, (ySym[i] + mu[i]) * igain[i % m]);
  await synthesize(
    rt,
    model,
    yHat,
    ph / 16,
    pw / 16,
    (bx, by, bw, bh, rgb) => {
      for (let y = 0; y < bh; y++) {
        const iy = by + y;
        if (iy >= rect.height) break;
        for (let x = 0; x < bw; x++) {
          const ix = bx + x;
          if (ix >= rect.width) break;
          const s = (y * bw + x) * 3;
          visit(rect.x + ix, rect.y + iy, clip01(rgb[s]), clip01(rgb[s + 1]), clip01(rgb[s + 2]));
        }
      }
    },
    signal,
    onChunk,
  );
}

function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Decodes a parsed file with its model (check the model first with `requireModel`). */
export async function decodeImageAez(
  model: CodecModel,
  file: AezFile,
  opts: { signal?: AbortSignal; transforms?: CodecTransforms; onProgress?: (fraction: number) => void } = {},
): Promise<RasterImage> {
  const rt = opts.transforms ?? defaultTransforms();
  const signal = opts.signal;
  const h = file.header;
  const { m, nz } = model.cfg;
  const alphaPlane = decodeAlpha(file);
  let alpha: Float32Array | undefined;
  if (alphaPlane) {
    const max = h.bitDepth === 16 ? 65535 : 255;
    alpha = new Float32Array(alphaPlane.length);
    for (let i = 0; i < alpha.length; i++) alpha[i] = alphaPlane[i] / max;
  }
  if (h.tileOverlap !== 0) throw new CodecError('AEZ_HEADER', `tile overlap ${h.tileOverlap}: model ${model.id} writes tiles without overlap`);
  if (h.tileWidth > MAX_TILE || h.tileHeight > MAX_TILE) throw new CodecError('AEZ_TOO_LARGE', `tiles of ${h.tileWidth}×${h.tileHeight} exceed this decoder's ${MAX_TILE}-pixel limit`);
  gainsFor(model, h.quality, 'igain'); // validates the quality byte before any work
  const out = newOutput(h.width, h.height, h.channels, h.bitDepth, alpha);
  const rects = file.tiles.map((_, t) => tileRect(h, t));
  const padded = rects.reduce((sum, r) => sum + padUp(r.width) * padUp(r.height), 0);
  let synthesized = 0;
  const onChunk = (px: number) => opts.onProgress?.((synthesized += px) / padded);
  for (const [t, tile] of file.tiles.entries()) {
    throwIfCancelled(signal);
    if (tile.z.length !== 1 || tile.y.length !== 1) {
      throw new CodecError('AEZ_STRUCTURE', `tile ${t} holds ${tile.z.length} z and ${tile.y.length} y streams; model ${model.id} writes one of each`);
    }
    const rect = rects[t];
    const pw = padUp(rect.width);
    const ph = padUp(rect.height);
    const zh = ph / 64;
    const zw = pw / 64;
    const zSym = decodeFactorized(tile.z[0], channelIndexes(zh * zw * nz, nz), model.zTables);
    const { mu, indexes } = hyperSynthesisF64(model.cfg, model.hs, zSym, zh, zw);
    const ySym = decodeGaussian(tile.y[0], indexes);
    if (ySym.length !== (ph / 16) * (pw / 16) * m) throw new CodecError('AEZ_STREAM', `tile ${t}: latent count mismatch`);
    await synthesizeTile(rt, model, ySym, mu, h.quality, rect, pw, ph, writeInto(out), signal, onChunk);
  }
  return out;
}
