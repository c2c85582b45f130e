// Runs codec work on one worker thread (codec-worker.ts), one request at a time in arrival order.
// Cancelling a request terminates the worker (a running network call cannot be interrupted otherwise);
// the next request starts a fresh one.
import { Worker } from 'node:worker_threads';
import { AezError, type AezErrorCode } from '../util/errors.js';
import type { CodecWorkerInit, CodecWorkerReply, CodecWorkerRequest } from './codec-worker-protocol.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (f: number) => void };
type Request = CodecWorkerRequest extends infer R ? (R extends CodecWorkerRequest ? Omit<R, 'id'> : never) : never;

export class CodecWorkerClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  /** Workers this client terminated on purpose: their exit means "cancelled", any other exit is a crash. */
  private readonly terminated = new WeakSet<Worker>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

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
        this.terminated.has(w)
          ? new AezError('CANCELLED', 'cancelled')
          : new Error(`the codec worker stopped unexpectedly (exit code ${code}); the next request starts a new one`),
      );
    });
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Runs one request after those before it; `signal` cancels it (terminating the worker). */
  run<T>(req: Request, opts: { signal?: AbortSignal; onProgress?: (f: number) => void } = {}): Promise<T> {
    const job = this.queue.then(() => this.send<T>(req, opts));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private send<T>(req: Request, opts: { signal?: AbortSignal; onProgress?: (f: number) => void }): Promise<T> {
    if (opts.signal?.aborted) return Promise.reject(new AezError('CANCELLED', 'cancelled'));
    this.worker ??= this.spawn();
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.worker = undefined;
        this.terminated.add(worker);
        void worker.terminate();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => (done(), resolve(v as T)),
        reject: (e) => (done(), reject(e)),
        onProgress: opts.onProgress,
      });
      worker.postMessage({ ...req, id });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    this.terminated.add(w);
    await w.terminate();
  }
}
