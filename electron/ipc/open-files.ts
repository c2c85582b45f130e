// IPC open-files: the native open dialog (files or folders); the host checks and remembers what was chosen.
import { dialog } from 'electron';
import { CH } from '../shared/channels.js';
import { INPUT_EXTENSIONS } from '../engine/image/io.js';
import { handle, type IpcContext } from './handle.js';

export function registerOpenFiles(ctx: IpcContext): void {
  handle(CH.openFiles, async () => {
    const win = ctx.window();
    const opts: Electron.OpenDialogOptions = {
      title: 'Add images',
      properties: ['openFile', 'multiSelections'],
      filters: [
        { name: 'Images and .aez files', extensions: [...INPUT_EXTENSIONS.map((e) => e.slice(1)), 'aez'] },
        { name: 'AEZ compressed images', extensions: ['aez'] },
      ],
    };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    if (r.canceled || r.filePaths.length === 0) return { files: [], rejected: [] };
    return ctx.host.addPaths(r.filePaths);
  });
}
