// IPC start-job: validated by the host; progress comes back on CH.jobEvent (see main.ts).
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerStartJob(ctx: IpcContext): void {
  handle(CH.startJob, (_e, request) => ctx.host.startJob(request));
}
