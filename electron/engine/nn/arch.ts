// Every trainable architecture the engine knows, behind one set of functions, so the trainer, the model
// files and the checkpoints need not know which network they hold.
import { trainableCodecConfig, type HyperpriorConfig } from '../codec/model/config.js';
import { hyperpriorInitParams, hyperpriorParamSpecs } from '../codec/model/hyperprior.js';
import { initParams as unetInitParams, paramSpecs as unetParamSpecs, type ParamSpec, type Params, type UNetConfig } from './unet.js';
import { canWidenUNet, widenUNetWeights } from './widen-unet.js';

export type ArchConfig = UNetConfig | HyperpriorConfig;

export function archParamSpecs(cfg: ArchConfig): ParamSpec[] {
  return cfg.kind === 'hyperprior' ? hyperpriorParamSpecs(cfg) : unetParamSpecs(cfg);
}

export function archInitParams(cfg: ArchConfig, seed: number): Params {
  return cfg.kind === 'hyperprior' ? hyperpriorInitParams(cfg, seed) : unetInitParams(cfg, seed);
}

export function archCountParams(cfg: ArchConfig): number {
  return archParamSpecs(cfg).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Whether a model can start a run of `run`'s architecture (a codec's calibrated, untrained extras aside). */
export function sameTrainableArch(model: ArchConfig, run: ArchConfig): boolean {
  const plain = (a: ArchConfig) => JSON.stringify(a.kind === 'hyperprior' ? trainableCodecConfig(a) : a);
  return plain(model) === plain(run);
}

/** Whether a model can start a run of `run`'s architecture: the same one, or a U-Net widened (widen-unet.ts). */
export function canStartFrom(model: ArchConfig, run: ArchConfig): boolean {
  return sameTrainableArch(model, run) || (model.kind === 'unet' && run.kind === 'unet' && canWidenUNet(model, run));
}

/**
 * A run's starting weights taken from a model (see canStartFrom): its own weights, or, for a wider U-Net,
 * the same function in the wider shape (`widened` then says so).
 */
export function startingWeights(model: ArchConfig, weights: Map<string, Float32Array>, run: ArchConfig, seed: number): { weights: Map<string, Float32Array>; widened: boolean } {
  if (sameTrainableArch(model, run)) return { weights, widened: false };
  if (model.kind === 'unet' && run.kind === 'unet' && canWidenUNet(model, run)) return { weights: widenUNetWeights(model, weights, run, seed), widened: true };
  throw new Error(`a ${JSON.stringify(model)} model cannot start a ${JSON.stringify(run)} run`);
}
