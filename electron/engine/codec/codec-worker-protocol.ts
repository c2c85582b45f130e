// What CodecWorkerClient asks codec-worker.ts (cancel, progress and retire are the worker bridge's).
import type { RateRequest } from './image-codec.js';

export interface CodecWorkerInit {
  backend?: string;
  threads?: number;
}

/** The argument of the worker's one method, `run` (over the worker bridge, workers/bridge.ts). */
export type CodecWorkerRequest =
  | { op: 'compress'; input: string; output: string; model: string; rate?: RateRequest; effort?: number; overwrite: boolean }
  | { op: 'decompress'; input: string; output: string; overwrite: boolean }
  | { op: 'estimate'; input: string; model: string; rate: RateRequest }
  | { op: 'preview'; input: string }
  | { op: 'check-model'; model: string; rate?: RateRequest };
