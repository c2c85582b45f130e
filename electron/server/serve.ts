// `aez serve`: the browser twin of the desktop app. The same renderer, the same AezHost and JobService,
// over HTTP on 127.0.0.1 only, behind a token made fresh at every launch.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AezHost } from '../host/host.js';
import { defaultConfigDir, SettingsStore } from '../host/settings-store.js';
import { errorMessage } from '../engine/util/errors.js';
import { EventHub } from './events.js';
import { route } from './routes.js';

export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 2 ** 20;

export interface ServeOptions {
  port?: number;
  threads?: number;
  backend?: string;
  maxUploadBytes?: number;
  /** Overrides the saved default output folder for this run. */
  outputDir?: string;
  /** Overrides the saved runs folder (where Train mode makes new runs). */
  runsDir?: string;
  /** A shared job queue whose status Settings shows. */
  redis?: string;
}

export interface RunningServer {
  url: string;
  server: Server;
  host: AezHost;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions = {}): Promise<RunningServer> {
  const settings = await SettingsStore.open(join(defaultConfigDir(), 'settings.json'));
  if (opts.outputDir) await settings.update({ outputDir: opts.outputDir });
  if (opts.runsDir) await settings.update({ runsDir: opts.runsDir });
  const host = new AezHost({ settings, threads: opts.threads, backend: opts.backend, redis: opts.redis });
  const hub = new EventHub();
  host.events.on('job', (e) => hub.send(e));
  host.events.on('train', (e) => hub.send(e, 'train'));
  const token = randomBytes(24).toString('base64url');
  const guard = { token, port: 0 };
  const ctx = { host, hub, guard, maxUploadBytes: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES };
  const server = createServer((req, res) => {
    route(req, res, ctx).catch((e) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${errorMessage(e)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  guard.port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${guard.port}/?token=${token}`,
    server,
    host,
    close: async () => {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await host.close();
    },
  };
}
