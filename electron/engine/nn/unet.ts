// The denoising network: a residual U-Net that works at half resolution from the start (pixel unshuffle,
// as FFDNet does), so a model of this width costs a quarter of the FLOPs of a full-resolution one.
// Written as plain functions over a parameter map rather than tf.layers, so the same definition serves
// inference, the TypeScript trainer, the ONNX exporter and the PyTorch mirror without translation layers.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import { pixelShuffle2, pixelUnshuffle2 } from './shuffle.js';

export interface UNetConfig {
  kind: 'unet';
  /** Image channels in and out (1 grey, 3 RGB). */
  channels: 1 | 3;
  /** Adds a constant noise-level plane (σ/255) to the input, as in FFDNet, so strength can be set. */
  noiseMap: boolean;
  /** Feature widths per level; level 0 runs at half resolution, each next level halves again. */
  widths: number[];
  /** Residual blocks per level (the deepest level uses its count once; others once in the encoder and once in the decoder). */
  blocks: number[];
  /** Extra input planes after the image channels (the inpainter's hole mask); absent = 0. */
  extraInputs?: number;
  /**
   * With extraInputs: the last extra plane is a hole mask (1 = hole) and the residual is applied only
   * there, out = x − mask·r, so pixels outside the mask pass through exactly (composited output).
   */
  maskedOutput?: boolean;
}

/** Planes of the network input: image channels plus extra planes (the noise map is made inside). */
export function inputChannels(cfg: UNetConfig): number {
  return cfg.channels + (cfg.extraInputs ?? 0);
}

export type Params = Map<string, tf.Tensor>;

/** Width and height of inputs must be multiples of this. */
export function sizeMultiple(cfg: UNetConfig): number {
  return 2 ** cfg.widths.length;
}

export interface ParamSpec {
  name: string;
  shape: number[];
  /** Standard deviation of the initial weights (0 = zeros). */
  std: number;
}

function convSpecs(name: string, k: number, cin: number, cout: number, gain = 1): ParamSpec[] {
  return [
    { name: `${name}.w`, shape: [k, k, cin, cout], std: gain * Math.sqrt(2 / (k * k * cin)) },
    { name: `${name}.b`, shape: [cout], std: 0 },
  ];
}

function blockSpecs(name: string, w: number): ParamSpec[] {
  // The second conv starts small so a deep stack of blocks begins near the identity (stable training).
  return [...convSpecs(`${name}.c1`, 3, w, w), ...convSpecs(`${name}.c2`, 3, w, w, 0.1)];
}

/** Every parameter of the network, in a fixed order (the order of the weights file). */
export function paramSpecs(cfg: UNetConfig): ParamSpec[] {
  const { widths, blocks, channels } = cfg;
  const inC = 4 * (inputChannels(cfg) + (cfg.noiseMap ? 1 : 0));
  const specs: ParamSpec[] = [...convSpecs('head', 3, inC, widths[0])];
  const last = widths.length - 1;
  for (let l = 0; l < widths.length; l++) {
    if (l > 0) specs.push(...convSpecs(`down${l}`, 1, 4 * widths[l - 1], widths[l]));
    const n = blocks[l];
    for (let b = 0; b < n; b++) specs.push(...blockSpecs(`enc${l}.b${b}`, widths[l]));
  }
  for (let l = last - 1; l >= 0; l--) {
    specs.push(...convSpecs(`up${l + 1}`, 1, widths[l + 1], 4 * widths[l]));
    for (let b = 0; b < blocks[l]; b++) specs.push(...blockSpecs(`dec${l}.b${b}`, widths[l]));
  }
  specs.push(...convSpecs('tail', 3, widths[0], 4 * channels, 0.1));
  return specs;
}

