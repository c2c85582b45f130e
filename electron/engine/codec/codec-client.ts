// Runs codec work on one worker thread (codec-worker.ts), one request at a time in arrival order.
// Cancelling a request rejects it at once and tells the worker, which stops it at its next check (between
// chunks of network work) and cleans up after it; the next request waits until then. The worker is never
// terminated from outside: terminating it inside an onnxruntime call aborts the whole process
// (inference/native-calls.ts). close() asks it to retire instead.
import { cancelledError, WorkerBridge } from '../workers/bridge.js';
import type { CodecWorkerInit, CodecWorkerRequest } from './codec-worker-protocol.js';

type RunOptions = { signal?: AbortSignal; onProgress?: (f: number) => void };

export class CodecWorkerClient {
  private bridge: WorkerBridge | undefined;
  /** Settles when the worker has finished the last request sent (not when its caller gave up on it). */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly init: CodecWorkerInit = {}) {}

  /** Runs one request after those before it; `signal` cancels it (the promise rejects with CANCELLED at once). */
  run<T>(req: CodecWorkerRequest, opts: RunOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelledError());
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (fn: () => void) => {
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      this.queue = this.queue.then(() =>
        this.send(req, opts).then(
          (v) => settle(() => resolve(v as T)),
          (e: Error) => settle(() => reject(e)),
        ),
      );
    });
  }

  /** Sends one request; settles when the worker is done with it (answered, or gone). */
  private send(req: CodecWorkerRequest, opts: RunOptions): Promise<unknown> {
    if (opts.signal?.aborted) return Promise.reject(cancelledError()); // its caller has been told already
    if (!this.bridge?.alive) this.bridge = new WorkerBridge(new URL('./codec-worker.js', import.meta.url), this.init, 'the codec worker');
    return this.bridge.call('run', req, opts).catch((e: Error) => {
      // A crash ends this worker; the next request starts a new one.
      throw e.message.includes('stopped unexpectedly') ? new Error(`${e.message}; the next request starts a new one`) : e;
    });
  }

  /** Cancels whatever runs and ends the worker once it is safe to; resolves when it has exited. */
  async close(): Promise<void> {
    const b = this.bridge;
    this.bridge = undefined;
    await b?.retire();
  }
}
