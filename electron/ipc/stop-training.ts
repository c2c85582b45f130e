// IPC stop-training: the run finishes its step, checkpoints and stops (start it again to resume).
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerStopTraining(ctx: IpcContext): void {
  handle(CH.stopTraining, (_e, jobId) => ctx.host.training.stop(jobId));
}
