// The wasm backend as these kernels see it: its heap (a Float32Array that a memory grow replaces),
// where each tensor's data lies on it, and allocating, viewing and freeing tensors there.
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  refCount: number;
}

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmBackend {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

export function heap(b: WasmBackend): Float32Array {
  // Re-read after every allocation: growing the wasm memory replaces the buffer.
  return b.wasm.HEAPF32;
}

export function off(b: WasmBackend, t: TensorInfo): number {
  const d = b.dataIdMap.get(t.dataId);
  if (!d) throw new Error('wasm-grad-kernels: tensor data not found on the wasm backend');
  return d.memoryOffset >>> 2;
}

export function free(b: WasmBackend, ...ts: (TensorInfo | null | undefined)[]): void {
  for (const t of ts) if (t) b.disposeData(t.dataId);
}

/** The same data seen with another shape (for passing to kernels; never returned, never freed). */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function zeros(b: WasmBackend, shape: number[]): TensorInfo {
  const t = b.makeOutput(shape, 'float32');
  const o = off(b, t);
  heap(b).fill(0, o, o + size(shape));
  return t;
}

export function size(shape: number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** acc += part, element-wise on the heap; frees part. */
export function accumulate(b: WasmBackend, acc: TensorInfo, part: TensorInfo): void {
  const h = heap(b);
  const ao = off(b, acc);
  const po = off(b, part);
  const n = size(acc.shape);
  for (let i = 0; i < n; i++) h[ao + i] += h[po + i];
  free(b, part);
}

export function assertFloat(name: string, ...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${name} on wasm supports float32 only, got ${t.dtype}`);
}

export type Args = { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown };
