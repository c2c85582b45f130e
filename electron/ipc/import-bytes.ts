// IPC import-bytes: pasted images have no path; their bytes are stored in the session's temp folder.
import { CH } from '../shared/channels.js';
import { HostError } from '../host/schemas.js';
import { handle, type IpcContext } from './handle.js';

/** Same ceiling as the twin's uploads. */
export const MAX_IMPORT_BYTES = 512 * 2 ** 20;

export function registerImportBytes(ctx: IpcContext): void {
  handle(CH.importBytes, (_e, name, bytes) => {
    if (!(bytes instanceof Uint8Array)) throw new HostError('BAD_ARGUMENT', 'invalid image data: expected bytes');
    if (bytes.length > MAX_IMPORT_BYTES) throw new HostError('INPUT_TOO_LARGE', `${String(name)} is larger than ${MAX_IMPORT_BYTES / 2 ** 20} MiB.`);
    return ctx.host.importBytes(name, bytes);
  });
}
