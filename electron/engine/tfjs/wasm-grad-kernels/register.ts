// Registers the training kernels for the TensorFlow.js wasm backend (tfjs 4.22) in place of its own.
//
// The wasm backend lacks Conv2DBackpropFilter and both depthwise backprop kernels, and its
// Conv2DBackpropInput (also the forward pass of conv2dTranspose) is a naive loop at ~2 GFLOP/s. These
// kernels re-express the gradients as work the backend does fast (XNNPACK conv and plain matMul at
// 20–25 GFLOP/s on one core), plus bulk copies on the wasm heap: conv2d-backprop-filter.ts,
// conv2d-backprop-input.ts and depthwise-backprop.ts. memory-bound.ts has JS fast paths for Sum, Concat,
// SplitV and AvgPoolGrad (3–10× the built-ins).
//
// Everything here works on the backend's TensorInfo objects and frees its intermediates itself; the
// returned TensorInfo owns its data. No tf ops run inside a kernel, so nothing reaches the engine's
// tensor tracking.
import * as tf from '@tensorflow/tfjs';
// The wasm package registers its kernels on import; loading it first guarantees ours are registered
// after (and so override) its own, whatever order the rest of the program imports things in.
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { originals } from './builtin-kernels.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { Conv2DBackpropInputName, conv2dBackpropInput } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './depthwise-backprop.js';
import type { Args } from './heap.js';
import { avgPoolGradTiled, concatLast, splitLast, sumLeading } from './memory-bound.js';

const ours = new Map<string, KernelFunc>();

const KERNELS: [string, (args: Args) => TensorInfo | TensorInfo[]][] = [
  ['Conv2DBackpropFilter', conv2dBackpropFilter],
  [Conv2DBackpropInputName, conv2dBackpropInput],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
  ['Sum', sumLeading],
  ['SplitV', splitLast],
  ['Concat', concatLast],
  ['AvgPoolGrad', avgPoolGradTiled],
];

/**
 * Registers (or re-registers) the training kernels on the 'wasm' backend. Idempotent. Safe to call
 * before or after tf.setBackend('wasm'): the replaced built-in kernels' setup functions are carried
 * over, so they still get initialised with the backend if that happens later.
 */
export function registerWasmTrainingKernels(): void {
  for (const [name, impl] of KERNELS) {
    const current = tf.getKernel(name, 'wasm');
    const mine = ours.get(name);
    if (current && mine && current.kernelFunc === mine) continue;
    if (current && !originals.has(name)) originals.set(name, current);
    if (current) tf.unregisterKernel(name, 'wasm');
    const kernelFunc = impl as unknown as KernelFunc;
    ours.set(name, kernelFunc);
    const orig = originals.get(name);
    const config: KernelConfig = { kernelName: name, backendName: 'wasm', kernelFunc };
    if (orig?.setupFunc) config.setupFunc = orig.setupFunc;
    tf.registerKernel(config);
  }
}

/** Whether our kernels are the ones the wasm backend will run (for diagnostics and tests). */
export function wasmTrainingKernelsActive(): boolean {
  return KERNELS.every(([name]) => {
    const k = tf.getKernel(name, 'wasm');
    return k !== undefined && k.kernelFunc === ours.get(name);
  });
}
