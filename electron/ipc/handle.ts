// Shared glue for the IPC command files: each command is registered through `handle`, which refuses
// callers other than the app's own page and wraps results in an envelope, so the renderer gets the
// host's message instead of Electron's "Error invoking remote method …" wrapper.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { AezHost } from '../host/host.js';
import type { Envelope } from '../shared/methods.js';
import { errorMessage } from '../engine/util/errors.js';

export interface IpcContext {
  host: AezHost;
  window(): BrowserWindow | undefined;
}

/** The page every IPC call must come from (see main.ts: the renderer is served on this origin). */
export const APP_ORIGIN = 'app://aez';

export function handle<T>(channel: string, fn: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<T> | T): void {
  ipcMain.handle(channel, async (event, ...args): Promise<Envelope<T>> => {
    const url = event.senderFrame?.url ?? '';
    if (!url.startsWith(APP_ORIGIN + '/')) return { ok: false, error: { code: 'FORBIDDEN', message: `IPC from ${url || 'an unknown frame'} refused` } };
    try {
      return { ok: true, value: await fn(event, ...args) };
    } catch (e) {
      const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'INTERNAL';
      return { ok: false, error: { code, message: errorMessage(e) } };
    }
  });
}
