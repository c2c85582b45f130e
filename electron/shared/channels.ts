// Every IPC channel name, in one place: the preload and the main process import these, never literals.
export const CH = {
  doctor: 'aez:doctor',
  getSettings: 'aez:get-settings',
  setSettings: 'aez:set-settings',
  chooseOutputDir: 'aez:choose-output-dir',
  openFiles: 'aez:open-files',
  addPaths: 'aez:add-paths',
  importBytes: 'aez:import-bytes',
  startJob: 'aez:start-job',
  codecInfo: 'aez:codec-info',
  demo: 'aez:demo',
  estimateCompression: 'aez:estimate-compression',
  cancelJob: 'aez:cancel-job',
  readPreview: 'aez:read-preview',
  chooseFolder: 'aez:choose-folder',
  trainInfo: 'aez:train-info',
  listRuns: 'aez:list-runs',
  readRun: 'aez:read-run',
  startTraining: 'aez:start-training',
  stopTraining: 'aez:stop-training',
  exportModel: 'aez:export-model',
  /** main → renderer */
  trainEvent: 'aez:train-event',
  /** main → renderer */
  jobEvent: 'aez:job-event',
  /** main → renderer */
  filesOpened: 'aez:files-opened',
} as const;

export type Channel = (typeof CH)[keyof typeof CH];
