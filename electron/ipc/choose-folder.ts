// IPC choose-folder: a native folder dialog for Train mode (data folder, runs folder, export target).
import { dialog } from 'electron';
import { CH } from '../shared/channels.js';
import { folderPurposeSchema, parseArg } from '../host/schemas.js';
import { handle, type IpcContext } from './handle.js';

const TITLES = { data: 'Training data folder', runs: 'Runs folder', export: 'Export the model into…' } as const;

export function registerChooseFolder(ctx: IpcContext): void {
  handle(CH.chooseFolder, async (_e, raw) => {
    const purpose = parseArg(folderPurposeSchema, raw, 'purpose');
    const win = ctx.window();
    const opts = { title: TITLES[purpose], properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
}
