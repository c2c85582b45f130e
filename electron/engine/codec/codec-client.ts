// Runs codec work on one worker thread (codec-worker.ts), one request at a time in arrival order.
// Cancelling a request rejects it at once and tells the worker, which stops it at its next check (between
// chunks of network work) and cleans up after it; the next request waits until then. The worker is never
// terminated from outside: terminating it inside an onnxruntime call aborts the whole process
// (inference/native-calls.ts). close() asks it to retire instead.
import { Worker } from 'node:worker_threads';
import { AezError, type AezErrorCode } from '../util/errors.js';
import type { CodecWorkerControl, CodecWorkerInit, CodecWorkerReply, CodecWorkerRequest } from './codec-worker-protocol.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (f: number) => void };
type Request = CodecWorkerRequest extends infer R ? (R extends CodecWorkerRequest ? Omit<R, 'id'> : never) : never;
type RunOptions = { signal?: AbortSignal; onProgress?: (f: number) => void };

const cancelled = () => new AezError('CANCELLED', 'cancelled');

export class CodecWorkerClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  /** Workers this client asked to retire: their exit means "cancelled", any other exit is a crash. */
  private readonly retired = new WeakSet<Worker>();
  private nextId = 1;
  /** Settles when the worker has finished the last request sent (not when its caller gave up on it). */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly init: CodecWorkerInit = {}) {}

  private spawn(): Worker {
    const w = new Worker(new URL('./codec-worker.js', import.meta.url), { workerData: this.init });
    w.on('message', (m: CodecWorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') return p.onProgress?.(m.fraction);
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.result);
      else p.reject(new AezError(m.code as AezErrorCode, m.message));
    });
    w.on('error', (e) => this.failAll(e));
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(
        this.retired.has(w) ? cancelled() : new Error(`the codec worker stopped unexpectedly (exit code ${code}); the next request starts a new one`),
      );
    });
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private control(msg: CodecWorkerControl): void {
    this.worker?.postMessage(msg);
  }

  /** Runs one request after those before it; `signal` cancels it (the promise rejects with CANCELLED at once). */
  run<T>(req: Request, opts: RunOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelled());
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (fn: () => void) => {
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      this.queue = this.queue.then(() =>
        this.send(req, opts, (v) => settle(() => resolve(v as T)), (e) => settle(() => reject(e))),
      );
    });
  }

  /** Sends one request; the promise settles when the worker is done with it (replied, or gone). */
  private send(req: Request, opts: RunOptions, resolve: (v: unknown) => void, reject: (e: Error) => void): Promise<void> {
    if (opts.signal?.aborted) return Promise.resolve(); // its caller has been told already
    this.worker ??= this.spawn();
    const id = this.nextId++;
    return new Promise<void>((finished) => {
      const onAbort = () => this.control({ op: 'cancel', id });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const end = (fn: () => void) => {
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
        finished();
      };
      this.pending.set(id, { resolve: (v) => end(() => resolve(v)), reject: (e) => end(() => reject(e)), onProgress: opts.onProgress });
      this.worker!.postMessage({ ...req, id });
    });
  }

  /** Cancels whatever runs and ends the worker once it is safe to; resolves when it has exited. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    const exited = new Promise<void>((res) => w.once('exit', () => res()));
    this.retired.add(w);
    w.postMessage({ op: 'retire' } satisfies CodecWorkerControl);
    await exited;
  }
}
