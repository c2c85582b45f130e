// The host's answer to each plain call of the API table (electron/shared/methods.ts). Both transports use it:
// IPC registration (electron/ipc/register-all.ts) and the twin's routes (electron/server/routes.ts). Every
// argument comes from the page and is untrusted: each host method validates its own.
import type { CallMethod } from '../shared/methods.js';
import type { AezHost } from './host.js';

export type HostMethods = Record<CallMethod, (arg: unknown) => unknown>;

export function hostMethods(host: AezHost): HostMethods {
  return {
    doctor: () => host.doctor(),
    getSettings: () => host.getSettings(),
    setSettings: (a) => host.setSettings(a),
    startJob: (a) => host.startJob(a),
    codecInfo: () => host.codecInfo(),
    demo: (a) => host.explorer.request(a),
    estimateCompression: (a) => host.estimateCompression(a),
    cancelJob: (a) => host.cancelJob(a),
    trainInfo: () => host.training.info(),
    listRuns: () => host.training.listRuns(),
    readRun: (a) => host.training.readRun(a),
    startTraining: (a) => host.training.start(a),
    stopTraining: (a) => host.training.stop(a),
    exportModel: (a) => host.training.exportModel(a),
    queueStatus: () => host.queueStatus(),
  };
}
