// The caller's side of the one worker bridge (the worker's side is serve.ts): request ids, progress,
// cancellation and the rules for ending a worker, shared by the codec worker, the inference pool and the
// gradient workers.
//
// A call's promise settles when the worker answers (or is gone), never earlier: callers that must give up at
// once (a cancelled job) reject their own promise and let the worker finish; `signal` asks the worker to stop
// the call at its next check. A worker that may be inside a native onnxruntime call is never terminated: it
// is asked to retire (native-calls.ts); terminate() is only for workers whose engine cannot be mid-call.
import { Worker } from 'node:worker_threads';
import { AezError, type AezErrorCode } from '../util/errors.js';
import type { BridgeReply, BridgeRequest } from './bridge-protocol.js';

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Buffers handed over to the worker instead of copied (the caller must not use them afterwards). */
  transfer?: ArrayBuffer[];
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (fraction: number) => void;
}

export const cancelledError = () => new AezError('CANCELLED', 'cancelled');

export class WorkerBridge {
  readonly worker: Worker;
  /** Settles with what the worker set up (serve.ts's `setup`), or fails with why it could not. */
  readonly ready: Promise<unknown>;
  /** Settles when the thread has exited. */
  readonly exited: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ending = false;
  private gone = false;

  /** `what` names the worker in the error a crash gives ("the codec worker"). */
  constructor(url: URL, workerData: unknown, private readonly what: string) {
    this.worker = new Worker(url, { workerData });
    let readyResolve!: (v: unknown) => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((res, rej) => ((readyResolve = res), (readyReject = rej)));
    this.ready.catch(() => {});
    this.exited = new Promise((res) => this.worker.once('exit', () => res()));
    this.worker.on('message', (m: BridgeReply) => {
      if (m.bridge === 'ready') return readyResolve(m.info);
      if (m.bridge === 'failed') return readyReject(new AezError(m.code as AezErrorCode, m.message));
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.bridge === 'progress') return p.onProgress?.(m.fraction);
      this.pending.delete(m.id);
      if (m.bridge === 'done') p.resolve(m.result);
      else p.reject(new AezError(m.code as AezErrorCode, m.message));
    });
    this.worker.on('error', (e) => {
      readyReject(e);
      this.failPending(e);
    });
    this.worker.on('exit', (code) => {
      this.gone = true;
      const e = this.ending ? cancelledError() : new Error(`${this.what} stopped unexpectedly (exit code ${code})`);
      readyReject(e);
      this.failPending(e);
    });
  }

  /** Whether the thread can take calls (not ended, not ending). */
  get alive(): boolean {
    return !this.gone && !this.ending;
  }

  call<T>(method: string, arg: unknown, opts: CallOptions = {}): Promise<T> {
    if (!this.alive) return Promise.reject(cancelledError());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.post({ bridge: 'cancel', id });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const end = () => opts.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { resolve: (v) => (end(), resolve(v as T)), reject: (e) => (end(), reject(e)), onProgress: opts.onProgress });
      this.post({ bridge: 'call', id, method, arg }, opts.transfer);
      if (opts.signal?.aborted) onAbort();
    });
  }

  /** Rejects every call in flight now (their answers, if any come, are ignored). */
  failPending(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  /** Ends the worker once no native call is in flight; its calls reject with CANCELLED. Resolves on exit. */
  async retire(): Promise<void> {
    if (!this.gone && !this.ending) {
      this.ending = true;
      this.post({ bridge: 'retire' });
    }
    await this.exited;
  }

  /** Ends the worker at once: only for workers that cannot be inside a native call (TensorFlow.js, pure JS). */
  async terminate(): Promise<void> {
    this.ending = true;
    await this.worker.terminate();
    await this.exited;
  }

  private post(m: BridgeRequest, transfer: ArrayBuffer[] = []): void {
    if (!this.gone) this.worker.postMessage(m, transfer);
  }
}
