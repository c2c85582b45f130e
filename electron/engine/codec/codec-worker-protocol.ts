// Messages between CodecWorkerClient and codec-worker.ts.
import type { RateRequest } from './image-codec.js';

export interface CodecWorkerInit {
  backend?: string;
  threads?: number;
}

export type CodecWorkerRequest =
  | { id: number; op: 'compress'; input: string; output: string; model: string; rate?: RateRequest; overwrite: boolean }
  | { id: number; op: 'decompress'; input: string; output: string; overwrite: boolean }
  | { id: number; op: 'estimate'; input: string; model: string; rate: RateRequest }
  | { id: number; op: 'preview'; input: string }
  | { id: number; op: 'check-model'; model: string };

export type CodecWorkerReply =
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; code: string; message: string };
