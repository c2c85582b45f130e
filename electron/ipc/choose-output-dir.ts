// IPC choose-output-dir: a native folder dialog; the choice is saved as the default output folder.
import { dialog } from 'electron';
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerChooseOutputDir(ctx: IpcContext): void {
  handle(CH.chooseOutputDir, async () => {
    const win = ctx.window();
    const opts = { title: 'Output folder', defaultPath: ctx.host.getSettings().outputDir, properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    const dir = r.canceled ? undefined : r.filePaths[0];
    if (!dir) return null;
    await ctx.host.setSettings({ outputDir: dir });
    return dir;
  });
}
