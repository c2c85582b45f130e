// Denoising one image: channel adaptation to the model, noise level, tiled execution, alpha carried over.
import type { RasterImage } from '../image/io.js';
import { runTiled, DEFAULT_TILE, type TileOptions } from '../image/tiling.js';
import type { LoadedModel } from '../models/model-file.js';
import type { TileExecutor } from '../inference/tile-executor.js';
import { sizeMultiple, type UNetConfig } from '../nn/unet.js';
import { AezError } from '../util/errors.js';
import { estimateNoiseSigma } from './noise-estimate.js';

export interface DenoiseOptions {
  /** Noise level in 0..255 units; estimated from the image when absent (photo model). */
  sigma?: number;
  tile?: Partial<TileOptions>;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** The caller gives up `img.data`: the result may be written into it (saves a full-size copy). */
  inPlace?: boolean;
}

export interface DenoiseResult {
  image: RasterImage;
  /** σ used by a noise-map model (0..255), and whether it was estimated. */
  sigma?: number;
  sigmaEstimated?: boolean;
}

/** Converts between the image's colour planes and the model's. */
function adaptChannels(data: Float32Array, pixels: number, from: 1 | 3, to: 1 | 3): Float32Array {
  if (from === to) return data;
  const out = new Float32Array(pixels * to);
  if (to === 3) {
    for (let i = 0; i < pixels; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i];
  } else {
    // Rec. 601 luma, as sharp uses for greyscale conversion.
    for (let i = 0; i < pixels; i++) out[i] = 0.299 * data[3 * i] + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2];
  }
  return out;
}

export async function denoiseImage(img: RasterImage, model: LoadedModel, exec: TileExecutor, opts: DenoiseOptions = {}): Promise<DenoiseResult> {
  const cfg = model.manifest.arch as UNetConfig;
  const pixels = img.width * img.height;
  let sigma: number | undefined;
  let sigmaEstimated = false;
  if (cfg.noiseMap) {
    if (opts.sigma !== undefined) {
      if (!(opts.sigma >= 0 && opts.sigma <= 100)) throw new AezError('BAD_ARGUMENT', `--sigma must be between 0 and 100, got ${opts.sigma}`);
      sigma = opts.sigma;
    } else {
      sigma = estimateNoiseSigma(img.data, img.width, img.height, img.channels);
      sigmaEstimated = true;
    }
  }
  const input = adaptChannels(img.data, pixels, img.channels, cfg.channels);
  // In place when the image is not the caller's: a 40-megapixel photo then needs one float copy, not two.
  const output = input === img.data && !opts.inPlace ? new Float32Array(input.length) : input;
  const tile: TileOptions = { ...DEFAULT_TILE, ...opts.tile, multiple: sizeMultiple(cfg) };
  await runTiled(
    input,
    output,
    img.width,
    img.height,
    cfg.channels,
    (t, w, h) => exec.runTile(model, t, w, h, cfg.channels, sigma === undefined ? undefined : sigma / 255),
    {
      ...tile,
      concurrency: exec.concurrency,
      signal: opts.signal,
      onTile: (done, total) => opts.onProgress?.(done / total),
    },
  );
  for (let i = 0; i < output.length; i++) output[i] = output[i] < 0 ? 0 : output[i] > 1 ? 1 : output[i];
  // A photo model run on a grey image returns three near-identical planes: fold them back to grey.
  const data = adaptChannels(output, pixels, cfg.channels, img.channels);
  return {
    image: { ...img, data },
    ...(sigma !== undefined ? { sigma, sigmaEstimated } : {}),
  };
}
