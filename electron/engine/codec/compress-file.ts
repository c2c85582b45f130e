// One compress job from image file to .aez file: the unit the CLI, the desktop app and the web host call.
import { basename } from 'node:path';
import { readImage } from '../image/io.js';
import { throwIfCancelled } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { encodeImageAez, type RateRequest } from './image-codec.js';
import type { CodecModel } from './codec-model.js';
import type { CodecTransforms } from './transform-engines.js';
import { ssim, SSIM_MAX_PIXELS } from './quality-metrics.js';

export interface CompressFileOptions {
  rate?: RateRequest;
  transforms?: CodecTransforms;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function compressFile(input: string, output: string, model: CodecModel, opts: CompressFileOptions = {}) {
  const img = await readImage(input);
  opts.onProgress?.(0.05);
  throwIfCancelled(opts.signal);
  // Small enough: keep the restored image for SSIM too; larger: measure PSNR on the fly (bounded memory).
  const keep = img.width * img.height <= SSIM_MAX_PIXELS;
  const r = await encodeImageAez(model, img, {
    rate: opts.rate,
    reconstruct: keep,
    measure: !keep,
    signal: opts.signal,
    transforms: opts.transforms,
    metadata: { source: basename(input) },
    onProgress: (f) => opts.onProgress?.(0.05 + 0.9 * f),
  });
  await writeFileAtomic(output, r.bytes, { overwrite: opts.overwrite ?? false });
  opts.onProgress?.(1);
  const s = r.reconstruction ? ssim(img, r.reconstruction) : undefined;
  const rawBytes = img.width * img.height * img.channels * (img.bitDepth / 8);
  return {
    width: img.width,
    height: img.height,
    model: model.id,
    quality: Math.round(r.quality * 100) / 100,
    bytes: r.bytes.length,
    bpp: Math.round(r.bpp * 10000) / 10000,
    ratio: Math.round((rawBytes / r.bytes.length) * 10) / 10,
    psnr: Math.round(r.psnr! * 100) / 100,
    ...(s !== undefined ? { ssim: Math.round(s * 10000) / 10000 } : {}),
    ...(r.targetMissed ? { targetMissed: true, note: 'the target is below what the lowest quality reaches; wrote the lowest quality' } : {}),
  };
}
