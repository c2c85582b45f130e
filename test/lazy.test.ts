// Lazy: made once on success, made again after a failure, handed back by take().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lazy } from '../electron/engine/util/lazy.js';

test('a value is made once; a failure is not kept; take() forgets it', async () => {
  let calls = 0;
  let fail = true;
  const lazy = new Lazy(async () => {
    calls++;
    if (fail) throw new Error(`attempt ${calls} failed`);
    return calls;
  });
  await assert.rejects(lazy.get(), /attempt 1 failed/);
  fail = false;
  assert.equal(await lazy.get(), 2, 'tried again after the failure');
  assert.equal(await lazy.get(), 2, 'kept once made');
  assert.equal(await Promise.all([lazy.get(), lazy.get()]).then((v) => v.join()), '2,2');
  assert.equal(await lazy.take(), 2);
  assert.equal(lazy.take(), null);
  assert.equal(await lazy.get(), 3, 'made afresh after take()');
  assert.equal(calls, 3);
});
