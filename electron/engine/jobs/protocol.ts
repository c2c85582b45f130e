// Messages between the main thread and inference workers.
export interface RunTileRequest {
  type: 'run';
  id: number;
  modelDir: string;
  input: Float32Array;
  shape: [number, number, number, number];
  sigma?: number;
}

export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'result'; id: number; output: Float32Array }
  | { type: 'error'; id: number; code: string; message: string };

export interface WorkerInit {
  backend?: string;
}
