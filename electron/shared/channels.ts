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
  cancelJob: 'aez:cancel-job',
  readPreview: 'aez:read-preview',
  /** main → renderer */
  jobEvent: 'aez:job-event',
  /** main → renderer */
  filesOpened: 'aez:files-opened',
} as const;

export type Channel = (typeof CH)[keyof typeof CH];
