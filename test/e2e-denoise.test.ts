// End to end in headless Chromium against the browser twin: add an image through the open dialog,
// denoise it, compare; a bad file dropped on the window gets a specific error; a long job is cancelled.
// Screenshots go to test-artifacts/ (look at them: layout, overflow, contrast, both themes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, openApp, startTwin, type Twin } from './serve-fixture.js';

const ARTIFACTS = resolve('test-artifacts');
const skip = chromiumSkip;

describe('desktop app in the browser twin', { skip }, () => {
  let twin: Twin;
  let browser: Browser;
  let page: Page;
  let photo: string;
  let big: string;
  const problems: string[] = [];
  const expectedRefusals: RegExp[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    twin = await startTwin();
    // A smooth scene with noise on it, so before/after differ visibly.
    photo = join(twin.dir, 'harbour.png');
    const w = 320;
    const h = 200;
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 3;
        const n = () => (Math.random() - 0.5) * 60;
        const sky = y < h * 0.55;
        px[i] = Math.max(0, Math.min(255, (sky ? 110 + y * 0.6 : 40 + x * 0.2) + n()));
        px[i + 1] = Math.max(0, Math.min(255, (sky ? 160 + y * 0.4 : 90 + (x % 40) * 1.5) + n()));
        px[i + 2] = Math.max(0, Math.min(255, (sky ? 230 - y * 0.3 : 120) + n()));
      }
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(photo);
    // Big enough that denoising it takes seconds, so it can be cancelled halfway.
    big = join(twin.dir, 'huge.jpg');
    await sharp({ create: { width: 3200, height: 2400, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .jpeg({ quality: 70 })
      .toFile(big);
    ({ browser, page } = await openApp(twin.url, { width: 1280, height: 800 }, expectedRefusals, problems));
  });

  after(async () => {
    await browser?.close();
    await twin?.stop();
  });

  after(() => assert.deepEqual(problems, [], 'the page logged no errors'));

  async function addViaDialog(path: string): Promise<void> {
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('button.dropzone').click()]);
    await chooser.setFiles(path);
  }

  const item = (name: string) => page.locator('li', { hasText: name });

  test('denoises an image added through the open dialog and shows it before/after', async () => {
    await addViaDialog(photo);
    await item('harbour.png').getByText('Ready').waitFor();
    await page.getByRole('button', { name: 'Denoise 1 image' }).click();
    await page.locator('li[data-state="done"]', { hasText: 'harbour.png' }).waitFor({ timeout: 30_000 });
    const out = join(twin.outDir, 'harbour-denoised.png');
    assert.ok(existsSync(out), 'output written to the output folder');
    const meta = await sharp(out).metadata();
    assert.equal(meta.width, 320);
    assert.equal(meta.height, 200);
    await page.getByTestId('after-readout').waitFor();
    assert.match(await page.getByTestId('after-readout').innerText(), /320×200/);
    assert.match(await page.getByTestId('summary').innerText(), /1 done/);
    // Zoom with the keyboard: the readout follows.
    await page.getByRole('application').focus();
    const before = await page.locator('.pct').innerText();
    await page.keyboard.press('+');
    assert.notEqual(await page.locator('.pct').innerText(), before);
    await page.keyboard.press('0');
    await page.screenshot({ path: join(ARTIFACTS, 'denoise-light.png') });
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.screenshot({ path: join(ARTIFACTS, 'denoise-dark.png') });
  });

  test('a text file named .png, dropped on the window, is refused at once with a specific message', async () => {
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['this is not an image'], 'notes.png', { type: 'image/png' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const notice = page.locator('.notice', { hasText: 'notes.png was not added' });
    await notice.waitFor({ timeout: 10_000 });
    const text = await notice.innerText();
    assert.match(text, /notes\.png is not an image in a supported format/);
    assert.doesNotMatch(text, /aez-session-/, 'the temp upload path is not shown');
    assert.equal(await item('notes.png').count(), 0, 'not queued as Ready');
    assert.ok(!(await readdir(twin.outDir)).some((n) => n.startsWith('notes')), 'no output for the bad file');
    await page.screenshot({ path: join(ARTIFACTS, 'error-dark.png') });
    await notice.getByRole('button', { name: 'Dismiss' }).click();
  });

  test('a clean page through the photo model: the row says which model ran and offers the scan model', async () => {
    const pagePath = join(twin.dir, 'letter.png');
    const w = 240;
    const h = 320;
    const px = Buffer.alloc(w * h, 246);
    for (let line = 0; line < 12; line++)
      for (let y = 30 + line * 22; y < 38 + line * 22; y++) for (let x = 24; x < 24 + 150 + ((line * 37) % 40); x++) if ((x >> 2) % 3 !== 0) px[y * w + x] = 30;
    await sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toFile(pagePath);
    await addViaDialog(pagePath);
    await page.getByRole('radio', { name: /Photo/ }).check();
    await page.getByRole('button', { name: 'Denoise 1 image' }).click();
    const done = page.locator('li[data-state="done"]', { hasText: 'letter.png' });
    await done.waitFor({ timeout: 30_000 });
    assert.match(await done.innerText(), /photo model · σ [\d.]+ \(estimated\)/);
    await done.getByRole('button', { name: 'Clean with the scan model' }).click();
    await page.locator('li[data-state="done"]', { hasText: 'letter.png' }).filter({ hasText: 'scan model' }).waitFor({ timeout: 30_000 });
    assert.ok((await readdir(twin.outDir)).filter((n) => n.startsWith('letter-denoised')).length === 2, 'both results kept, none replaced');
    await page.screenshot({ path: join(ARTIFACTS, 'denoise-page-suggestion-dark.png') });
  });

  test('a long job can be cancelled halfway and leaves nothing behind', async () => {
    await addViaDialog(big);
    await page.getByRole('button', { name: 'Denoise 1 image' }).click();
    const running = page.locator('li[data-state="running"]', { hasText: 'huge.jpg' });
    await running.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => Number(document.querySelector('li[data-state="running"] [role="progressbar"]')?.getAttribute('aria-valuenow')) >= 5, null, { timeout: 30_000 });
    await running.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('li[data-state="cancelled"]', { hasText: 'huge.jpg' }).waitFor({ timeout: 30_000 });
    assert.ok(!(await readdir(twin.outDir)).some((n) => n.startsWith('huge') || n.startsWith('.aez-tmp')), 'no output, no temporary file');
    await page.locator('li[data-state="cancelled"] .pick').click();
    await page.getByLabel('Theme').selectOption('light');
    await page.screenshot({ path: join(ARTIFACTS, 'cancelled-light.png') });
  });

  test('settings show the doctor facts and the output folder, in both themes', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByTestId('backend').waitFor();
    assert.match(await page.getByTestId('backend').innerText(), /wasm/);
    // The inference engine that actually runs is shown too, with why GPU providers were skipped.
    assert.match(await page.getByTestId('engine').innerText(), /ort-cpu|tfjs-/);
    assert.equal(await page.locator('#outdir').inputValue(), twin.outDir);
    await page.screenshot({ path: join(ARTIFACTS, 'settings-light.png'), fullPage: true });
    await page.getByLabel('Theme').selectOption('dark');
    await page.screenshot({ path: join(ARTIFACTS, 'settings-dark.png'), fullPage: true });
  });
});
