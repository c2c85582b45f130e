import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gradientImage, tempDir, writePng } from './helpers.js';

const AEZ = resolve('bin/aez.js');

function aez(args: string[], killOn?: RegExp): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [AEZ, ...args], { env: { ...process.env, AEZ_BACKEND: 'wasm' } });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (killOn?.test(stderr)) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => res({ code, signal, stderr }));
  });
}

test('aez train survives kill -9 and resumes to the end, then its model denoises', { timeout: 240_000 }, async () => {
  const dir = await tempDir();
  const data = join(dir, 'photos');
  await mkdir(data);
  for (let i = 0; i < 3; i++) await writePng(join(data, `p${i}.png`), gradientImage(64, 48, 3), 64, 48, 3);
  const out = join(dir, 'run');
  const args = ['train', '--task', 'photo', '--data', data, '--val', data, '--out', out, '--steps', '24', '--batch', '2', '--patch', '16',
    '--widths', '8,16', '--blocks', '1,1', '--val-every', '6', '--checkpoint-every', '2', '--workers', '2'];
  const killed = await aez(args, /step 1[0-9]\/24/);
  assert.equal(killed.signal, 'SIGKILL');
  const state = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8'));
  assert.ok(state.step >= 2 && state.step < 24, `checkpoint at ${state.step}`);
  const resumed = await aez(args);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming photo at step ${state.step} of 24`));
  assert.match(resumed.stderr, /finished at step 24/);
  const r = await new Promise<number | null>((res) => {
    const c = spawn(process.execPath, [AEZ, 'denoise', join(data, 'p0.png'), '-o', join(dir, 'clean.png'), '--model', join(out, 'model')]);
    c.on('close', res);
  });
  assert.equal(r, 0);
});

test('aez train rejects bad options with specific messages', async () => {
  const r1 = await aez(['train', '--task', 'cats', '--out', '/tmp/x']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /--task must be one of photo, scan, inpaint, codec, got "cats"/);
  const r2 = await aez(['train', '--task', 'photo', '--out', '/tmp/x', '--widths', '8,a']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /--widths must be/);
  const r3 = await aez(['train', '--task', 'photo', '--out', '/tmp/x', '--patch', '20']);
  assert.match(r3.stderr, /multiple of 8/);
  const r4 = await aez(['train', '--task', 'inpaint', '--out', '/tmp/x', '--loss', 'l3']);
  assert.equal(r4.code, 2);
  assert.match(r4.stderr, /--loss must be charbonnier or mse/);
});