export function countParams(cfg: UNetConfig): number {
  return paramSpecs(cfg).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

export function initParams(cfg: UNetConfig, seed: number): Params {
  const rng = new Rng(seed);
  const params: Params = new Map();
  for (const spec of paramSpecs(cfg)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (spec.std > 0) for (let i = 0; i < size; i++) data[i] = rng.normal() * spec.std;
    params.set(spec.name, tf.tensor(data, spec.shape, 'float32'));
  }
  return params;
}

function conv(params: Params, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const w = params.get(`${name}.w`) as tf.Tensor4D;
  const b = params.get(`${name}.b`) as tf.Tensor1D;
  if (!w || !b) throw new Error(`model is missing parameter ${name}`);
  return tf.add(tf.conv2d(x, w, 1, 'same'), b);
}

function block(params: Params, name: string, x: tf.Tensor4D): tf.Tensor4D {
  return tf.add(x, conv(params, `${name}.c2`, tf.relu(conv(params, `${name}.c1`, x))));
}

/**
 * Runs the network. `x` is [N, H, W, inputChannels(cfg)] in 0..1 with H, W multiples of sizeMultiple(cfg);
 * `sigma` (noise standard deviation in 0..1 units) is required when cfg.noiseMap is set.
 * Returns the cleaned image: the network predicts the noise, which is subtracted (residual learning);
 * with extra input planes the image is the first `channels` planes of `x` (output has `channels` planes).
 */
export function forward(cfg: UNetConfig, params: Params, x: tf.Tensor4D, sigma?: number | tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    let inp: tf.Tensor4D = x;
    if (cfg.noiseMap) {
      if (sigma === undefined) throw new Error('this model needs a noise level (sigma)');
      const s = typeof sigma === 'number' ? tf.scalar(sigma) : sigma;
      const plane = tf.mul(tf.ones([n, h, w, 1]), tf.reshape(s, s.rank === 0 ? [] : [n, 1, 1, 1])) as tf.Tensor4D;
      inp = tf.concat([x, plane], 3);
    }
    let f = tf.relu(conv(params, 'head', pixelUnshuffle2(inp)));
    const skips: tf.Tensor4D[] = [];
    const levels = cfg.widths.length;
    for (let l = 0; l < levels; l++) {
      if (l > 0) {
        skips.push(f);
        f = conv(params, `down${l}`, pixelUnshuffle2(f));
      }
      for (let b = 0; b < cfg.blocks[l]; b++) f = block(params, `enc${l}.b${b}`, f);
    }
    for (let l = levels - 2; l >= 0; l--) {
      f = tf.add(pixelShuffle2(conv(params, `up${l + 1}`, f)), skips[l]);
      for (let b = 0; b < cfg.blocks[l]; b++) f = block(params, `dec${l}.b${b}`, f);
    }
    const noise = pixelShuffle2(conv(params, 'tail', f));
    const extra = cfg.extraInputs ?? 0;
    if (extra === 0) return tf.sub(x, noise);
    const img = tf.slice(x, [0, 0, 0, 0], [n, h, w, cfg.channels]);
    if (!cfg.maskedOutput) return tf.sub(img, noise);
    const mask = tf.slice(x, [0, 0, 0, cfg.channels + extra - 1], [n, h, w, 1]);
    return tf.sub(img, tf.mul(mask, noise));
  });
}

/** FLOPs (multiply-add = 2) per input pixel, for speed reports. */
export function flopsPerPixel(cfg: UNetConfig): number {
  let total = 0;
  const area = (l: number) => 1 / 4 ** (l + 1); // level l runs at 1/2^(l+1) of the resolution
  for (const spec of paramSpecs(cfg)) {
    if (!spec.name.endsWith('.w')) continue;
    const [k, , cin, cout] = spec.shape;
    const m = /^(?:enc|dec)(\d+)|^down(\d+)|^up(\d+)/.exec(spec.name);
    const level = m ? Number(m[1] ?? m[2] ?? m[3]) : 0; // up{l} runs at level l before its shuffle
    total += 2 * k * k * cin * cout * area(level);
  }
  return total;
}
