// The codec architecture: a mean-scale hyperprior (Ballé et al. 2018, Minnen et al. 2018) with gain
// vectors per quality level (Cui et al. 2021), so one set of transforms serves every rate.
//
// Every convolution runs at stride 1: down-sampling is a pixel unshuffle in front of a 3×3 convolution
// and up-sampling a 3×3 convolution followed by a pixel shuffle. That keeps training on the fast wasm
// kernels (nn/shuffle.ts) and keeps the hyper-synthesis simple enough to re-implement exactly in float64
// JavaScript (model/hyper-synthesis-f64.ts), which is what makes decoding bit-exact on every backend.

export interface HyperpriorConfig {
  kind: 'hyperprior';
  /** Image channels (3: grey images are coded as RGB with equal planes). */
  channels: 3;
  /** Width of the analysis/synthesis transforms. */
  n: number;
  /** Latent channels of y (1/16 resolution). */
  m: number;
  /** Hyper-latent channels of z (1/64 resolution). */
  nz: number;
  /** Rate–distortion trade-off of each quality level (loss = bpp + λ·255²·MSE), lowest quality first. */
  lambdas: number[];
  /**
   * Set on every model the trainer writes: the decoder runs the synthesis integer-exact
   * (exact-synthesis.ts), with the seven grid shifts it needs stored as the weight `gs.act_log2`, so
   * they are covered by the weights' hash like everything else that decides the pixels.
   */
  exactSynthesis?: true;
}

/** The weight holding the exact synthesis' grid shifts, and how many there are (points Q0…Q6). */
export const EXACT_SHIFTS_PARAM = 'gs.act_log2';
export const EXACT_POINTS = 7;

/** The architecture as trained: the exact-synthesis shifts are calibrated afterwards, not learned. */
export function trainableCodecConfig(cfg: HyperpriorConfig): HyperpriorConfig {
  const { exactSynthesis, ...rest } = cfg;
  void exactSynthesis;
  return rest;
}

/** Width and height of what the transforms take must be multiples of this (z is at 1/64). */
export const CODEC_SIZE_MULTIPLE = 64;

/** λ of CompressAI's MSE models 1–6: about 0.1 to 1 bit per pixel. */
export const DEFAULT_LAMBDAS = [0.0018, 0.0035, 0.0067, 0.013, 0.025, 0.0483];

export function qualityLevels(cfg: HyperpriorConfig): number {
  return cfg.lambdas.length;
}
