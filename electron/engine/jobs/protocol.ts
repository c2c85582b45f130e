// What the pool (worker-pool.ts) asks an inference worker (inference-worker.ts), over the worker bridge
// (workers/bridge.ts: ids, cancel and retire are the bridge's).

/** Method `run`: one tile through a model. */
export interface RunTileRequest {
  modelDir: string;
  input: Float32Array;
  shape: [number, number, number, number];
  sigma?: number;
}

/** Method `telea`: Telea's classic fill of one region (no engine needed): the app keeps it off the host's thread. */
export interface TeleaRequest {
  input: Float32Array;
  mask: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  radius?: number;
}

/** What a worker is ready with: the inference engine it loaded (e.g. "ort-cpu"). */
export interface WorkerReady {
  backend: string;
}

export interface WorkerInit {
  backend?: string;
  /** onnxruntime threads for this worker (the pool gives each one, see worker-pool.ts). */
  intraOpThreads?: number;
}
