// A pool of inference workers sharing the cores: each tile goes to an idle worker. Cancelling rejects the
// running tiles at once and ends the workers, and the pool starts new ones on next use. How a worker is
// ended depends on its engine: a TensorFlow.js worker is terminated (its calls are synchronous, so that is
// safe, and the only way to interrupt one); an onnxruntime worker is asked to retire and ends itself when its
// in-flight call returns, because terminating it mid-call aborts the whole process (workers/native-calls.ts).
import { availableParallelism } from 'node:os';
import type { TileExecutor } from '../inference/tile-executor.js';
import type { LoadedModel } from '../models/model-file.js';
import { AezError } from '../util/errors.js';
import { cancelledError, WorkerBridge } from '../workers/bridge.js';
import type { RunTileRequest, TeleaRequest, WorkerReady } from './protocol.js';

interface Slot {
  bridge: WorkerBridge;
  /** The engine its worker loaded (from its ready answer); undefined while starting. */
  engine?: string;
  busy: boolean;
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
    const bridge = new WorkerBridge(new URL('./inference-worker.js', import.meta.url), { backend: this.opts.backend, intraOpThreads: this.opts.intraOpThreads ?? 1 }, 'an inference worker');
    const slot: Slot = { bridge, busy: false };
    bridge.ready.then(
      (info) => {
        slot.engine = (info as WorkerReady).backend;
        this.loadedEngine ??= slot.engine;
      },
      () => {},
    );
    return slot;
  }

  private acquire(): Promise<Slot> {
    if (this.closed) return Promise.reject(new AezError('CANCELLED', 'worker pool closed'));
    this.slots = this.slots.filter((s) => s.bridge.alive); // a crashed worker is replaced
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
    const req: RunTileRequest = { modelDir: model.dir, input, shape: [1, height, width, channels], sigma };
    return this.dispatch('run', req, [input.buffer as ArrayBuffer], true);
  }

  /** Telea's fill of one region on a worker (see inpaint/telea.ts): `input` is handed over, `mask` copied. */
  async telea(input: Float32Array, width: number, height: number, channels: 1 | 3, mask: Uint8Array, radius?: number): Promise<Float32Array> {
    const m = mask.slice();
    const req: TeleaRequest = { input, mask: m, width, height, channels, radius };
    return this.dispatch('telea', req, [input.buffer as ArrayBuffer, m.buffer as ArrayBuffer], false);
  }

  /** Sends one call to an idle worker; `needsEngine`: wait until its inference engine has loaded. */
  private async dispatch(method: 'run' | 'telea', req: RunTileRequest | TeleaRequest, transfer: ArrayBuffer[], needsEngine: boolean): Promise<Float32Array> {
    const slot = await this.acquire();
    try {
      if (needsEngine) {
        await slot.bridge.ready.catch((e: Error) => {
          throw e instanceof AezError && e.code === 'CANCELLED' ? e : new AezError('BACKEND', e.message);
        });
      }
      return await slot.bridge.call<Float32Array>(method, req, { transfer });
    } finally {
      // A slot the pool dropped (cancel) is not handed to anyone again.
      if (this.slots.includes(slot)) this.release(slot);
    }
  }

  /**
   * Stops all work now: running tiles reject with CANCELLED at once; the returned promise settles when the
   * old workers have ended (an onnxruntime worker finishes its in-flight call first, one tile at most). The
   * pool can be used again at once: new work starts new workers.
   */
  async cancel(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) s.bridge.failPending(cancelledError());
    for (const w of this.waiting.splice(0)) w.reject(cancelledError());
    await Promise.all(slots.map((s) => endWorker(s.bridge, s.engine)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cancel();
  }
}

/** Ends a worker in the way its engine allows (see the top of this file); resolves when it has exited. */
export async function endWorker(bridge: WorkerBridge, engine: string | undefined): Promise<void> {
  if (engine?.startsWith('tfjs-')) await bridge.terminate();
  else await bridge.retire();
}
