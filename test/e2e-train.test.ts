// Train mode end to end in headless Chromium against the browser twin: a bad data folder gets a specific
// message; a tiny run starts from the UI, its charts and validation value update, it is stopped, resumed
// to the end, exported, and the model can then be picked in Denoise. Screenshots go to test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { gradientImage, writePng } from './helpers.js';
import { chromiumSkip, openApp, startTwin, type Twin } from './serve-fixture.js';

const ARTIFACTS = resolve('test-artifacts');
const skip = chromiumSkip;
const STEPS = 60;

describe('Train mode in the browser twin', { skip }, () => {
  let twin: Twin;
  let browser: Browser;
  let page: Page;
  let data: string;
  const problems: string[] = [];
  const expectedRefusals: RegExp[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    twin = await startTwin();
    data = join(twin.dir, 'my photos');
    await mkdir(data);
    for (let i = 0; i < 4; i++) await writePng(join(data, `p${i}.png`), gradientImage(48 + 8 * i, 48, 3), 48 + 8 * i, 48, 3);
    ({ browser, page } = await openApp(twin.url, { width: 1280, height: 860 }, expectedRefusals, problems));
  });

  after(async () => {
    await browser?.close();
    await twin?.stop();
  });

  after(() => assert.deepEqual(problems, [], 'the page logged no errors'));

  const stepText = () => page.getByTestId('train-step').innerText();

  test('Ctrl+1…6 open the modes in the order of the tabs', async () => {
    const tabs = await page.getByRole('navigation', { name: 'Modes' }).getByRole('button').allInnerTexts();
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press(`Control+${i + 1}`);
      const current = page.getByRole('navigation', { name: 'Modes' }).locator('[aria-current="page"]');
      assert.equal((await current.innerText()).replace('●', '').trim(), tabs[i].replace('●', '').trim());
    }
  });

  test('a data folder that does not exist fails with a message naming it', async () => {
    await page.keyboard.press('Control+5');
    await page.getByLabel('Run name', { exact: true }).waitFor();
    await page.getByLabel('Run name', { exact: true }).fill('broken');
    await page.getByLabel('Data folder', { exact: true }).fill(join(twin.dir, 'no such folder'));
    await page.getByRole('button', { name: 'Start training' }).click();
    const status = page.getByRole('status').filter({ hasText: 'does not exist' });
    await status.waitFor({ timeout: 30_000 });
    assert.match(await status.innerText(), /The data folder .*no such folder does not exist\. Choose a folder that holds your photos\./);
  });

  test('starts a tiny run, charts it, stops, resumes to the end, exports, and Denoise offers the model', { timeout: 240_000 }, async () => {
    await page.getByLabel('Run', { exact: true }).selectOption('');
    await page.getByLabel('Run name', { exact: true }).fill('garden');
    await page.getByLabel('Data folder', { exact: true }).fill(data);
    await page.getByLabel('Steps', { exact: true }).fill(String(STEPS));
    await page.getByText('Advanced').click();
    await page.getByLabel('Model size').selectOption('tiny');
    await page.getByLabel('Validate every').fill('3');
    await page.getByLabel('Batch', { exact: true }).fill('2');
    await page.getByLabel('Patch', { exact: true }).fill('16');
    assert.match(await page.locator('aside').innerText(), /A folder on the computer running aez serve/);
    await page.getByRole('button', { name: 'Start training' }).click();

    // Charts update and a validation value shows.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points')) >= 4, null, { timeout: 60_000 });
    await page.waitForFunction(() => /dB/.test(document.querySelector('[data-testid="train-val"]')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.getByTestId('train-sample').waitFor();
    assert.ok(Number(await page.getByTestId('val-chart').getAttribute('data-points')) >= 1);
    await page.screenshot({ path: join(ARTIFACTS, 'train-running-light.png') });

    // Stop: it checkpoints and says where it stopped.
    await page.getByRole('button', { name: 'Stop' }).click();
    const stopped = page.getByRole('status').filter({ hasText: 'Stopped at step' });
    await stopped.waitFor({ timeout: 60_000 });
    const at = Number(/Stopped at step (\d+)/.exec(await stopped.innerText())![1]);
    assert.ok(at > 0 && at < STEPS, `stopped at ${at}`);
    const ckpt = JSON.parse(await readFile(join(twin.runsDir, 'garden', 'checkpoint.json'), 'utf8'));
    assert.equal(ckpt.step, at);

    // Resume to the end.
    await page.getByRole('button', { name: `Resume from step ${at}` }).click();
    await page.getByRole('status').filter({ hasText: 'Finished' }).waitFor({ timeout: 120_000 });
    assert.match(await stepText(), new RegExp(`^${STEPS} / ${STEPS}$`));
    assert.equal(JSON.parse(await readFile(join(twin.runsDir, 'garden', 'checkpoint.json'), 'utf8')).step, STEPS);
    assert.ok(Number(await page.getByTestId('val-chart').getAttribute('data-points')) >= STEPS / 3 - 1);
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.screenshot({ path: join(ARTIFACTS, 'train-finished-dark.png') });

    // Export into the models folder; a second export under the same name is refused.
    await page.getByLabel('Model name', { exact: true }).fill('garden-photos');
    await page.getByRole('button', { name: 'Add to Denoise models' }).click();
    await page.getByText('Exported “garden-photos”').waitFor();
    assert.ok(existsSync(join(twin.modelsDir, 'garden-photos', 'model.json')));
    expectedRefusals.push(/already exists/);
    await page.getByRole('button', { name: 'Add to Denoise models' }).click();
    await page.getByText(/A model named "garden-photos" already exists/).waitFor();

    // Denoise lists it.
    await page.keyboard.press('Control+1');
    const radio = page.getByRole('radio', { name: /garden-photos/ });
    await radio.waitFor();
    await radio.check();
    await page.getByText('Estimate the noise level for each image').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'denoise-trained-model-dark.png') });
    await page.getByLabel('Theme').selectOption('light');
    await page.keyboard.press('Control+5');
    await page.getByTestId('loss-chart').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'train-finished-light.png') });
  });
});
