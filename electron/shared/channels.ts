// The IPC channel names of what the call table (methods.ts, channels `aez:<method>`) does not cover: the
// Electron-only commands (dialogs, dropped files by path, pasted bytes, previews) and the events main → renderer.
// The preload and the main process import these, never literals.
export const CH = {
  chooseOutputDir: 'aez:choose-output-dir',
  openFiles: 'aez:open-files',
  addPaths: 'aez:add-paths',
  importBytes: 'aez:import-bytes',
  readPreview: 'aez:read-preview',
  chooseFolder: 'aez:choose-folder',
  /** main → renderer */
  trainEvent: 'aez:train-event',
  /** main → renderer */
  jobEvent: 'aez:job-event',
  /** main → renderer */
  filesOpened: 'aez:files-opened',
} as const;

export type Channel = (typeof CH)[keyof typeof CH];
