// Codec validation during training: centre crops of held-out photos coded at every quality level with
// real rounding; the score is the mean rate–distortion cost bpp + λ·255²·MSE (lower is better), the
// quantity the training loss estimates with noise.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Params } from '../nn/unet.js';
import type { HyperpriorConfig } from '../codec/model/config.js';
import { rdForward } from '../codec/model/hyperprior.js';
import { listImages } from './image-store.js';
import type { ValItem, ValSet } from './val-set.js';

/** Centre crops (multiples of 64 pixels) of the first `count` images. */
export async function codecValSet(dir: string | string[], count = 6, crop = 256): Promise<ValSet> {
  const files = (typeof dir === 'string' ? await listImages(dir) : dir).slice(0, count);
  const items: ValItem[] = [];
  for (const f of files) {
    const meta = await sharp(f).metadata();
    const w = Math.floor(Math.min(crop, meta.width!) / 64) * 64;
    const h = Math.floor(Math.min(crop, meta.height!) / 64) * 64;
    if (w === 0 || h === 0) continue;
    const left = ((meta.width! - w) / 2) | 0;
    const top = ((meta.height! - h) / 2) | 0;
    const { data } = await sharp(f).extract({ left, top, width: w, height: h }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const target = new Float32Array(w * h * 3);
    for (let i = 0; i < target.length; i++) target[i] = data[i] / 255;
    items.push({ name: f, width: w, height: h, channels: 3, input: target, target });
  }
  return { metric: 'rd', items };
}

export interface CodecScore {
  /** Mean of bpp + λ·255²·MSE over items and levels. */
  cost: number;
  /** Per level: mean estimated bpp and PSNR (dB, on unclipped-then-clipped 0..1 output). */
  levels: { bpp: number; psnr: number }[];
}

/** The score from each item's per-level rate (bpp) and error (MSE of the clipped output), shared with the
 * PyTorch mirror's feeder (scripts/torch-feed.ts), which gets those figures from PyTorch. */
export function scoreCodecLevels(cfg: HyperpriorConfig, perItem: { bpp: ArrayLike<number>; mse: ArrayLike<number> }[]): CodecScore {
  const L = cfg.lambdas.length;
  const levels = Array.from({ length: L }, () => ({ bpp: 0, psnr: 0 }));
  let cost = 0;
  for (const item of perItem) {
    for (let l = 0; l < L; l++) {
      levels[l].bpp += item.bpp[l] / perItem.length;
      levels[l].psnr += (10 * Math.log10(1 / Math.max(item.mse[l], 1e-10))) / perItem.length;
      cost += (item.bpp[l] + cfg.lambdas[l] * 255 * 255 * item.mse[l]) / (L * perItem.length);
    }
  }
  return { cost, levels };
}

export function evaluateCodec(cfg: HyperpriorConfig, params: Params, set: ValSet, onOutput?: (index: number, output: Float32Array) => void): CodecScore {
  const L = cfg.lambdas.length;
  const perItem: { bpp: Float32Array; mse: Float32Array }[] = [];
  for (const [index, item] of set.items.entries()) {
    const lv = Int32Array.from({ length: L }, (_, l) => l);
    const out = tf.tidy(() => {
      const x = tf.tensor4d(item.target, [1, item.height, item.width, 3]);
      const xs = tf.tile(x, [L, 1, 1, 1]) as tf.Tensor4D;
      const r = rdForward(cfg, params, xs, lv);
      const mse = tf.mean(tf.square(tf.sub(tf.clipByValue(r.xHat, 0, 1), xs)), [1, 2, 3]);
      return { bpp: r.bpp.dataSync().slice() as Float32Array, mse: mse.dataSync().slice() as Float32Array, mid: tf.slice(r.xHat, [Math.floor(L / 2), 0, 0, 0], [1, -1, -1, -1]).dataSync().slice() as Float32Array };
    });
    perItem.push({ bpp: out.bpp, mse: out.mse });
    onOutput?.(index, out.mid);
  }
  return scoreCodecLevels(cfg, perItem);
}
