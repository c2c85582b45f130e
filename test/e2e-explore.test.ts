// Explore mode end to end in headless Chromium against the browser twin, on the shipped Fashion-MNIST
// autoencoder (models/demo): the scatter and legend, decoding a clicked point, sampling, interpolation,
// the denoising demo, the decoded grid, the loss-vs-latent-size chart, and the AE/VAE and data-set switches.
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
});
