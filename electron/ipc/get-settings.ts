// IPC get-settings.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerGetSettings(ctx: IpcContext): void {
  handle(CH.getSettings, () => ctx.host.getSettings());
}
