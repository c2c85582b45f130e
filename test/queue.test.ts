// AEZ on a real job queue: a Redis server of the test's own on a loopback port, jobs added by `aez queue add`,
// separate `aez worker` processes, one killed with kill -9 mid-run: the queue drains with every output written
// once, no temporary file left, and `aez queue status --json` says so. Also: a queue entry with a path outside
// the worker's --allow folders is refused, and an unreachable server is a clear message, not a hang.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { saveTinyModel, tempDir } from './helpers.js';
import { startTwin } from './serve-fixture.js';

const REDIS = '/usr/bin/redis-server';
const skip = existsSync(REDIS) ? false : `no Redis at ${REDIS}: install Debian's redis-server (.ci/run does) to run the queue tests`;

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

describe('the job queue (BullMQ on Redis)', { skip }, () => {
  let redis: ChildProcess;
  let url: string;
  let dir: string;
  let models: string;
  const workers: ChildProcess[] = [];

  const env = () => ({ ...process.env, AEZ_BACKEND: 'wasm', AEZ_MODELS_DIR: models, AEZ_QUEUE_LOCK_MS: '1500' });
  const aez = (args: string[]) => spawnSync(process.execPath, [resolve('bin/aez.js'), ...args], { env: env(), encoding: 'utf8', cwd: dir, timeout: 60_000 });
  const worker = (extra: string[] = []) => {
    const w = spawn(process.execPath, [resolve('bin/aez.js'), '--threads', '1', 'worker', '--redis', url, '--allow', dir, ...extra], { env: env(), cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    w.stderr!.on('data', (d) => (log += d));
    workers.push(w);
    return { w, log: () => log, exited: new Promise<number | null>((r) => w.once('exit', (code) => r(code))) };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aez-queue-')); // removed in after(): tempDir() registers its cleanup where it is called
    models = join(dir, 'models');
    await saveTinyModel(join(models, 'photo'));
    const port = await freePort();
    redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      if (aez(['queue', 'status', '--redis', url]).status === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    redis?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('12 images, a worker killed with kill -9 mid-run, two more: every output once, none lost, no temporary file', async () => {
    const inDir = join(dir, 'in');
    await mkdir(inDir);
    for (let i = 0; i < 12; i++) {
      await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 90 + i * 10, g: 120, b: 140 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png({ compressionLevel: 1 }).toFile(join(inDir, `img${String(i).padStart(2, '0')}.png`));
    }
    const out = join(dir, 'out');
    const add = aez(['queue', 'add', 'denoise', inDir, '-o', out, '--redis', url, '--sigma', '20']);
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stderr, /queued 12 job\(s\)/);
    // Adding the same batch again queues nothing twice.
    assert.match(aez(['queue', 'add', 'denoise', inDir, '-o', out, '--redis', url, '--sigma', '20']).stderr, /queued 0 job\(s\).*12 already queued/);

    const first = worker();
    // Kill it while it works on its second image (its first is done).
    for (let i = 0; i < 600 && (first.log().match(/working on/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok((first.log().match(/working on/g) ?? []).length >= 2, `the first worker started two jobs: ${first.log()}`);
    first.w.kill('SIGKILL');
    await first.exited;

    const b = worker(['--exit-when-idle']);
    const c = worker(['--exit-when-idle']);
    assert.deepEqual(await Promise.all([b.exited, c.exited]), [0, 0], b.log() + c.log());

    const st = aez(['queue', 'status', '--redis', url, '--json']);
    assert.equal(st.status, 0, st.stderr);
    const status = JSON.parse(st.stdout);
    assert.equal(status.done, 12, st.stdout);
    assert.equal(status.failed, 0, st.stdout);
    const names = await readdir(out);
    assert.deepEqual(names.filter((n) => !n.startsWith('.')).sort(), Array.from({ length: 12 }, (_, i) => `img${String(i).padStart(2, '0')}.png`));
    assert.deepEqual(names.filter((n) => n.startsWith('.aez-tmp-')), [], 'no temporary file left');
    for (const n of names) assert.equal((await sharp(join(out, n)).metadata()).width, 1600);
  });

  test('a job whose paths lie outside the worker\'s folders is refused; an unreachable server is a clear error', async () => {
    const cleared = aez(['queue', 'clear', '--redis', url]);
    assert.equal(cleared.status, 0, cleared.stderr);
    const elsewhere = await tempDir('aez-queue-elsewhere-');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } }).png().toFile(join(elsewhere, 'x.png'));
    await mkdir(join(elsewhere, 'out'));
    const added = aez(['queue', 'add', 'denoise', join(elsewhere, 'x.png'), '-o', join(elsewhere, 'out'), '--redis', url]);
    assert.equal(added.status, 0, added.stderr);
    const w = worker(['--exit-when-idle']);
    assert.equal(await w.exited, 0, w.log());
    const status = JSON.parse(aez(['queue', 'status', '--redis', url, '--json']).stdout);
    assert.equal(status.failed, 1);
    assert.match(status.failures[0].reason, /PATH_NOT_ALLOWED: .*x\.png is outside the folders this worker may use/);
    assert.ok(!existsSync(join(elsewhere, 'out', 'x.png')));

    const t0 = Date.now();
    const down = aez(['queue', 'status', '--redis', 'redis://127.0.0.1:1']);
    assert.equal(down.status, 2);
    assert.match(down.stderr, /cannot reach the queue server at 127\.0\.0\.1:1/);
    assert.ok(Date.now() - t0 < 15_000, 'no hang');
  });

  test('aez serve --redis shows the queue status (the app\'s Settings read it); without --redis there is none', async () => {
    const twin = await startTwin(['--redis', url]);
    const plain = await startTwin();
    try {
      const ask = async (t: typeof twin) => {
        const r = await fetch(`${t.origin}/api/queueStatus`, { method: 'POST', headers: { 'x-aez-token': t.token, 'Content-Type': 'application/json' }, body: 'null' });
        return (await r.json()) as { ok: boolean; value: { server: string; failed: number; failures: { reason: string }[] } | null };
      };
      const r = await ask(twin);
      assert.ok(r.ok && r.value);
      assert.match(r.value.server, /^127\.0\.0\.1:\d+$/);
      assert.equal(r.value.failed, 1, 'the refused job of the test before');
      assert.match(r.value.failures[0].reason, /PATH_NOT_ALLOWED/);
      assert.deepEqual(await ask(plain), { ok: true, value: null });
    } finally {
      await twin.stop();
      await plain.stop();
    }
  });
});
