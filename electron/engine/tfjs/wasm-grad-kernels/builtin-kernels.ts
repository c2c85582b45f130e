// The wasm backend's own kernels, called from ours for the work the backend does fast (conv, matMul,
// transpose), and kept when ours replace them so that the cases ours do not handle go back to them.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackend } from './heap.js';

/** The wasm backend's own kernels that ours replace, kept for the cases ours hand back. */
export const originals = new Map<string, KernelConfig>();

export function kernel(name: string): KernelFunc {
  const k = originals.get(name) ?? tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm-grad-kernels: the wasm backend has no ${name} kernel`);
  return k.kernelFunc;
}

export function run(b: WasmBackend, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const out = kernel(name)({ inputs, attrs, backend: b as unknown as tf.KernelBackend });
  return (Array.isArray(out) ? out[0] : out) as TensorInfo;
}

export function transpose(b: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return run(b, 'Transpose', { x }, { perm });
}

export function matMul(b: WasmBackend, a: TensorInfo, bm: TensorInfo): TensorInfo {
  return run(b, 'BatchMatMul', { a, b: bm }, { transposeA: false, transposeB: false });
}

export function fallback(name: string, args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo | TensorInfo[] {
  const k = originals.get(name);
  if (!k) throw new Error(`${name}: case not supported by the wasm training kernels and no built-in kernel to fall back to`);
  return k.kernelFunc(args as Parameters<KernelFunc>[0]);
}
