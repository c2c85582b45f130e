// IPC read-run: one run by name or folder (validated by the host).
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerReadRun(ctx: IpcContext): void {
  handle(CH.readRun, (_e, run) => ctx.host.training.readRun(run));
}
