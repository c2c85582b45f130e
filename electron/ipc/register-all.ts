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
import { registerCodecInfo } from './codec-info.js';
import { registerDemo } from './demo.js';
import { registerEstimateCompression } from './estimate-compression.js';
import { registerChooseFolder } from './choose-folder.js';
import { registerTrainInfo } from './train-info.js';
import { registerListRuns } from './list-runs.js';
import { registerReadRun } from './read-run.js';
import { registerStartTraining } from './start-training.js';
import { registerStopTraining } from './stop-training.js';
import { registerExportModel } from './export-model.js';

export function registerIpc(ctx: IpcContext): void {
  registerDoctor(ctx);
  registerGetSettings(ctx);
  registerSetSettings(ctx);
  registerChooseOutputDir(ctx);
  registerOpenFiles(ctx);
  registerAddPaths(ctx);
  registerImportBytes(ctx);
  registerStartJob(ctx);
  registerCodecInfo(ctx);
  registerDemo(ctx);
  registerEstimateCompression(ctx);
  registerCancelJob(ctx);
  registerReadPreview(ctx);
  registerChooseFolder(ctx);
  registerTrainInfo(ctx);
  registerListRuns(ctx);
  registerReadRun(ctx);
  registerStartTraining(ctx);
  registerStopTraining(ctx);
  registerExportModel(ctx);
}
