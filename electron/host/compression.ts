// Compress mode's questions to the engine that are not jobs: which codec is installed, and what a setting
// would give for one image (size, bpp, PSNR) before anything is saved. Both run on the codec's worker
// thread (the one the jobs use), which keeps the last image read, so moving the slider is cheap.
import type { CodecInfo, CompressEstimate } from '../shared/api.js';
import type { CodecWorkerClient } from '../engine/codec/codec-client.js';
import { DEFAULT_CODEC_MODEL, loadCodecModel } from '../engine/codec/codec-registry.js';
import { DEFAULT_QUALITY } from '../engine/codec/image-codec.js';

export async function codecInfo(): Promise<CodecInfo | null> {
  try {
    // Reads the manifest and builds the z tables only: no network is run here.
    const m = await loadCodecModel(DEFAULT_CODEC_MODEL);
    const levels = m.cfg.lambdas.length;
    return { model: m.id, levels, defaultQuality: Math.min(DEFAULT_QUALITY, levels) };
  } catch {
    return null;
  }
}

export function estimateCompression(codec: CodecWorkerClient, req: { input: string; quality: number; targetBytes: number | null }): Promise<CompressEstimate> {
  return codec.run<CompressEstimate>({ op: 'estimate', input: req.input, model: DEFAULT_CODEC_MODEL, rate: req.targetBytes !== null ? { bytes: req.targetBytes } : { quality: req.quality } });
}
