// The messages of the one worker bridge (bridge.ts on the caller's side, serve.ts in the worker).

/** Caller → worker: a call, the cancel of one, or the order to end once no native call is in flight. */
export type BridgeRequest =
  | { bridge: 'call'; id: number; method: string; arg: unknown }
  | { bridge: 'cancel'; id: number }
  | { bridge: 'retire' };

/** Worker → caller: ready (with what the worker set up, e.g. its engine), progress, a result or an error. */
export type BridgeReply =
  | { bridge: 'ready'; info: unknown }
  | { bridge: 'failed'; code: string; message: string }
  | { bridge: 'progress'; id: number; fraction: number }
  | { bridge: 'done'; id: number; result: unknown }
  | { bridge: 'error'; id: number; code: string; message: string };
