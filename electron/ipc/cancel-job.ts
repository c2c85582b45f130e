// IPC cancel-job.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerCancelJob(ctx: IpcContext): void {
  handle(CH.cancelJob, (_e, jobId) => ctx.host.cancelJob(jobId));
}
