// One denoise job from file to file: the unit the CLI, the desktop app and the web host all call.
import { readImage, writeImage } from '../image/io.js';
import type { LoadedModel } from '../models/model-file.js';
import { denoiseImage } from './denoise.js';
import { looksLikePage } from './page-likeness.js';

/** Below this estimated σ (8-bit units) the photo model leaves an image essentially as it was. */
const PAGE_QUIET_SIGMA = 2;
import type { TileExecutor } from '../inference/tile-executor.js';

export interface DenoiseFileOptions {
  sigma?: number;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function denoiseFile(input: string, output: string, model: LoadedModel, exec: TileExecutor, opts: DenoiseFileOptions = {}) {
  const img = await readImage(input);
  // Before the in-place denoising overwrites the pixels.
  const page = model.manifest.arch.kind === 'unet' && model.manifest.arch.noiseMap && opts.sigma === undefined && looksLikePage(img);
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
    // The photo model found next to no noise on what looks like a page: it changed almost nothing; say which model cleans pages.
    ...(page && result.sigmaEstimated && result.sigma !== undefined && result.sigma < PAGE_QUIET_SIGMA
      ? { suggest: 'scan', note: `almost no noise found (σ ${result.sigma.toFixed(1)}) and this looks like a page: the scan model cleans stains, fading and speckle (--model scan)` }
      : {}),
  };
}
