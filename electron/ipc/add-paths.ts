// IPC add-paths: paths of dropped files and folders (the preload resolves them with webUtils).
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerAddPaths(ctx: IpcContext): void {
  handle(CH.addPaths, (_e, paths) => ctx.host.addPaths(paths));
}
