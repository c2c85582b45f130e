// IPC doctor: the `aez doctor` facts for the Settings page.
import { CH } from '../shared/channels.js';
import { handle, type IpcContext } from './handle.js';

export function registerDoctor(ctx: IpcContext): void {
  handle(CH.doctor, () => ctx.host.doctor());
}
