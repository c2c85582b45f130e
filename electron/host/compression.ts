// Compress mode's questions to the engine that are not jobs: which codec is installed, and what a setting
// would give for one image (size, bpp, PSNR) before anything is saved. The last input read is kept, so
// moving the quality slider does not read and decode the file again.
import type { CodecInfo, CompressEstimate } from '../shared/api.js';
import { DEFAULT_CODEC_MODEL, loadCodecModel } from '../engine/codec/codec-registry.js';
import { DEFAULT_QUALITY, encodeImageAez } from '../engine/codec/image-codec.js';
import { imageQuality } from '../engine/codec/quality-metrics.js';
import { readImage, type RasterImage } from '../engine/image/io.js';
import { sharedCodecTransforms } from '../engine/codec/codec-transforms.js';

export async function codecInfo(): Promise<CodecInfo | null> {
  try {
    const m = await loadCodecModel(DEFAULT_CODEC_MODEL);
    const levels = m.cfg.lambdas.length;
    return { model: m.id, levels, defaultQuality: Math.min(DEFAULT_QUALITY, levels) };
  } catch {
    return null;
  }
}

let lastImage: { path: string; img: Promise<RasterImage> } | undefined;

export async function estimateCompression(req: { input: string; quality: number; targetBytes: number | null }, backend?: string, threads?: number): Promise<CompressEstimate> {
  const transforms = await sharedCodecTransforms(backend, threads);
  const model = await loadCodecModel(DEFAULT_CODEC_MODEL);
  if (lastImage?.path !== req.input) lastImage = { path: req.input, img: readImage(req.input) };
  const img = await lastImage.img.catch((e) => {
    lastImage = undefined;
    throw e;
  });
  const r = await encodeImageAez(model, img, { rate: req.targetBytes !== null ? { bytes: req.targetBytes } : { quality: req.quality }, reconstruct: true, transforms });
  return {
    bytes: r.bytes.length,
    bpp: r.bpp,
    quality: r.quality,
    psnr: imageQuality(img, r.reconstruction!).psnr,
    ...(r.targetMissed ? { targetMissed: true } : {}),
  };
}
