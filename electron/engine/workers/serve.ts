// The worker's side of the bridge (bridge.ts): answers calls by method name, each with an AbortSignal (the
// caller's cancel) and a progress callback; `retire` cancels everything and ends the thread once no native
// call is in flight (native-calls.ts). A worker that sets something up first (an inference engine) passes
// the promise of it: the caller's `ready` settles with what it resolves to, or fails with its error.
import { parentPort } from 'node:worker_threads';
import { errorCode, errorMessage } from '../util/errors.js';
import type { BridgeReply, BridgeRequest } from './bridge-protocol.js';
import { retireThread } from './native-calls.js';

export interface CallContext {
  signal: AbortSignal;
  onProgress(fraction: number): void;
}

/** A method's answer; `transfer` hands buffers over instead of copying them. */
export interface Answer {
  result: unknown;
  transfer?: ArrayBuffer[];
}

export type Method = (arg: never, ctx: CallContext) => Promise<unknown> | unknown;

const TRANSFER = Symbol('transfer');

/** Marks a result whose buffers are handed over to the caller. */
export function transferred(result: unknown, transfer: ArrayBuffer[]): Answer & { [TRANSFER]: true } {
  return { result, transfer, [TRANSFER]: true };
}

export function serveCalls(methods: Record<string, Method>, setup: Promise<unknown> = Promise.resolve(null)): void {
  const port = parentPort;
  if (!port) throw new Error('serveCalls runs in a worker thread');
  const post = (m: BridgeReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const running = new Map<number, AbortController>();
  setup.then(
    (info) => post({ bridge: 'ready', info }),
    (e) => post({ bridge: 'failed', code: errorCode(e), message: errorMessage(e) }),
  );
  port.on('message', (m: BridgeRequest) => {
    if (m.bridge === 'cancel') return running.get(m.id)?.abort();
    if (m.bridge === 'retire') {
      for (const c of running.values()) c.abort();
      return void retireThread();
    }
    const method = Object.hasOwn(methods, m.method) ? methods[m.method] : undefined;
    if (!method) return post({ bridge: 'error', id: m.id, code: 'INTERNAL', message: `no worker method ${m.method}` });
    const ctl = new AbortController();
    running.set(m.id, ctl);
    const ctx: CallContext = { signal: ctl.signal, onProgress: (fraction) => post({ bridge: 'progress', id: m.id, fraction }) };
    Promise.resolve()
      .then(() => method(m.arg as never, ctx))
      .then(
        (r) => {
          const a = r as Partial<Answer> & { [TRANSFER]?: true };
          if (a && typeof a === 'object' && a[TRANSFER]) post({ bridge: 'done', id: m.id, result: a.result }, a.transfer);
          else post({ bridge: 'done', id: m.id, result: r });
        },
        (e) => post({ bridge: 'error', id: m.id, code: errorCode(e), message: errorMessage(e) }),
      )
      .finally(() => running.delete(m.id));
  });
}
