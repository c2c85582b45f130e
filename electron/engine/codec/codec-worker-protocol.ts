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
  | { id: number; op: 'check-model'; model: string; rate?: RateRequest };

/**
 * Control messages: `cancel` aborts the request `id` at its next check (between chunks of network work, so
 * within about a second), which then replies CANCELLED; `retire` cancels everything and ends the worker once
 * no onnxruntime call is in flight (terminating it mid-call would abort the process: inference/native-calls.ts).
 */
export type CodecWorkerControl = { op: 'cancel'; id: number } | { op: 'retire' };

export type CodecWorkerReply =
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; code: string; message: string };
