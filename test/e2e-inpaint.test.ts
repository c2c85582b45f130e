// Inpaint mode end to end in headless Chromium against the browser twin: paint a mask with the mouse,
// undo and redo, inpaint (Telea: the twin has no inpainting model), and check the saved file: same size,
// pixels away from the strokes unchanged, pixels under the strokes filled.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, openApp, startTwin, type Twin } from './serve-fixture.js';

const ARTIFACTS = resolve('test-artifacts');

describe('Inpaint mode in the browser twin', { skip: chromiumSkip }, () => {
  let twin: Twin;
  let browser: Browser;
  let page: Page;
  let photo: string;
  const W = 240;
  const H = 160;
  const problems: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    twin = await startTwin();
    photo = join(twin.dir, 'wall.png');
    const px = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 3;
        px[i] = 60 + x / 2;
        px[i + 1] = 90 + y / 2;
        px[i + 2] = 140;
      }
    // A dark scratch across the middle: what the user paints over.
    for (let x = 40; x < 200; x++) for (let y = 78; y < 82; y++) px.fill(10, (y * W + x) * 3, (y * W + x) * 3 + 3);
    await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(photo);
    ({ browser, page } = await openApp(twin.url, { width: 1280, height: 800 }, [], problems));
  });
  after(async () => {
    await browser?.close();
    await twin?.stop();
  });
  after(() => assert.deepEqual(problems, [], 'the page logged no errors'));

  test('paint a mask with the mouse, undo/redo, inpaint, and the saved file keeps the rest exactly', async () => {
    await page.getByRole('button', { name: 'Inpaint', exact: true }).click();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('button.dropzone').click()]);
    await chooser.setFiles(photo);
    await page.locator('li', { hasText: 'wall.png' }).getByText('Ready').waitFor();
    const canvas = page.getByTestId('mask-canvas');
    await page.waitForTimeout(500);
    const box = (await canvas.boundingBox())!;
    // The image is fitted (at most 4×) and centred in the canvas.
    const s = Math.min(box.width / W, box.height / H, 4);
    const ox = box.x + (box.width - W * s) / 2;
    const oy = box.y + (box.height - H * s) / 2;
    const at = (x: number, y: number) => [ox + x * s, oy + y * s] as const;
    await page.getByLabel(/Brush size/).fill('12');
    await page.mouse.move(...at(35, 80));
    await page.mouse.down();
    for (let x = 35; x <= 205; x += 5) await page.mouse.move(...at(x, 80));
    await page.mouse.up();
    await page.waitForFunction(() => /[1-9]\d*\.\d % of the image/.test(document.querySelector('[data-testid="holes"]')?.textContent ?? ''));
    const marked = await page.getByTestId('holes').innerText();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.waitForFunction(() => /^0\.0 %/.test(document.querySelector('[data-testid="holes"]')?.textContent ?? ''));
    await page.getByRole('button', { name: 'Redo' }).click();
    await page.waitForFunction((m) => document.querySelector('[data-testid="holes"]')?.textContent === m, marked);
    await page.screenshot({ path: join(ARTIFACTS, 'inpaint-mask.png') });
    await page.getByRole('button', { name: 'Inpaint wall.png' }).click();
    await page.locator('li[data-state="done"]', { hasText: 'wall.png' }).waitFor({ timeout: 60_000 });
    const out = join(twin.outDir, 'wall-inpainted.png');
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [W, H]);
    const orig = await sharp(photo).raw().toBuffer();
    // Far from the strokes: untouched. On the scratch: filled with something close to the surroundings.
    for (const [x, y] of [[5, 5], [230, 150], [120, 20]]) for (let c = 0; c < 3; c++) assert.equal(data[(y * W + x) * info.channels + c], orig[(y * W + x) * 3 + c]);
    const i = (80 * W + 120) * info.channels;
    assert.ok(data[i] > 80 && data[i + 2] > 100, `scratch filled: ${data[i]},${data[i + 1]},${data[i + 2]}`);
    assert.ok((await readdir(twin.outDir)).includes('wall-inpainted.png'));
    await page.getByTestId('after-readout').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'inpaint-result.png') });
  });
});
