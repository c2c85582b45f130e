// One compress job from image file to .aez file: the unit the CLI, the desktop app and the web host call.
import { basename } from 'node:path';
import { readImage, type RasterImage } from '../image/io.js';
import { throwIfCancelled } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { encodeImageAez, type EncodeResult, type ImageAnalysis, type RateRequest } from './image-codec.js';
import type { CodecModel } from './codec-model.js';
import type { CodecTransforms } from './transform-engines.js';
import { ssim, SSIM_MAX_PIXELS } from './quality-metrics.js';

export interface CompressFileOptions {
  rate?: RateRequest;
  /** Encoder-side latent refinement, 0 (none) or 1 (image-codec.ts EncodeOptions.effort). */
  effort?: number;
  transforms?: CodecTransforms;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** The input, already decoded (the codec worker keeps the image Compress estimated: recent-image.ts). */
  image?: RasterImage;
  /** Its analysis by this model, from an earlier encode: only the coding is left to do. */
  analysis?: ImageAnalysis;
  /** An earlier encode of it with these very settings and metadata (an estimate, PSNR and, for images SSIM is
   * reported on, SSIM measured): its bytes are written. */
  encoded?: MeasuredEncode;
}

/** An encode with its quality measured the way compressFile reports it (no reconstruction kept). */
export type MeasuredEncode = Omit<EncodeResult, 'reconstruction'> & { ssim?: number };

/** Whether compressFile reports SSIM for this image (the restored image is kept for it: bounded memory). */
export function reportsSsim(img: RasterImage): boolean {
  return img.width * img.height <= SSIM_MAX_PIXELS;
}

/** Encodes as compressFile does, measuring PSNR (and SSIM where it is reported) without keeping the pixels. */
export async function measuredEncode(model: CodecModel, img: RasterImage, input: string, opts: CompressFileOptions): Promise<MeasuredEncode> {
  const keep = reportsSsim(img);
  const r = await encodeImageAez(model, img, {
    rate: opts.rate,
    effort: opts.effort,
    reconstruct: keep,
    measure: !keep,
    signal: opts.signal,
    transforms: opts.transforms,
    metadata: compressMetadata(input),
    analysis: opts.analysis,
    onProgress: opts.onProgress,
  });
  const { reconstruction, ...rest } = r;
  return { ...rest, ...(reconstruction ? { ssim: ssim(img, reconstruction) } : {}) };
}

/** The metadata every compressed file carries, so an estimate made with it yields the file's very bytes. */
export function compressMetadata(input: string): Record<string, unknown> {
  return { source: basename(input) };
}

export async function compressFile(input: string, output: string, model: CodecModel, opts: CompressFileOptions = {}) {
  const img = opts.image ?? (await readImage(input));
  opts.onProgress?.(0.05);
  throwIfCancelled(opts.signal);
  // Small enough: keep the restored image for SSIM too; larger: measure PSNR on the fly (bounded memory).
  const usable = opts.encoded?.psnr !== undefined && (!reportsSsim(img) || opts.encoded.ssim !== undefined);
  const r = usable ? opts.encoded! : await measuredEncode(model, img, input, { ...opts, onProgress: (f) => opts.onProgress?.(0.05 + 0.9 * f) });
  throwIfCancelled(opts.signal);
  await writeFileAtomic(output, r.bytes, { overwrite: opts.overwrite ?? false });
  opts.onProgress?.(1);
  const s = r.ssim;
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
