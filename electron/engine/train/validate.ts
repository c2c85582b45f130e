// Validation sets and metrics used during training (the benchmarks use the same protocol on more data).
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { forward, sizeMultiple, type Params, type UNetConfig } from '../nn/unet.js';
import type { ArchConfig } from '../models/arch.js';
import { evaluateCodec } from './codec-validate.js';
import { extractTile, placeTile, type Tile } from '../image/tiling.js';
import { Rng } from '../util/rng.js';
import { listImages } from './image-store.js';
import type { ValItem, ValSet } from './val-set.js';

/** Photo validation: centre crops of the first `count` images of a folder (or of a list of files), σ=25 noise, fixed seed. */
export async function photoValSet(dir: string | string[], count = 8, crop = 192, sigma = 25): Promise<ValSet> {
  const files = (typeof dir === 'string' ? await listImages(dir) : dir).slice(0, count);
  const rng = new Rng(2025);
  const items: ValItem[] = [];
  for (const f of files) {
    const meta = await sharp(f).metadata();
    const left = Math.max(0, ((meta.width! - crop) / 2) | 0);
    const top = Math.max(0, ((meta.height! - crop) / 2) | 0);
    const { data, info } = await sharp(f).extract({ left, top, width: Math.min(crop, meta.width!), height: Math.min(crop, meta.height!) }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const n = info.width * info.height * 3;
    const target = new Float32Array(n);
    const input = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = info.channels === 3 ? data[i] : data[Math.floor(i / 3) * info.channels];
      target[i] = v / 255;
      input[i] = Math.min(255, Math.max(0, Math.round(v + sigma * rng.normal()))) / 255;
    }
    items.push({ name: f, width: info.width, height: info.height, channels: 3, input, target, sigma: sigma / 255 });
  }
  return { metric: 'psnr', items };
}

/** Scan validation: the held-out Kaggle pairs. */
export async function scanValSet(pairsRoot: string, limit = 12): Promise<ValSet> {
  const { loadDocPairs, splitDocPairs } = await import('../data/doc-pairs.js');
  const { val } = splitDocPairs(await loadDocPairs(pairsRoot));
  return {
    metric: 'rmse',
    items: val.slice(0, limit).map((p) => ({ name: p.name, width: p.width, height: p.height, channels: 1, input: p.noisy, target: p.clean })),
  };
}

/** Runs the network on a whole image (reflect-padded to the size multiple) and returns the output. */
export function runWhole(cfg: UNetConfig, params: Params, item: Pick<ValItem, 'width' | 'height' | 'channels' | 'input' | 'sigma' | 'inputChannels'>): Float32Array {
  const m = sizeMultiple(cfg);
  const tile: Tile = { x0: 0, y0: 0, x1: item.width, y1: item.height, cx0: 0, cy0: 0, cw: Math.ceil(item.width / m) * m, ch: Math.ceil(item.height / m) * m };
  const inC = item.inputChannels ?? item.channels;
  const padded = extractTile(item.input, item.width, item.height, inC, tile);
  const out = tf.tidy(() => forward(cfg, params, tf.tensor4d(padded, [1, tile.ch, tile.cw, inC]), item.sigma));
  const data = out.dataSync() as Float32Array;
  out.dispose();
  const result = new Float32Array(item.width * item.height * item.channels);
  placeTile(result, item.width, item.channels, tile, data);
  return result;
}

/** PSNR in dB on 8-bit values (output rounded to 8 bits first, as a saved file would be). */
export function psnr8(out: Float32Array, target: Float32Array): number {
  let se = 0;
  for (let i = 0; i < out.length; i++) {
    const a = Math.round(Math.min(1, Math.max(0, out[i])) * 255);
    const b = Math.round(target[i] * 255);
    se += (a - b) * (a - b);
  }
  const mse = se / out.length;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

/** PSNR on 8-bit values over the pixels whose weight is set (all their channels); 99 when perfect. */
export function psnr8Weighted(out: Float32Array, target: Float32Array, channels: number, weight: Float32Array): number {
  let se = 0;
  let n = 0;
  for (let p = 0; p < weight.length; p++) {
    if (!weight[p]) continue;
    for (let c = 0; c < channels; c++) {
      const i = p * channels + c;
      const a = Math.round(Math.min(1, Math.max(0, out[i])) * 255);
      const b = Math.round(target[i] * 255);
      se += (a - b) * (a - b);
      n++;
    }
  }
  if (n === 0) return 99;
  const mse = se / n;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

export function rmse(out: Float32Array, target: Float32Array): number {
  let se = 0;
  for (let i = 0; i < out.length; i++) {
    const d = Math.min(1, Math.max(0, out[i])) - target[i];
    se += d * d;
  }
  return Math.sqrt(se / out.length);
}

/** Mean metric over the set; for PSNR higher is better, for RMSE lower. `onOutput` sees each item's output. */
export function evaluate(cfg: ArchConfig, params: Params, set: ValSet, onOutput?: (index: number, output: Float32Array) => void): number {
  if (cfg.kind === 'hyperprior') return evaluateCodec(cfg, params, set, onOutput).cost;
  let sum = 0;
  for (const [index, item] of set.items.entries()) {
    const out = runWhole(cfg, params, item);
    onOutput?.(index, out);
    if (set.metric === 'rmse') sum += rmse(out, item.target);
    else sum += item.weight ? psnr8Weighted(out, item.target, item.channels, item.weight) : psnr8(out, item.target);
  }
  return sum / set.items.length;
}

/**
 * Inpainting validation: centre crops of the first `count` images of a folder with fixed seeded masks of
 * 10–30 % holes (drawn at the whole image's scale, as the benchmark's are), scored by PSNR in the holes.
 */
export async function inpaintValSet(dir: string | string[], prefill: 'zero' | 'telea', count = 8, crop = 256): Promise<ValSet> {
  const { generateMask } = await import('../inpaint/masks.js');
  const { teleaInpaint } = await import('../inpaint/telea.js');
  const files = (typeof dir === 'string' ? await listImages(dir) : dir).slice(0, count);
  const items: ValItem[] = [];
  for (const [index, f] of files.entries()) {
    const meta = await sharp(f).metadata();
    const w = Math.min(crop, meta.width!);
    const h = Math.min(crop, meta.height!);
    const left = Math.max(0, ((meta.width! - w) / 2) | 0);
    const top = Math.max(0, ((meta.height! - h) / 2) | 0);
    const { data, info } = await sharp(f).extract({ left, top, width: w, height: h }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const n = info.width * info.height;
    const target = new Float32Array(n * 3);
    for (let i = 0; i < n * 3; i++) target[i] = (info.channels === 3 ? data[i] : data[Math.floor(i / 3) * info.channels]) / 255;
    const mask = generateMask(new Rng(9001 + index), info.width, info.height, { minFraction: 0.1, maxFraction: 0.3, scale: Math.min(meta.width!, meta.height!) });
    const filled = prefill === 'telea' ? teleaInpaint(target, info.width, info.height, 3, mask.data) : target;
    const input = new Float32Array(n * 4);
    const weight = new Float32Array(n);
    for (let p = 0; p < n; p++) {
      const hole = mask.data[p];
      weight[p] = hole;
      for (let c = 0; c < 3; c++) input[p * 4 + c] = hole && prefill === 'zero' ? 0 : filled[p * 3 + c];
      input[p * 4 + 3] = hole;
    }
    items.push({ name: f, width: info.width, height: info.height, channels: 3, input, target, inputChannels: 4, weight });
  }
  return { metric: 'psnr', items };
}
