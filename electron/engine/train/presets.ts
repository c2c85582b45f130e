// Task presets: the architecture and training defaults each shipped model is trained with.
import type { UNetConfig } from '../nn/unet.js';
import type { ModelTask } from '../models/model-file.js';

export type TrainTask = 'photo' | 'scan';

export interface TaskPreset {
  task: ModelTask;
  arch: UNetConfig;
  batch: number;
  patch: number;
  lr: number;
}

export const PRESETS: Record<TrainTask, TaskPreset> = {
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
};
