// The one table of AezApi's plain calls: methods that take at most one JSON argument and answer with JSON.
// Both transports are derived from it: the Electron preload and IPC registration (channel `aez:<method>`) and
// the browser twin's HTTP client and routes (POST /api/<method>); the host answers each through its own table
// (electron/host/host-methods.ts). Adding a call is one line here and one there. The rest of AezApi is what
// differs by transport: dialogs, dropped files, previews as bytes, and the event streams.
import type { AezApi } from './api.js';

export const CALL_METHODS = [
  'doctor',
  'getSettings',
  'setSettings',
  'startJob',
  'codecInfo',
  'demo',
  'estimateCompression',
  'cancelJob',
  'trainInfo',
  'listRuns',
  'readRun',
  'startTraining',
  'stopTraining',
  'exportModel',
  'queueStatus',
] as const satisfies readonly (keyof AezApi)[];

export type CallMethod = (typeof CALL_METHODS)[number];

/** The part of AezApi the table covers. */
export type CallApi = Pick<AezApi, CallMethod>;

export function isCallMethod(name: string): name is CallMethod {
  return (CALL_METHODS as readonly string[]).includes(name);
}

/** The IPC channel of a call (`estimateCompression` → `aez:estimate-compression`). */
export function callChannel(method: CallMethod): string {
  return 'aez:' + method.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** Every call, through one function that carries a method name and its argument (a transport). */
export function callApi(call: (method: CallMethod, arg: unknown) => Promise<unknown>): CallApi {
  return Object.fromEntries(CALL_METHODS.map((m) => [m, (arg?: unknown) => call(m, arg)])) as unknown as CallApi;
}

/** What a call answers over either transport: the value, or the host's error code and message. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
