// Inpaint mode end to end in headless Chromium against the browser twin: paint a mask with the mouse,
// undo and redo, inpaint (Telea: the twin has no inpainting model), and check the saved file: same size,
// pixels away from the strokes unchanged, pixels under the strokes filled. Then zoom (keys and buttons, as
// in the compare view), paint while zoomed, pan with Space+drag and the middle button, and check the mask
// the page sends: the strokes land on the image pixels they were drawn over, and panning painted nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
  /** The twin's temporary folder, where its uploads (the masks the page sends) land. */
  let twinTmp: string;
  const W = 240;
  const H = 160;
  const problems: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    twinTmp = await mkdtemp(join(tmpdir(), 'aez-inpaint-tmp-'));
    twin = await startTwin([], { TMPDIR: twinTmp });
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
    if (twinTmp) await rm(twinTmp, { recursive: true, force: true });
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

  /** The mask the page sent with the latest Inpaint: each upload is a numbered folder of the twin's session. */
  async function latestMask(): Promise<{ data: Buffer; width: number; height: number }> {
    const session = (await readdir(twinTmp)).find((n) => n.startsWith('aez-session-'));
    assert.ok(session, 'the twin made a session folder for uploads');
    const dir = join(twinTmp, session);
    const uploads = (await readdir(dir)).map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => b - a);
    const latest = uploads.map((n) => join(dir, String(n), 'wall-mask.png')).find((p) => existsSync(p));
    assert.ok(latest, 'a mask was uploaded');
    const { data, info } = await sharp(latest).greyscale().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  }

  test('zoom with the keys and buttons, paint exactly while zoomed, pan without painting, in both themes', async () => {
    await page.getByRole('button', { name: 'Edit the mask again' }).click();
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await page.waitForFunction(() => /^0\.0 %/.test(document.querySelector('[data-testid="holes"]')?.textContent ?? ''));
    const canvas = page.getByTestId('mask-canvas');
    const box = (await canvas.boundingBox())!;
    const readout = page.getByTestId('zoom-readout');
    const percent = async () => Number((await readout.innerText()).replace(/[^\d]/g, ''));
    const fitScale = Math.min(box.width / W, box.height / H, 4);
    assert.equal(await percent(), Math.round(fitScale * 100), 'fitted at first');

    // The same keys as the compare view, on the focused editor, and the same + button.
    await page.getByRole('application', { name: /hole mask/ }).focus();
    await page.keyboard.press('+');
    assert.equal(await percent(), Math.round(fitScale * 125), '+ zooms in one step');
    await page.getByRole('button', { name: 'Zoom in (+)' }).click();
    const scale = fitScale * 1.25 * 1.25;
    assert.equal(await percent(), Math.round(scale * 100), 'the + button zooms in one more step');

    // Both zooms kept the viewport's centre still, and the fitted image was centred there.
    const view = { x: box.width / 2 - (W / 2) * scale, y: box.height / 2 - (H / 2) * scale };
    const at = (x: number, y: number) => [box.x + view.x + x * scale, box.y + view.y + y * scale] as const;
    await page.getByLabel(/Brush size/).fill('6');
    // A thin stroke along the scratch (image row 80, columns 60 to 180).
    await page.mouse.move(...at(60, 80));
    await page.mouse.down();
    for (let x = 60; x <= 180; x += 4) await page.mouse.move(...at(x, 80));
    await page.mouse.up();
    await page.waitForFunction(() => !/^0\.0 %/.test(document.querySelector('[data-testid="holes"]')?.textContent ?? ''));
    const marked = await page.getByTestId('holes').innerText();
    const zoomed = await canvas.screenshot();

    // Pan with Space+drag, then with a middle-button drag: the view moves, the mask does not change.
    await page.mouse.move(...at(70, 40));
    await page.keyboard.down('Space');
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(at(70, 40)[0] + 15 * k, at(70, 40)[1] + 8 * k);
    await page.mouse.up();
    await page.keyboard.up('Space');
    view.x += 150;
    view.y += 80;
    await page.mouse.move(...at(150, 110));
    await page.mouse.down({ button: 'middle' });
    for (let k = 1; k <= 10; k++) await page.mouse.move(at(150, 110)[0] - 6 * k, at(150, 110)[1] - 4 * k);
    await page.mouse.up({ button: 'middle' });
    view.x -= 60;
    view.y -= 40;
    assert.equal(await page.getByTestId('holes').innerText(), marked, 'panning painted nothing');
    assert.equal(await percent(), Math.round(scale * 100), 'panning kept the zoom');
    assert.notDeepEqual(await canvas.screenshot(), zoomed, 'the view moved');

    // A dot after the pans lands on the image pixel under the pointer.
    await page.mouse.click(...at(100, 120)); // (too small to move the percentage: the mask below shows it)
    await page.mouse.move(...at(130, 60)); // the brush outline, zoomed with the image, shows in the screenshots
    await page.screenshot({ path: join(ARTIFACTS, 'inpaint-zoomed-light.png') });
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.mouse.move(...at(131, 60));
    await page.screenshot({ path: join(ARTIFACTS, 'inpaint-zoomed-dark.png') });

    // Inpaint again and read the mask the page sent, in image pixels.
    await page.getByRole('button', { name: 'Inpaint wall.png' }).click();
    // The second result gets a name of its own (never over the first); then the item is done again.
    for (let i = 0; i < 600 && (await readdir(twin.outDir)).length < 2; i++) await page.waitForTimeout(100);
    assert.equal((await readdir(twin.outDir)).length, 2, 'inpainted again');
    await page.locator('li[data-state="done"]', { hasText: 'wall.png' }).waitFor({ timeout: 60_000 });
    const mask = await latestMask();
    assert.deepEqual([mask.width, mask.height], [W, H]);
    const hole = (x: number, y: number) => mask.data[y * W + x] > 127;
    // The zoomed stroke: row 80 from column 60 to 180, 6 pixels wide (rows 77–83), nothing beyond.
    for (let x = 60; x <= 180; x += 10) assert.ok(hole(x, 80) && hole(x, 78) && hole(x, 82), `stroke covers (${x}, 78–82)`);
    for (const [x, y] of [[120, 74], [120, 86], [52, 80], [188, 80]]) assert.ok(!hole(x, y), `no hole at (${x}, ${y}) beside the stroke`);
    // Where the pans started (the image points under the pointer while dragging): nothing painted.
    for (const [x, y] of [[70, 40], [75, 43], [150, 110], [145, 107]]) assert.ok(!hole(x, y), `the pan painted nothing at (${x}, ${y})`);
    // The dot after the pans, 6 pixels across at (100, 120).
    assert.ok(hole(100, 120) && hole(98, 120) && hole(100, 122), 'the dot after the pans is where it was clicked');
    for (const [x, y] of [[100, 115], [100, 125], [95, 120], [105, 120]]) assert.ok(!hole(x, y), `the dot is no bigger than the brush (${x}, ${y})`);
    let holes = 0;
    for (const v of mask.data) if (v > 127) holes++;
    assert.ok(holes > 121 * 6 && holes < 130 * 7 + 40, `only the stroke and the dot are marked (${holes} pixels)`);
  });
});
