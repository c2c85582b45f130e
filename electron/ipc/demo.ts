// IPC demo: Explore mode's questions to a demo model (validated by the host's ExplorerHost).
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerDemo(ctx: IpcContext): void {
  handle(CH.demo, (_e, request) => ctx.host.explorer.request(request));
}
