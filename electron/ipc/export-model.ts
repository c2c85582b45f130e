// IPC export-model: copy a run's best model under a new name (never over an existing one).
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerExportModel(ctx: IpcContext): void {
  handle(CH.exportModel, (_e, request) => ctx.host.training.exportModel(request));
}
