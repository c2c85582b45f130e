// IPC codec-info: the installed codec's quality range for the Compress controls.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerCodecInfo(ctx: IpcContext): void {
  handle(CH.codecInfo, () => ctx.host.codecInfo());
}
