// IPC list-runs: the training runs in the runs folder, newest first.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerListRuns(ctx: IpcContext): void {
  handle(CH.listRuns, () => ctx.host.training.listRuns());
}
