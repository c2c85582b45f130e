// Request bodies with a ceiling: a client that sends more than allowed is cut off with 413, not buffered.
import type { IncomingMessage } from 'node:http';
import { HostError } from '../host/schemas.js';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.destroy();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): HostError {
  const mib = limit / 2 ** 20;
  return new HostError('TOO_LARGE', `The upload is larger than the ${mib >= 1 ? `${mib} MiB` : `${limit} bytes`} this server accepts.`);
}

export async function readJson(req: IncomingMessage, limit = 2 ** 20): Promise<unknown> {
  const buf = await readBody(req, limit);
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new HostError('BAD_ARGUMENT', 'the request body is not valid JSON');
  }
}
