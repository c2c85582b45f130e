// Every IPC command, one file each.
import type { IpcContext } from './handle.js';
import { registerAddPaths } from './add-paths.js';
import { registerCancelJob } from './cancel-job.js';
import { registerChooseOutputDir } from './choose-output-dir.js';
import { registerDoctor } from './doctor.js';
import { registerGetSettings } from './get-settings.js';
import { registerImportBytes } from './import-bytes.js';
import { registerOpenFiles } from './open-files.js';
import { registerReadPreview } from './read-preview.js';
import { registerSetSettings } from './set-settings.js';
import { registerStartJob } from './start-job.js';

export function registerIpc(ctx: IpcContext): void {
  registerDoctor(ctx);
  registerGetSettings(ctx);
  registerSetSettings(ctx);
  registerChooseOutputDir(ctx);
  registerOpenFiles(ctx);
  registerAddPaths(ctx);
  registerImportBytes(ctx);
  registerStartJob(ctx);
  registerCancelJob(ctx);
  registerReadPreview(ctx);
}
