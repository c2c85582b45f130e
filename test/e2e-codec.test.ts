// End to end in headless Chromium against the browser twin: compress an image in Compress mode (with the
// size estimate shown before saving), then restore the .aez file in Restore mode; both files are checked
// on disk. Screenshots go to test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { parseAez } from '../electron/engine/codec/format/aez-file.js';
import { chromiumSkip, openApp, startTwin, type Twin } from './serve-fixture.js';

const ARTIFACTS = resolve('test-artifacts');

describe('Compress and Restore modes in the browser twin', { skip: chromiumSkip }, () => {
  let twin: Twin;
  let browser: Browser;
  let page: Page;
  let photo: string;
  const problems: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    twin = await startTwin();
    photo = join(twin.dir, 'garden.png');
    const w = 256;
    const h = 192;
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 3;
        px[i] = (x * 255) / w;
        px[i + 1] = 80 + ((x + y) % 50);
        px[i + 2] = (y * 255) / h;
      }
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(photo);
    ({ browser, page } = await openApp(twin.url, { width: 1280, height: 800 }, [], problems));
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

  test('compress: estimate before saving, then an .aez file that restores to the image size', async () => {
    await page.getByRole('button', { name: 'Compress', exact: true }).click();
    await addViaDialog(photo);
    await page.locator('li', { hasText: 'garden.png' }).getByText('Ready').waitFor();
    await page.getByTestId('estimate').getByText(/Expected:/).waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('estimate').innerText(), /bpp · PSNR/);
    // Move the quality slider with the keyboard: the estimate follows.
    const first = await page.getByTestId('estimate').innerText();
    await page.getByLabel(/^Quality \(1 smallest/).focus();
    await page.keyboard.press('End');
    await page.waitForFunction((t) => /Expected:/.test(document.querySelector('[data-testid="estimate"]')?.textContent ?? '') && document.querySelector('[data-testid="estimate"]')?.textContent !== t, first, { timeout: 30_000 });
    // Switching to a target size starts from one this image reaches: what the current quality gives it.
    const expected = await page.getByTestId('estimate').innerText();
    const kb = Number(/Expected: ([\d.]+) kB/.exec(expected)?.[1]);
    assert.ok(kb > 0, `the estimate is in kB: ${expected}`);
    await page.getByRole('radio', { name: 'Target file size' }).check();
    assert.equal(Number(await page.getByLabel('Target size in kilobytes').inputValue()), Math.max(1, Math.round(kb)));
    await page.getByRole('radio', { name: 'Quality' }).check();
    await page.getByTestId('estimate').getByText(/Expected:/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Compress 1 image' }).click();
    await page.locator('li[data-state="done"]', { hasText: 'garden.png' }).waitFor({ timeout: 60_000 });
    const out = join(twin.outDir, 'garden.aez');
    assert.ok(existsSync(out), 'garden.aez written to the output folder');
    // The estimate was the file: same settings, same bytes.
    assert.ok(Math.abs((await readFile(out)).length / 1000 - kb) < 0.051, `file ${(await readFile(out)).length} B, estimate ${kb} kB`);
    const file = parseAez(new Uint8Array(await readFile(out)));
    assert.deepEqual([file.header.width, file.header.height], [256, 192]);
    await page.getByTestId('after-readout').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('after-readout').innerText(), /256×192 .* bpp .* PSNR/);
    await page.screenshot({ path: join(ARTIFACTS, 'compress-light.png') });
    // Two fingers moving apart zoom in (pointer events as a touch screen sends them).
    const before = await page.locator('.pct').innerText();
    await page.evaluate(() => {
      const v = document.querySelector('.viewport')!;
      const r = v.getBoundingClientRect();
      const cx = r.left + r.width / 2;
      const cy = r.top + r.height / 2;
      const ev = (type: string, id: number, x: number) => v.dispatchEvent(new PointerEvent(type, { pointerId: id, pointerType: 'touch', clientX: x, clientY: cy, button: 0, bubbles: true, isPrimary: id === 1 }));
      ev('pointerdown', 1, cx - 20);
      ev('pointerdown', 2, cx + 20);
      for (let d = 20; d <= 80; d += 10) {
        ev('pointermove', 1, cx - d);
        ev('pointermove', 2, cx + d);
      }
      ev('pointerup', 1, cx - 80);
      ev('pointerup', 2, cx + 80);
    });
    const after = await page.locator('.pct').innerText();
    assert.ok(parseInt(after) > parseInt(before) * 2, `pinch zoomed from ${before} to ${after}`);
  });

  test('restore: the .aez file becomes a PNG of the original size', async () => {
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await addViaDialog(join(twin.outDir, 'garden.aez'));
    await page.locator('li', { hasText: 'garden.aez' }).getByText('Ready').waitFor();
    await page.getByRole('button', { name: 'Restore 1 file' }).click();
    await page.locator('li[data-state="done"]', { hasText: 'garden.aez' }).waitFor({ timeout: 60_000 });
    const out = join(twin.outDir, 'garden-restored.png');
    const meta = await sharp(out).metadata();
    assert.deepEqual([meta.width, meta.height], [256, 192]);
    await page.getByTestId('after-readout').waitFor({ timeout: 30_000 });
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.screenshot({ path: join(ARTIFACTS, 'restore-dark.png') });
  });

  test('restore: a damaged .aez file is refused when added, an image beside it goes to Denoise and says so', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const whole = await readFile(join(twin.outDir, 'garden.aez'));
    const truncated = join(twin.dir, 'cut.aez');
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const copy = join(twin.dir, 'again.aez');
    await writeFile(copy, whole);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('button.dropzone').click()]);
    await chooser.setFiles([copy, truncated, photo]);
    const refused = page.locator('.notice', { hasText: 'cut.aez was not added' });
    await refused.waitFor({ timeout: 10_000 });
    assert.match(await refused.innerText(), /truncat|ends early|damaged|CRC/i);
    await page.locator('.notice', { hasText: '1 image added to Denoise' }).waitFor();
    assert.equal(await page.locator('nav [aria-current="page"]').innerText(), 'Restore', 'Restore stays open');
    await page.locator('li', { hasText: 'again.aez' }).getByText('Ready').waitFor();
    assert.equal(await page.locator('li', { hasText: 'cut.aez' }).count(), 0);
    assert.equal(await page.locator('li', { hasText: 'garden.png' }).count(), 0, 'the image is not in the Restore list');
    await page.screenshot({ path: join(ARTIFACTS, 'restore-mixed-dark.png') });
  });
});
