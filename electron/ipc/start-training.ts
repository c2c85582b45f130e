// IPC start-training: a new run or a resumed one (validated by the host); events come back on CH.trainEvent.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerStartTraining(ctx: IpcContext): void {
  handle(CH.startTraining, (_e, request) => ctx.host.training.start(request));
}
