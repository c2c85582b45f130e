import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gradientImage, tempDir, writePng } from './helpers.js';

const AEZ = resolve('bin/aez.js');
const SHIP = resolve('dist/scripts/ship-model.js');

function node(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, AEZ_BACKEND: 'wasm' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stderr }));
  });
}

test('ship-model writes a card with the data line; a widened fine-tune keeps its parent\'s record and data', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  const data = join(dir, 'photos');
  await mkdir(data);
  for (let i = 0; i < 2; i++) await writePng(join(data, `p${i}.png`), gradientImage(48, 32, 3), 48, 32, 3);
  const train = (out: string, widths: string, extra: string[] = []) =>
    node([AEZ, 'train', '--task', 'photo', '--data', data, '--val', data, '--out', out, '--steps', '4', '--batch', '2', '--patch', '16',
      '--widths', widths, '--blocks', '1,1', '--val-every', '2', '--workers', '1', ...extra], dir);

  const first = await train(join(dir, 'run1'), '8,16');
  assert.equal(first.code, 0, first.stderr);
  const refused = await node([SHIP, '--run', join(dir, 'run1'), '--id', 'tiny'], dir);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--data is required/);
  const shipped = await node([SHIP, '--run', join(dir, 'run1'), '--id', 'tiny', '--data', 'two gradient test images'], dir);
  assert.equal(shipped.code, 0, shipped.stderr);
  const card1 = await readFile(join(dir, 'models', 'tiny', 'MODEL_CARD.md'), 'utf8');
  assert.match(card1, /^- Data: two gradient test images$/m);
  assert.match(card1, /^- Steps: 4 of 4 planned/m);

  // The fine-tune also grows the model (nn/widen-unet.ts).
  const tune = await train(join(dir, 'run2'), '12,16', ['--init-from', join(dir, 'models', 'tiny')]);
  assert.equal(tune.code, 0, tune.stderr);
  assert.match(tune.stderr, /grown to widths 12\/16/);
  const reshipped = await node([SHIP, '--run', join(dir, 'run2'), '--id', 'tiny'], dir);
  assert.equal(reshipped.code, 0, reshipped.stderr);
  const card2 = await readFile(join(dir, 'models', 'tiny', 'MODEL_CARD.md'), 'utf8');
  assert.match(card2, /^- Data: two gradient test images$/m);
  assert.match(card2, /widths 12\/16/);
  assert.match(card2, /^- Started from: the weights of model .*tiny.*, grown from widths 8\/16 to 12\/16 .*That model's own record:$/m);
  assert.match(card2, /^ {2}- Steps: 4 of 4 planned/m, 'the parent run\'s steps are nested under "Started from"');
});
