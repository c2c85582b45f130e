// Starts `aez serve` as a child process with tiny random models (photo, scan, codec) in a temp models folder, and reads the
// URL from its first line of output. Shared by the twin's API and browser tests. The caller stops it
// (from a hook of its own: node:test scopes `after` to where it is called).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { saveTinyModel, TINY_PHOTO, TINY_SCAN } from './helpers.js';
import type { UNetConfig } from '../electron/engine/nn/unet.js';
import { saveTinyCodec } from './codec-helpers.js';

export interface Twin {
  url: string;
  origin: string;
  token: string;
  dir: string;
  outDir: string;
  /** Where Train mode makes runs (inside `dir`). */
  runsDir: string;
  /** The models folder the twin lists (inside `dir`; exports land here). */
  modelsDir: string;
  child: ChildProcess;
  stderr(): string;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** `photo`: the photo model's architecture (random weights; a heavier one makes jobs long enough to cancel). */
export async function startTwin(extraArgs: string[] = [], extraEnv: Record<string, string> = {}, opts: { photo?: UNetConfig } = {}): Promise<Twin> {
  const dir = await mkdtemp(join(tmpdir(), 'aez-twin-'));
  const models = join(dir, 'models');
  const outDir = join(dir, 'out');
  await mkdir(outDir);
  await saveTinyModel(join(models, 'photo'), opts.photo ?? TINY_PHOTO);
  await saveTinyModel(join(models, 'scan'), TINY_SCAN);
  await saveTinyCodec(join(models, 'codec'));
  const runsDir = join(dir, 'runs');
  const child = spawn(process.execPath, [resolve('bin/aez.js'), '--threads', '1', 'serve', '--output-dir', outDir, '--runs-dir', runsDir, ...extraArgs], {
    env: { ...process.env, AEZ_BACKEND: 'wasm', AEZ_MODELS_DIR: models, AEZ_CONFIG_DIR: join(dir, 'config'), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) res(out.slice(0, nl).trim());
    });
    child.once('exit', (code) => rej(new Error(`aez serve exited (${code}) before printing its URL: ${err}`)));
  });
  const stop = async () => {
    // Still running (a child killed by a signal has a signalCode and no exitCode).
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const u = new URL(url);
  return { url, origin: u.origin, token: u.searchParams.get('token') ?? '', dir, outDir, runsDir, modelsDir: models, child, stderr: () => err, stop };
}

export const CHROMIUM = process.env.AEZ_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumSkip: string | false = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the browser tests`;

/**
 * Opens the twin's page in headless Chromium, collecting into `problems` every page error, console error
 * and failed response except API refusals the UI shows on purpose (`expectedRefusals`).
 */
export async function openApp(url: string, viewport: { width: number; height: number }, expectedRefusals: RegExp[], problems: string[]): Promise<{ browser: Browser; page: Page }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport, colorScheme: 'light' });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
  page.on('response', async (r) => {
    if (r.status() < 400) return;
    const body = await r.text().catch(() => '');
    if (!expectedRefusals.some((re) => re.test(body))) problems.push(`${r.status()} ${r.url()}: ${body}`);
  });
  await page.goto(url);
  return { browser, page };
}
