// Messages between the main thread and inference workers.
export interface RunTileRequest {
  type: 'run';
  id: number;
  modelDir: string;
  input: Float32Array;
  shape: [number, number, number, number];
  sigma?: number;
}

/** Telea's classic fill of one region (no engine needed): the app keeps it off the host's thread. */
export interface TeleaRequest {
  type: 'telea';
  id: number;
  input: Float32Array;
  mask: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  radius?: number;
}

/**
 * End this worker once no onnxruntime call is in flight (inference/native-calls.ts): the one safe way to stop
 * a worker whose engine calls native code asynchronously. The worker exits with code 0; it replies nothing.
 */
export interface RetireRequest {
  type: 'retire';
}

export type WorkerRequest = RunTileRequest | TeleaRequest;

export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'result'; id: number; output: Float32Array }
  | { type: 'error'; id: number; code: string; message: string };

export interface WorkerInit {
  backend?: string;
}
