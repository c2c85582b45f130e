// IPC registration: every call of the API table (shared/methods.ts) onto the host's table
// (host/host-methods.ts), and the Electron-only commands, one file each.
import { hostMethods } from '../host/host-methods.js';
import { CALL_METHODS, callChannel } from '../shared/methods.js';
import { handle, type IpcContext } from './handle.js';
import { registerAddPaths } from './add-paths.js';
import { registerChooseFolder } from './choose-folder.js';
import { registerChooseOutputDir } from './choose-output-dir.js';
import { registerImportBytes } from './import-bytes.js';
import { registerOpenFiles } from './open-files.js';
import { registerReadPreview } from './read-preview.js';

export function registerIpc(ctx: IpcContext): void {
  const methods = hostMethods(ctx.host);
  for (const m of CALL_METHODS) handle(callChannel(m), (_e, arg) => methods[m](arg));
  registerChooseOutputDir(ctx);
  registerOpenFiles(ctx);
  registerAddPaths(ctx);
  registerImportBytes(ctx);
  registerReadPreview(ctx);
  registerChooseFolder(ctx);
}
