// One denoise job from file to file: the unit the CLI, the desktop app and the web host all call.
import { readImage, writeImage } from '../image/io.js';
import type { LoadedModel } from '../models/model-file.js';
import { denoiseImage } from './denoise.js';
import type { TileExecutor } from '../inference/tile-executor.js';

export interface DenoiseFileOptions {
  sigma?: number;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function denoiseFile(input: string, output: string, model: LoadedModel, exec: TileExecutor, opts: DenoiseFileOptions = {}) {
  const img = await readImage(input);
  opts.onProgress?.(0.02);
  const result = await denoiseImage(img, model, exec, { sigma: opts.sigma, inPlace: true, signal: opts.signal, onProgress: (f) => opts.onProgress?.(0.02 + 0.93 * f) });
  opts.signal?.throwIfAborted();
  await writeImage(output, result.image, { bitDepth: img.bitDepth, overwrite: opts.overwrite ?? false });
  opts.onProgress?.(1);
  return {
    width: img.width,
    height: img.height,
    model: model.manifest.id,
    ...(result.sigma !== undefined ? { sigma: Math.round(result.sigma * 10) / 10, sigmaEstimated: result.sigmaEstimated } : {}),
  };
}
