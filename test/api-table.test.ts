// The API table (electron/shared/methods.ts) is the one list both transports are derived from: its IPC
// channels are distinct from each other and from the Electron-only ones, and the twin answers every call
// over HTTP through the host's table (a method outside the table is a 404).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALL_METHODS, callChannel } from '../electron/shared/methods.js';
import { CH } from '../electron/shared/channels.js';
import { startTwin } from './serve-fixture.js';

test('API table: one IPC channel per call, none shared with the Electron-only channels', () => {
  const channels = CALL_METHODS.map(callChannel);
  assert.equal(new Set(channels).size, channels.length);
  assert.equal(callChannel('estimateCompression'), 'aez:estimate-compression');
  for (const c of Object.values(CH)) assert.ok(!channels.includes(c), `${c} is both a call and an Electron-only channel`);
});

test('API table: the twin answers every call through the host, and nothing else', async () => {
  const twin = await startTwin();
  try {
    const post = (name: string, body: unknown) =>
      fetch(`${twin.origin}/api/${name}`, { method: 'POST', headers: { 'x-aez-token': twin.token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    for (const m of ['doctor', 'getSettings', 'codecInfo', 'trainInfo', 'listRuns'] as const) {
      const r = await post(m, null);
      assert.equal(r.status, 200, m);
      assert.equal(((await r.json()) as { ok: boolean }).ok, true, m);
    }
    // A call with a bad argument reaches the host's validation (400 with its message), not a 404.
    const bad = await post('readRun', 42);
    assert.equal(bad.status, 400);
    const missing = await post('dropTables', null);
    assert.equal(missing.status, 404);
  } finally {
    await twin.stop();
  }
});
