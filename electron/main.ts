// Electron main process: one window with secure defaults, the IPC commands, and the engine's jobs (on
// worker threads through JobService, so the window never waits on a model).
//
// The renderer is served from app://aez/ (a privileged custom scheme) rather than file://, so the CSP
// can be sent as a real header and every request the page makes can be checked here.
import { app, BrowserWindow, protocol, session, shell } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddResult, JobEvent, TrainEvent } from './shared/api.js';
import { CH } from './shared/channels.js';
import { AezHost } from './host/host.js';
import { SettingsStore } from './host/settings-store.js';
import { contentSecurityPolicy, resolveRendererFile } from './host/renderer-files.js';
import { APP_ORIGIN } from './ipc/handle.js';
import { registerIpc } from './ipc/register-all.js';

const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '..', 'preload', 'preload.cjs');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let win: BrowserWindow | undefined;
let host: AezHost | undefined;
/** Files handed over before the window could take them (launch arguments, macOS open-file). */
const pending: string[] = [];

/** Paths among command-line arguments (file association and "Open with" pass them this way). */
function filesFromArgv(argv: string[]): string[] {
  const args = argv.slice(app.isPackaged ? 1 : 2);
  return args.filter((a) => !a.startsWith('-') && a !== '.' && existsSync(a)).map((a) => resolve(a));
}

async function deliver(paths: string[]): Promise<void> {
  if (!host || !win || win.webContents.isLoading()) {
    pending.push(...paths);
    return;
  }
  if (paths.length === 0) return;
  const r: AddResult = await host.addPaths(paths);
  win.webContents.send(CH.filesOpened, r);
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 760,
    minHeight: 520,
    title: 'AEZ',
    show: false,
    backgroundColor: '#15171c',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  w.once('ready-to-show', () => w.show());
  // The page never navigates: links to the outside open in the browser, everything else is refused.
  w.webContents.on('will-navigate', (e, url) => {
    e.preventDefault();
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
  });
  w.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  w.webContents.on('will-attach-webview', (e) => e.preventDefault());
  w.webContents.on('did-finish-load', () => void deliver(pending.splice(0)));
  void w.loadURL(`${APP_ORIGIN}/index.html`);
  return w;
}

/** Taskbar / dock progress: the mean of the running jobs' fractions (a training run counts as one). */
function trackProgress(h: AezHost): void {
  const fractions = new Map<string, number>();
  const show = () => {
    const values = [...fractions.values()];
    win?.setProgressBar(values.length ? values.reduce((a, b) => a + b, 0) / values.length : -1);
  };
  h.events.on('job', (e: JobEvent) => {
    if (e.type === 'progress') fractions.set(e.jobId, e.fraction);
    else fractions.delete(e.jobId);
    if (!win || win.isDestroyed()) return;
    win.webContents.send(CH.jobEvent, e);
    show();
  });
  h.events.on('train', (e: TrainEvent) => {
    if (e.type === 'progress') fractions.set(e.jobId, e.point.step / e.point.total);
    else if (e.type === 'done') fractions.delete(e.jobId);
    if (!win || win.isDestroyed()) return;
    win.webContents.send(CH.trainEvent, e);
    show();
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, cb) => cb(false));
  ses.setPermissionCheckHandler(() => false);
  // No remote content: only the app's own scheme (and devtools) may be requested.
  ses.webRequest.onBeforeRequest((details, cb) => cb({ cancel: !/^(app|devtools|blob|data):/.test(details.url) }));
  ses.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } });
  });
  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const hit = url.host === 'aez' ? resolveRendererFile(url.pathname) : undefined;
    if (!hit) return new Response('not found', { status: 404 });
    return new Response(readFileSync(hit.file), {
      headers: { 'Content-Type': hit.mime, 'Content-Security-Policy': contentSecurityPolicy(), 'X-Content-Type-Options': 'nosniff' },
    });
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  pending.push(...filesFromArgv(process.argv));
  app.on('second-instance', (_e, argv) => {
    void deliver(filesFromArgv(argv));
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('open-file', (e, path) => {
    e.preventDefault();
    void deliver([path]);
  });
  app.on('web-contents-created', (_e, contents) => contents.setWindowOpenHandler(() => ({ action: 'deny' })));

  app.whenReady().then(async () => {
    lockDownSession();
    const settings = await SettingsStore.open(join(app.getPath('userData'), 'settings.json'));
    host = new AezHost({ settings });
    registerIpc({ host, window: () => (win && !win.isDestroyed() ? win : undefined) });
    trackProgress(host);
    win = createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (e) => {
    if (!host) return;
    // Cancel running jobs and remove the session's temp folder before leaving.
    e.preventDefault();
    const h = host;
    host = undefined;
    void h.close().finally(() => app.exit(0));
  });
}
