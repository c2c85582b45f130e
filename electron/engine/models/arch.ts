// Every trainable architecture the engine knows, behind one set of functions, so the trainer, the model
// files and the checkpoints need not know which network they hold.
import { trainableCodecConfig, type HyperpriorConfig } from '../codec/model/config.js';
import { hyperpriorInitParams, hyperpriorParamSpecs } from '../codec/model/hyperprior.js';
import { initParams as unetInitParams, paramSpecs as unetParamSpecs, type ParamSpec, type Params, type UNetConfig } from '../nn/unet.js';
import { canWidenUNet, widenUNetWeights } from '../nn/widen-unet.js';
import { canDeepenUNet, deepenUNetWeights } from '../nn/deepen-unet.js';

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

/**
 * A U-Net with `run`'s levels: `model` itself, or deepened by the levels `run` adds below it, with the
 * old levels' widths (widening comes after); undefined when `run` cannot be reached that way.
 */
function deepenedShape(model: UNetConfig, run: UNetConfig): UNetConfig | undefined {
  if (run.widths.length === model.widths.length) return model;
  const mid: UNetConfig = { ...model, widths: [...model.widths, ...run.widths.slice(model.widths.length)], blocks: run.blocks };
  return canDeepenUNet(model, mid) ? mid : undefined;
}

/** Whether a model can start a run of `run`'s architecture: the same one, or a U-Net grown deeper and/or wider. */
export function canStartFrom(model: ArchConfig, run: ArchConfig): boolean {
  if (sameTrainableArch(model, run)) return true;
  if (model.kind !== 'unet' || run.kind !== 'unet') return false;
  const mid = deepenedShape(model, run);
  return mid !== undefined && canWidenUNet(mid, run);
}

/**
 * A run's starting weights taken from a model (see canStartFrom): its own weights, or, for a deeper and/or
 * wider U-Net, the same function in the grown shape (`grown` then says so).
 */
export function startingWeights(model: ArchConfig, weights: Map<string, Float32Array>, run: ArchConfig, seed: number): { weights: Map<string, Float32Array>; grown: boolean } {
  if (sameTrainableArch(model, run)) return { weights, grown: false };
  if (model.kind === 'unet' && run.kind === 'unet' && canStartFrom(model, run)) {
    const mid = deepenedShape(model, run)!;
    const deep = mid === model ? weights : deepenUNetWeights(model, weights, mid, seed);
    return { weights: widenUNetWeights(mid, deep, run, seed + 1), grown: true };
  }
  throw new Error(`a ${JSON.stringify(model)} model cannot start a ${JSON.stringify(run)} run`);
}
