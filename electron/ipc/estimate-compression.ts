// IPC estimate-compression: size and PSNR of compressing an added image at a setting (nothing written).
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerEstimateCompression(ctx: IpcContext): void {
  handle(CH.estimateCompression, (_e, request) => ctx.host.estimateCompression(request));
}
