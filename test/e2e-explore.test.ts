// Explore mode end to end in headless Chromium against the browser twin, on the shipped Fashion-MNIST
// autoencoder (models/demo): the scatter and legend, decoding a clicked point, sampling, interpolation,
// the denoising demo, the decoded grid, the loss-vs-latent-size chart, and the AE/VAE and data-set switches;
// the plane's axes, the interpolation strip's labels, and picking its two ends by clicking dots.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, openApp, startTwin, type Twin } from './serve-fixture.js';

const ARTIFACTS = resolve('test-artifacts');
const DEMO = resolve('models/demo');
const skip = chromiumSkip || (existsSync(join(DEMO, 'fashion-ae')) ? false : 'models/demo/fashion-ae is not in this checkout');

describe('Explore mode in the browser twin', { skip }, () => {
  let twin: Twin;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    twin = await startTwin([], { AEZ_DEMO_DIR: DEMO });
    ({ browser, page } = await openApp(twin.url, { width: 1280, height: 860 }, [], problems));
  });
  after(async () => {
    await browser?.close();
    await twin?.stop();
  });
  after(() => assert.deepEqual(problems, [], 'the page logged no errors'));

  test('scatter with legend; a clicked point decodes; sampling, interpolation and denoising work', async () => {
    await page.getByRole('button', { name: 'Explore', exact: true }).click();
    await page.getByTestId('legend').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('legend').innerText(), /Trouser/);
    const plane = page.getByRole('application');
    const box = (await plane.boundingBox())!;
    // Before any click the decoder already shows the first sample's code, not an empty box.
    await page.waitForFunction(() => /z = \(/.test(document.querySelector('[data-testid="cursor"]')?.textContent ?? ''), null, { timeout: 30_000 });
    const first = await page.getByTestId('cursor').innerText();
    // …and its image is drawn (a decoded garment lights up more than a few pixels of the black box).
    await page.waitForFunction(
      () => {
        const c = document.querySelector('[aria-label="Image decoded from the chosen point"] canvas') as HTMLCanvasElement | null;
        if (!c) return false;
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let lit = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i] > 16) lit++;
        return lit > 20;
      },
      null,
      { timeout: 30_000 },
    );
    await page.mouse.click(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.waitForFunction((before) => document.querySelector('[data-testid="cursor"]')?.textContent?.trim() !== before.trim(), first, { timeout: 30_000 });
    await page.keyboard.press('ArrowRight');
    await page.getByRole('button', { name: 'Sample 16' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="samples"] canvas').length === 16, null, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Random pair' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="interpolation"] canvas').length === 10, null, { timeout: 30_000 });
    await page.getByTestId('denoise').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('denoise').innerText(), /noisy .* dB/);
    assert.match(await page.getByTestId('loss-table').innerText(), /2\s+0\.0\d+/);
    // The same rows as a chart, one point per trained latent size.
    const rows = await page.locator('[data-testid="loss-table"] tbody tr').count();
    assert.equal(await page.getByTestId('loss-size-chart').getAttribute('data-points'), String(rows));
    await page.screenshot({ path: join(ARTIFACTS, 'explore-light.png') });
    await page.getByLabel('Decoded grid over the plane').check();
    await page.waitForTimeout(1500);
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.screenshot({ path: join(ARTIFACTS, 'explore-grid-dark.png') });
  });

  test('the VAE switch shows the VAE of the same data; MNIST has its pair; the loss chart has all five sizes', async () => {
    await page.getByRole('button', { name: /^VAE/ }).click();
    await page.getByRole('application', { name: /^Latent space of Fashion-MNIST convolutional variational autoencoder/ }).waitFor({ timeout: 30_000 });
    await page.getByTestId('legend').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500); // the decoded grid redraws for the VAE's plane
    await page.screenshot({ path: join(ARTIFACTS, 'explore-vae-dark.png') });
    await page.getByRole('button', { name: 'MNIST digits' }).click();
    await page.getByRole('application', { name: /^Latent space of MNIST convolutional variational autoencoder/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^Autoencoder/ }).click();
    await page.getByRole('application', { name: /^Latent space of MNIST convolutional autoencoder/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Fashion-MNIST' }).click();
    await page.getByRole('application', { name: /^Latent space of Fashion-MNIST convolutional autoencoder/ }).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="loss-size-chart"]')?.getAttribute('data-points') === '5', null, { timeout: 30_000 });
    await page.getByTestId('loss-size-chart').screenshot({ path: join(ARTIFACTS, 'explore-loss-chart.png') });
  });

  test('the plane has axes; clicking two dots sets the interpolation ends A and B, marked and labelled', async () => {
    await page.getByLabel('Decoded grid over the plane').uncheck();
    const plane = page.getByRole('application');
    const box = (await plane.boundingBox())!;
    // Axes: round-numbered ticks on both, and titles naming the latent dimensions.
    const ticks = async (axis: string) => (await page.getByTestId(axis).locator('text').allTextContents()).slice(0, -1);
    assert.ok((await ticks('x-axis')).length >= 3, `x ticks: ${await ticks('x-axis')}`);
    assert.ok((await ticks('y-axis')).length >= 3, `y ticks: ${await ticks('y-axis')}`);
    for (const t of [...(await ticks('x-axis')), ...(await ticks('y-axis'))]) assert.match(t, /^−?\d+(\.\d+)?$/);
    assert.match(await page.getByTestId('x-axis').textContent() ?? '', /latent dimension 1/);
    assert.match(await page.getByTestId('y-axis').textContent() ?? '', /latent dimension 2/);

    /** A dot near a spot of the plane (fractions of its box): where the hover tip shows, and the test image it names. */
    async function dotNear(fx: number, fy: number): Promise<{ x: number; y: number; index: number }> {
      for (let r = 0; r < 120; r += 4) {
        for (let a = 0; a < 2 * Math.PI; a += Math.PI / 4) {
          const x = box.x + box.width * fx + r * Math.cos(a);
          const y = box.y + box.height * fy + r * Math.sin(a);
          await page.mouse.move(x, y);
          const tip = page.getByTestId('hover');
          if (await tip.isVisible()) {
            const m = /#(\d+)/.exec(await tip.innerText());
            if (m) return { x, y, index: Number(m[1]) };
          }
          if (r === 0) break;
        }
      }
      throw new Error(`no dot near (${fx}, ${fy}) of the plane`);
    }

    // A strip to start from (the model switches above cleared the last one).
    await page.getByRole('button', { name: 'Random pair' }).click();
    await page.getByTestId('interpolation').waitFor({ timeout: 30_000 });
    const before = [await page.getByTestId('interpolation').getAttribute('data-a'), await page.getByTestId('interpolation').getAttribute('data-b')];
    await page.getByRole('button', { name: 'Pick A and B on the plane' }).click();
    assert.equal(await page.getByRole('button', { name: 'Pick A and B on the plane' }).getAttribute('aria-pressed'), 'true');
    assert.match(await page.getByTestId('pick-status').innerText(), /set image A/);
    const a = await dotNear(0.45, 0.45);
    await page.mouse.click(a.x, a.y);
    assert.equal(await page.getByRole('spinbutton', { name: 'Image A' }).inputValue(), String(a.index), 'the first click sets A');
    assert.match(await page.getByTestId('pick-status').innerText(), /set image B/);
    assert.equal(await page.getByTestId('marker-a').getAttribute('data-index'), String(a.index), 'A is marked on the plane');
    assert.equal(await page.getByTestId('marker-b').count(), 0, 'B is still to be picked');
    await page.screenshot({ path: join(ARTIFACTS, 'explore-picking-dark.png') });
    let b = await dotNear(0.75, 0.35);
    if (b.index === a.index) b = await dotNear(0.3, 0.7);
    assert.notEqual(b.index, a.index);
    await page.mouse.click(b.x, b.y);
    assert.equal(await page.getByRole('spinbutton', { name: 'Image B' }).inputValue(), String(b.index), 'the second click sets B');
    assert.equal(await page.getByRole('button', { name: 'Pick A and B on the plane' }).getAttribute('aria-pressed'), 'false', 'picking ends with B');

    // The strip is decoded again for the new ends, labelled with them and with each frame's mixing fraction.
    await page.waitForFunction(
      ([ia, ib]) => {
        const strip = document.querySelector('[data-testid="interpolation"]');
        return strip?.getAttribute('data-a') === ia && strip.getAttribute('data-b') === ib;
      },
      [String(a.index), String(b.index)],
      { timeout: 30_000 },
    );
    assert.notDeepEqual([String(a.index), String(b.index)], before, 'the strip is not the random pair any more');
    assert.equal(await page.locator('[data-testid="interpolation"] canvas').count(), 10);
    const fractions = await page.locator('[data-testid="interpolation"] .t').allTextContents();
    assert.deepEqual(fractions, ['0', '0.11', '0.22', '0.33', '0.44', '0.56', '0.67', '0.78', '0.89', '1']);
    const mix = await page.locator('.mix-ends').innerText();
    assert.match(mix, new RegExp(`A\\s+\\S.* · #${a.index}`));
    assert.match(mix, new RegExp(`#${b.index}\\s+B`));
    assert.match(await page.getByTestId('interp-a-what').innerText(), new RegExp(`#${a.index}$`));
    assert.equal(await page.getByTestId('marker-a').getAttribute('data-index'), String(a.index));
    assert.equal(await page.getByTestId('marker-b').getAttribute('data-index'), String(b.index));
    assert.match(await page.getByTestId('marker-b').textContent() ?? '', new RegExp(`^B · .+ #${b.index}$`));
    await page.screenshot({ path: join(ARTIFACTS, 'explore-pick-dark.png') });
    await page.getByLabel('Theme').selectOption('light');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    await page.screenshot({ path: join(ARTIFACTS, 'explore-pick-light.png') });

    // Escape leaves picking mode without choosing anything.
    await page.getByRole('button', { name: 'Pick A and B on the plane' }).click();
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('pick-status').count(), 0);
    assert.equal(await page.getByRole('spinbutton', { name: 'Image A' }).inputValue(), String(a.index));
  });
});
