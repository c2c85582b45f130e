// Cancelling work that runs on onnxruntime never takes the process down. Terminating a worker thread while
// one of onnxruntime's asynchronous calls was in flight aborted the whole process (SIGABRT, "terminate called
// after throwing an instance of 'Napi::Error'"): the CLI exited 134 on Ctrl-C and `aez serve` died when a
// running item was cancelled. Both front ends, on the real onnxruntime engine, cancelled at several moments.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { request, get } from 'node:http';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { UNetConfig } from '../electron/engine/nn/unet.js';
import { saveTinyModel, tempDir } from './helpers.js';
import { startTwin } from './serve-fixture.js';

/** Heavy enough that each tile keeps onnxruntime busy for a good part of a second on one thread. */
const HEAVY: UNetConfig = { kind: 'unet', channels: 3, noiseMap: true, widths: [48, 96], blocks: [3, 3] };

async function noisePng(path: string, width: number, height: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toFile(path);
}

function aezInterrupted(args: string[], delayMs: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [resolve('bin/aez.js'), ...args], { env: { ...process.env, AEZ_BACKEND: 'ort' } });
    let stderr = '';
    let armed = false;
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!armed && /denoising .*big\.png/.test(stderr)) {
        armed = true;
        setTimeout(() => child.kill('SIGINT'), delayMs);
      }
    });
    child.on('close', (code, signal) => res({ code, signal, stderr }));
  });
}

test('CLI on onnxruntime: Ctrl-C mid-run exits 130 with nothing written, whenever it comes', async () => {
  const dir = await tempDir();
  const outDir = join(dir, 'out');
  await mkdir(outDir);
  const big = join(dir, 'big.png');
  await noisePng(big, 1600, 1200);
  const model = await saveTinyModel(join(dir, 'heavy'), HEAVY);
  for (const delay of [200, 700, 1300]) {
    const r = await aezInterrupted(['--threads', '2', 'denoise', big, '-o', join(outDir, 'big.png'), '--model', model, '--sigma', '20'], delay);
    assert.doesNotMatch(r.stderr, /Napi::Error|terminate called/, `Ctrl-C after ${delay} ms`);
    assert.equal(r.code, 130, `Ctrl-C after ${delay} ms: ${r.stderr.slice(-400)}`);
    assert.deepEqual(await readdir(outDir), [], `Ctrl-C after ${delay} ms left files`);
  }
});

test('aez serve on onnxruntime survives cancelling a running denoise and a running compress; the next job completes', async () => {
  const twin = await startTwin([], { AEZ_BACKEND: 'ort' }, { photo: HEAVY });
  after(() => twin.stop());
  const api = (name: string, body: unknown): Promise<{ status: number; json: any }> =>
    new Promise((res, rej) => {
      const req = request(new URL(`/api/${name}`, twin.origin), { method: 'POST', headers: { 'content-type': 'application/json', 'x-aez-token': twin.token } }, (r) => {
        let data = '';
        r.on('data', (d) => (data += d));
        r.on('end', () => res({ status: r.statusCode ?? 0, json: data ? JSON.parse(data) : null }));
      });
      req.on('error', rej);
      req.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    });
  const upload = async (name: string, path: string) => {
    const up = await new Promise<{ status: number; json: any }>((res, rej) => {
      const req = request(new URL(`/api/upload?name=${name}`, twin.origin), { method: 'POST', headers: { 'x-aez-token': twin.token } }, (r) => {
        let data = '';
        r.on('data', (d) => (data += d));
        r.on('end', () => res({ status: r.statusCode ?? 0, json: JSON.parse(data) }));
      });
      req.on('error', rej);
      readFile(path).then((b) => req.end(b), rej);
    });
    assert.equal(up.status, 200, JSON.stringify(up.json));
    return up.json.value.files[0].path as string;
  };

  // Every job event, from the same stream the page reads.
  const events: any[] = [];
  const waiters: { match: (e: any) => boolean; resolve: (e: any) => void }[] = [];
  const stream = get(new URL(`/api/events?token=${twin.token}`, twin.origin), (r) => {
    let buf = '';
    r.on('data', (d) => {
      buf += d;
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = chunk.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const e = JSON.parse(data.slice(6));
        events.push(e);
        for (const w of waiters.filter((w) => w.match(e))) (waiters.splice(waiters.indexOf(w), 1), w.resolve(e));
      }
    });
  });
  after(() => stream.destroy());
  const next = (match: (e: any) => boolean, what: string) =>
    new Promise<any>((res, rej) => {
      const found = events.find(match);
      if (found) return res(found);
      const t = setTimeout(() => rej(new Error(`timed out waiting for ${what}; events ${JSON.stringify(events.slice(-5))}; server stderr: ${twin.stderr().slice(-500)}`)), 60_000);
      waiters.push({ match, resolve: (e) => (clearTimeout(t), res(e)) });
    });

  const dir = await tempDir();
  const bigPath = join(dir, 'big.png');
  await noisePng(bigPath, 2400, 1800);
  const big = await upload('big.png', bigPath);

  const cancelMidRun = async (job: unknown, what: string) => {
    const started = await api('startJob', job);
    assert.equal(started.status, 200, JSON.stringify(started.json));
    const id = started.json.value.jobId as string;
    await next((e) => e.jobId === id && e.type === 'progress' && e.fraction > 0.06, `${what} progress`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await api('cancelJob', JSON.stringify(id))).status, 200);
    const done = await next((e) => e.jobId === id && e.type === 'done', `${what} done`);
    assert.equal(done.ok, false, `${what} finished before it could be cancelled`);
    assert.equal(done.cancelled, true, JSON.stringify(done));
    assert.equal(twin.child.exitCode, null, `${what}: the server died: ${twin.stderr().slice(-500)}`);
    assert.equal((await api('getSettings', {})).status, 200, `${what}: the server stopped answering`);
  };
  await cancelMidRun({ kind: 'denoise', input: big, model: 'photo', sigma: 20, format: 'png' }, 'denoise');
  await cancelMidRun({ kind: 'compress', input: big, quality: 2, targetBytes: null }, 'compress');

  const smallPath = join(dir, 'small.png');
  await noisePng(smallPath, 96, 64);
  const small = await upload('small.png', smallPath);
  const last = await api('startJob', { kind: 'denoise', input: small, model: 'photo', sigma: 20, format: 'png' });
  const done = await next((e) => e.jobId === last.json.value.jobId && e.type === 'done', 'the next denoise');
  assert.equal(done.ok, true, JSON.stringify(done));
  assert.deepEqual((await readdir(twin.outDir)).filter((n) => !n.startsWith('.')), ['small-denoised.png']);
  assert.deepEqual((await readdir(twin.outDir)).filter((n) => n.startsWith('.aez-tmp')), [], 'temporary files left');
  assert.doesNotMatch(twin.stderr(), /Napi::Error|terminate called/);
});
