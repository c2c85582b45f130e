// When `aez serve` dies under the page, the page says so: a banner with what to do, the running item marked
// failed (not "Working 35 %" forever with a live Cancel button), and the list of what was done kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, openApp, startTwin, type Twin } from './serve-fixture.js';

const ARTIFACTS = resolve('test-artifacts');

describe('the browser twin notices when its server is gone', { skip: chromiumSkip }, () => {
  let twin: Twin;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    twin = await startTwin();
    ({ browser, page } = await openApp(twin.url, { width: 1100, height: 700 }, [], problems));
  });

  after(async () => {
    await browser?.close();
    await twin?.stop();
  });

  test('server killed mid-job: banner, the running item failed, the finished one still listed', async () => {
    const small = join(twin.dir, 'small.png');
    await sharp({ create: { width: 96, height: 64, channels: 3, background: '#6080a0', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png().toFile(small);
    const big = join(twin.dir, 'huge.jpg');
    await sharp({ create: { width: 3200, height: 2400, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 70 }).toFile(big);
    const add = async (path: string) => {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('button.dropzone').click()]);
      await chooser.setFiles(path);
    };
    await add(small);
    await page.getByRole('button', { name: 'Denoise 1 image' }).click();
    await page.locator('li[data-state="done"]', { hasText: 'small.png' }).waitFor({ timeout: 30_000 });
    await add(big);
    await page.getByRole('button', { name: 'Denoise 1 image' }).click();
    await page.locator('li[data-state="running"]', { hasText: 'huge.jpg' }).waitFor({ timeout: 30_000 });

    twin.child.kill('SIGKILL');
    const banner = page.getByTestId('connection-lost');
    await banner.waitFor({ timeout: 20_000 });
    assert.match(await banner.innerText(), /AEZ stopped: start "aez serve" again/);
    const failed = page.locator('li[data-state="failed"]', { hasText: 'huge.jpg' });
    await failed.waitFor({ timeout: 5_000 });
    assert.equal(await failed.getByRole('button', { name: 'Cancel' }).count(), 0, 'no live Cancel on a job that is gone');
    await page.locator('li[data-state="done"]', { hasText: 'small.png' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'connection-lost-light.png') });
  });
});
