// Shared test fixtures: temp folders, a small random model, synthetic images.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { initParams, type UNetConfig } from '../electron/engine/nn/unet.js';
import { saveModelDir } from '../electron/engine/models/model-file.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';

export async function tempDir(prefix = 'aez-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export const TINY_PHOTO: UNetConfig = { kind: 'unet', channels: 3, noiseMap: true, widths: [8, 16], blocks: [1, 1] };
export const TINY_SCAN: UNetConfig = { kind: 'unet', channels: 1, noiseMap: false, widths: [8, 16], blocks: [1, 1] };

/** Saves a randomly initialised model (not trained: for pipeline tests only). */
export async function saveTinyModel(dir: string, cfg: UNetConfig = TINY_PHOTO, dtype: 'float16' | 'float32' = 'float32'): Promise<string> {
  await initBackend();
  const params = initParams(cfg, 7);
  const weights = new Map<string, Float32Array>();
  for (const [k, t] of params) weights.set(k, t.dataSync() as Float32Array);
  for (const t of params.values()) t.dispose();
  await saveModelDir(dir, weights, { id: 'tiny', task: cfg.channels === 3 ? 'denoise-photo' : 'denoise-scan', arch: cfg, dtype });
  return dir;
}

/** A smooth colour gradient with a few edges: realistic enough for tiling and noise tests. */
export function gradientImage(width: number, height: number, channels: 1 | 3): Float32Array {
  const out = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const edge = (x > width / 3 && y > height / 2 ? 0.3 : 0) + ((x + y) % 17 < 2 ? 0.1 : 0);
        out[(y * width + x) * channels + c] = Math.min(1, 0.2 + (0.5 * x) / width + (0.2 * y) / height + 0.1 * c + edge) * 0.9;
      }
    }
  }
  return out;
}

export async function writePng(path: string, data: Float32Array, width: number, height: number, channels: 1 | 3): Promise<void> {
  const u8 = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) u8[i] = Math.round(Math.min(1, Math.max(0, data[i])) * 255);
  const s = sharp(u8, { raw: { width, height, channels } });
  await (channels === 1 ? s.toColourspace('b-w') : s).png().toFile(path);
}

export { tf };
