// The browser twin's HTTP surface without a browser: who may call it, what it refuses, and a job end to end.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import sharp from 'sharp';
import { gradientImage, writePng } from './helpers.js';
import { startTwin } from './serve-fixture.js';

const twin = await startTwin(['--max-upload-mb', '1']);
after(() => twin.stop());

function call(path: string, opts: { token?: string | null; body?: Buffer | string; host?: string; method?: string } = {}): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  const u = new URL(path, twin.origin);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== null) headers['x-aez-token'] = opts.token ?? twin.token;
  if (opts.host) headers.host = opts.host;
  return new Promise((res, rej) => {
    const req = request(u, { method: opts.method ?? 'POST', headers }, (r) => {
      let data = '';
      r.on('data', (d) => (data += d));
      r.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(data);
        } catch {
          json = data;
        }
        res({ status: r.statusCode ?? 0, json, headers: r.headers });
      });
    });
    req.on('error', rej);
    req.end(opts.body);
  });
}

test('prints a 127.0.0.1 URL with a token, and refuses calls without it', async () => {
  assert.match(twin.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  assert.equal((await call('/api/getSettings', { token: null })).status, 401);
  assert.equal((await call('/api/getSettings', { token: 'x'.repeat(twin.token.length) })).status, 401);
  assert.equal((await call('/', { token: null, method: 'GET' })).status, 401);
  const ok = await call('/api/getSettings');
  assert.equal(ok.status, 200);
  assert.equal(ok.json.value.outputDir, twin.outDir);
});

test('refuses another Host header (DNS rebinding)', async () => {
  const r = await call('/api/getSettings', { host: 'evil.example:80' });
  assert.equal(r.status, 403);
});

test('validates arguments: settings, job requests, previews of files it was not given', async () => {
  const bad = await call('/api/setSettings', { body: JSON.stringify({ outputDir: 'relative/dir' }) });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /outputDir: must be an absolute folder path/);
  const unknownKey = await call('/api/setSettings', { body: JSON.stringify({ evil: 1 }) });
  assert.equal(unknownKey.status, 400);
  const job = await call('/api/startJob', { body: JSON.stringify({ kind: 'denoise', input: '/etc/hostname', model: 'photo', sigma: null, format: 'png' }) });
  assert.equal(job.status, 400);
  assert.match(job.json.error.message, /was not added to AEZ/);
  const preview = await call('/api/preview', { body: JSON.stringify('/etc/passwd') });
  assert.equal(preview.status, 400);
  assert.match(preview.json.error.message, /neither an added input nor an output/);
  const name = await call('/api/upload?name=..%2Fescape.png', { body: Buffer.from('x') });
  assert.equal(name.status, 400);
  assert.match(name.json.error.message, /plain file name/);
});

test('limits upload sizes', async () => {
  const r = await call('/api/upload?name=big.png', { body: Buffer.alloc(1024 * 1024 + 1) });
  assert.equal(r.status, 413);
  assert.match(r.json.error.message, /larger than the 1 MiB/);
});

test('uploads an image, denoises it into the output folder, and never overwrites an earlier result', async () => {
  const src = join(twin.dir, 'pic.png');
  await writePng(src, gradientImage(48, 32, 3), 48, 32, 3);
  const up = await call('/api/upload?name=pic.png', { body: await readFile(src) });
  assert.equal(up.status, 200, JSON.stringify(up.json));
  const input = up.json.value.files[0].path as string;
  assert.ok(!input.startsWith(twin.outDir));
  const first = await call('/api/startJob', { body: JSON.stringify({ kind: 'denoise', input, model: 'photo', sigma: 10, format: 'png' }) });
  assert.equal(first.status, 200, JSON.stringify(first.json));
  assert.equal(first.json.value.outputName, 'pic-denoised.png');
  const second = await call('/api/startJob', { body: JSON.stringify({ kind: 'denoise', input, model: 'photo', sigma: 10, format: 'webp' }) });
  assert.equal(second.json.value.outputName, 'pic-denoised.webp');
  for (let i = 0; i < 200 && (await readdir(twin.outDir)).filter((n) => !n.startsWith('.')).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual((await readdir(twin.outDir)).sort(), ['pic-denoised.png', 'pic-denoised.webp']);
  const meta = await sharp(join(twin.outDir, 'pic-denoised.png')).metadata();
  assert.equal(meta.width, 48);
  assert.equal(meta.height, 32);
  const third = await call('/api/startJob', { body: JSON.stringify({ kind: 'denoise', input, model: 'photo', sigma: 10, format: 'png' }) });
  assert.equal(third.json.value.outputName, 'pic-denoised (2).png');
  for (let i = 0; i < 200 && (await readdir(twin.outDir)).filter((n) => !n.startsWith('.')).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok((await readdir(twin.outDir)).includes('pic-denoised (2).png'));
});
