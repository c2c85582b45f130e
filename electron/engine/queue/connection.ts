// The Redis connection of the job queue (BullMQ): from --redis or AEZ_REDIS_URL, checked with a ping that
// times out, so an unreachable server is a clear message and not a hang. The URL may carry credentials: it is
// never printed; messages show the host and port only.
import { Redis } from 'ioredis';
import { AezError, errorMessage } from '../util/errors.js';

/** The queue every `aez queue` command and `aez worker` share. */
export const QUEUE_NAME = 'aez-jobs';

export function redisUrl(given?: string): string {
  const url = given ?? process.env.AEZ_REDIS_URL;
  if (!url) throw new AezError('BAD_ARGUMENT', 'give the queue server: --redis redis://HOST:PORT (or set AEZ_REDIS_URL)');
  return url;
}

/** host:port of a Redis URL, for messages (no user name, no password). */
export function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the given address';
  }
}

/** A connection BullMQ can use (workers need maxRetriesPerRequest null), after a successful ping. */
export async function connectRedis(url: string, timeoutMs = 4000): Promise<Redis> {
  let conn: Redis;
  try {
    conn = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: null, retryStrategy: () => null });
  } catch (e) {
    throw new AezError('BAD_ARGUMENT', `--redis: not a Redis URL (${errorMessage(e)})`);
  }
  conn.on('error', () => {}); // reported by the ping below, or by BullMQ later
  try {
    await Promise.race([conn.connect().then(() => conn.ping()), new Promise((_, rej) => setTimeout(() => rej(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs))]);
  } catch (e) {
    conn.disconnect();
    throw new AezError('QUEUE_UNREACHABLE', `cannot reach the queue server at ${describeRedis(url)}: ${errorMessage(e).replace(url, describeRedis(url))}`);
  }
  // From here on, reconnect after a blip like any long-lived client.
  conn.options.retryStrategy = (times: number) => Math.min(times * 200, 2000);
  return conn;
}
