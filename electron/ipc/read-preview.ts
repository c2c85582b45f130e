// IPC read-preview: bytes of an input or output the host already knows, for the compare view.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerReadPreview(ctx: IpcContext): void {
  handle(CH.readPreview, (_e, path) => ctx.host.readPreview(path));
}
