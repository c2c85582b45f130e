// IPC set-settings: a partial patch, validated by the host's zod schema before it is saved.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerSetSettings(ctx: IpcContext): void {
  handle(CH.setSettings, (_e, patch) => ctx.host.setSettings(patch));
}
