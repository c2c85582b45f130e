// Task presets: the architecture and training defaults each shipped model is trained with.
import type { ArchConfig } from '../models/arch.js';
import { DEFAULT_LAMBDAS } from '../codec/model/config.js';
import type { ModelInputs, ModelTask } from '../models/model-file.js';

export type TrainTask = 'photo' | 'scan' | 'inpaint' | 'codec';

export interface TaskPreset {
  task: ModelTask;
  arch: ArchConfig;
  batch: number;
  patch: number;
  lr: number;
  /** Extra inputs the model is trained with (inpainting: mask plane and hole pre-fill). */
  inputs?: ModelInputs;
}

export const PRESETS = {
  photo: {
    task: 'denoise-photo',
    arch: { kind: 'unet', channels: 3, noiseMap: true, widths: [32, 64, 128], blocks: [1, 1, 2] },
    batch: 16,
    patch: 64,
    lr: 1e-3,
  },
  scan: {
    task: 'denoise-scan',
    arch: { kind: 'unet', channels: 1, noiseMap: false, widths: [16, 32, 64], blocks: [1, 1, 2] },
    batch: 16,
    patch: 96,
    lr: 1e-3,
  },
  // Image (holes pre-filled by Telea) + hole mask in, composited output; five levels after the
  // pixel-unshuffle reach about ±260 px (four reached ±130 and scored 0.1 dB lower in the benchmark's holes).
  inpaint: {
    task: 'inpaint',
    arch: { kind: 'unet', channels: 3, noiseMap: false, widths: [24, 48, 96, 160, 192], blocks: [1, 1, 2, 2, 1], extraInputs: 1, maskedOutput: true },
    batch: 8,
    patch: 128,
    lr: 1e-3,
    inputs: { mask: 'hole', prefill: 'telea' },
  },
  // The image codec: mean-scale hyperprior, six quality levels in one model (codec/model/config.ts).
  codec: {
    task: 'codec',
    arch: { kind: 'hyperprior', channels: 3, n: 64, m: 96, nz: 64, lambdas: DEFAULT_LAMBDAS },
    batch: 8,
    patch: 128,
    lr: 5e-4,
  },
} satisfies Record<TrainTask, TaskPreset>;
