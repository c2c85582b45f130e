// A pool of inference workers sharing the cores: each tile goes to an idle worker. Cancelling rejects the
// running tiles at once and ends the workers, and the pool starts new ones on next use. How a worker is
// ended depends on its engine: a TensorFlow.js worker is terminated (its calls are synchronous, so that is
// safe, and the only way to interrupt one); an onnxruntime worker is asked to retire and ends itself when its
// in-flight call returns, because terminating it mid-call aborts the whole process (inference/native-calls.ts).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TileExecutor } from '../inference/tile-executor.js';
import type { LoadedModel } from '../models/model-file.js';
import { AezError } from '../util/errors.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

interface Slot {
  worker: Worker;
  /** The engine its worker loaded (from its 'ready' message); undefined while starting. */
  engine?: string;
  exited: Promise<void>;
  ready: Promise<void>;
  busy: boolean;
  /** Rejects whatever waits on this worker (its start-up or its tile). */
  fail: (e: Error) => void;
  pending?: { id: number; resolve: (out: Float32Array) => void; reject: (e: Error) => void };
}

export interface WorkerPoolOptions {
  threads?: number;
  backend?: string;
  /**
   * onnxruntime intra-op threads per worker; default 1, so `threads` is the whole pool's thread count and
   * workers never oversubscribe the cores (in first measurements, small and under load, N workers × 1 thread
   * beat 1 in-process session × N threads; scripts/bench-engines.ts measures both).
   */
  intraOpThreads?: number;
}

export class WorkerPool implements TileExecutor {
  readonly concurrency: number;
  private slots: Slot[] = [];
  private waiting: { resolve: (slot: Slot) => void; reject: (e: Error) => void }[] = [];
  private nextId = 1;
  private closed = false;
  private loadedEngine: string | undefined;

  constructor(private readonly opts: WorkerPoolOptions = {}) {
    this.concurrency = Math.max(1, opts.threads ?? availableParallelism());
  }

  /** The inference engine the workers loaded (e.g. "ort-cpu"; inference/select.ts), once one has started. */
  get engineName(): string | undefined {
    return this.loadedEngine;
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./inference-worker.js', import.meta.url), {
      workerData: {
        backend: this.opts.backend,
        intraOpThreads: this.opts.intraOpThreads ?? 1,
      },
    });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => ((readyResolve = res), (readyReject = rej)));
    ready.catch(() => {});
    const slot: Slot = {
      worker,
      exited: new Promise((res) => worker.once('exit', () => res())),
      ready,
      busy: false,
      fail: (e) => {
        readyReject(e);
        slot.pending?.reject(e);
        slot.pending = undefined;
      },
    };
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'ready') {
        slot.engine = msg.backend;
        this.loadedEngine ??= msg.backend;
        return readyResolve();
      }
      const p = slot.pending;
      if (msg.type === 'error' && msg.id === -1) return readyReject(new AezError('BACKEND', msg.message));
      if (!p || p.id !== msg.id) return;
      slot.pending = undefined;
      if (msg.type === 'result') p.resolve(msg.output);
      else p.reject(new AezError(msg.code as never, msg.message));
      this.release(slot);
    });
    worker.on('error', (err) => {
      readyReject(err);
      slot.pending?.reject(err);
      slot.pending = undefined;
      this.slots = this.slots.filter((s) => s !== slot);
    });
    return slot;
  }

  private acquire(): Promise<Slot> {
    if (this.closed) return Promise.reject(new AezError('CANCELLED', 'worker pool closed'));
    const idle = this.slots.find((s) => !s.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (this.slots.length < this.concurrency) {
      const s = this.spawn();
      s.busy = true;
      this.slots.push(s);
      return Promise.resolve(s);
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next.resolve(slot);
    else slot.busy = false;
  }

  async runTile(model: LoadedModel, input: Float32Array, width: number, height: number, channels: number, sigma?: number): Promise<Float32Array> {
    return this.dispatch({ type: 'run', id: 0, modelDir: model.dir, input, shape: [1, height, width, channels], sigma }, true);
  }

  /** Telea's fill of one region on a worker (see inpaint/telea.ts): `input` is handed over, `mask` copied. */
  async telea(input: Float32Array, width: number, height: number, channels: 1 | 3, mask: Uint8Array, radius?: number): Promise<Float32Array> {
    return this.dispatch({ type: 'telea', id: 0, input, mask: mask.slice(), width, height, channels, radius }, false);
  }

  /** Sends one request to an idle worker; `needsEngine`: wait until its inference engine has loaded. */
  private async dispatch(req: WorkerRequest, needsEngine: boolean): Promise<Float32Array> {
    const slot = await this.acquire();
    if (needsEngine) {
      try {
        await slot.ready;
      } catch (e) {
        this.release(slot);
        throw e;
      }
    }
    const id = this.nextId++;
    const transfer = [req.input.buffer as ArrayBuffer, ...(req.type === 'telea' ? [req.mask.buffer as ArrayBuffer] : [])];
    return new Promise<Float32Array>((resolve, reject) => {
      slot.pending = { id, resolve, reject };
      slot.worker.postMessage({ ...req, id }, transfer);
    });
  }

  /**
   * Stops all work now: running tiles reject with CANCELLED at once; the returned promise settles when the
   * old workers have ended (an onnxruntime worker finishes its in-flight call first, one tile at most). The
   * pool can be used again at once: new work starts new workers.
   */
  async cancel(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) s.fail(new AezError('CANCELLED', 'cancelled'));
    for (const w of this.waiting.splice(0)) w.reject(new AezError('CANCELLED', 'cancelled'));
    await Promise.all(slots.map((s) => endWorker(s.worker, s.engine, s.exited)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cancel();
  }
}

/** Ends a worker in the way its engine allows (see the top of this file); resolves when it has exited. */
export async function endWorker(worker: Worker, engine: string | undefined, exited: Promise<void>): Promise<void> {
  if (engine?.startsWith('tfjs-')) await worker.terminate();
  else worker.postMessage({ type: 'retire' });
  await exited;
}
