// IPC train-info: the tasks the engine can train, the runs folder and the models folder.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerTrainInfo(ctx: IpcContext): void {
  handle(CH.trainInfo, () => ctx.host.training.info());
}
