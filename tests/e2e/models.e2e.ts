// Models in the browser: first run with no model on disk, importing an .onnx with its sidecar by drop,
// a broken model file, and a lost engine connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;

describe('models in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('first run without a model says what to do, with buttons', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await openStudio(browser, scheme, { hideLocalModels: true });
      await page
        .getByRole('heading', { name: /No model on disk yet — download MobileNetV2 \(\d+ MB\) or import an \.onnx\./ })
        .waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Download MobileNetV2' }).waitFor();
      await page.getByRole('button', { name: 'Import .onnx…' }).first().waitFor();
      await shot(page, `11-no-model-${scheme}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  it('imports a dropped .onnx with its sidecar .json, uses it, and explains a broken one', async () => {
    const { context, page, errors } = await openStudio(browser, 'light', { hideLocalModels: true });
    await page.getByRole('heading', { name: /No model on disk yet/ }).waitFor({ timeout: 30_000 });
    await dragFiles(page, [fileFrom(sharedPath('mobilenet_v2_1.0_224.onnx')), fileFrom(sharedPath('mobilenet_v2_1.0_224.json'))]);
    await page
      .getByRole('status')
      .filter({ hasText: /Imported \S+/ })
      .waitFor({ timeout: 60_000 });
    // The imported model is in use and listed as imported, with editable settings.
    await page.getByRole('region', { name: 'Ready to use' }).getByText('Imported').waitFor();
    await page.getByRole('button', { name: /^Edit settings of / }).click();
    const editor = page.getByRole('dialog', { name: /^Settings of / });
    await editor.waitFor();
    assert.equal(await editor.getByLabel('Scale (pixel × scale)').inputValue(), '1');
    await shot(page, '12-model-editor-light');
    await editor.getByLabel('Name').fill('MobileNetV2 (shared copy)');
    await editor.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Model settings saved' }).waitFor({ timeout: 30_000 });
    await page.getByRole('combobox', { name: 'Model' }).filter({ hasText: 'MobileNetV2 (shared copy)' }).waitFor();
    await shot(page, '13-models-imported-light');

    await dragFiles(page, [fileFrom(sharedPath('photos', 'bird.png'))]);
    await page.locator('.top1').filter({ hasText: 'chickadee' }).waitFor({ timeout: 30_000 });

    await dragFiles(page, [{ name: 'garbage.onnx', bytes: Buffer.from('not a protobuf, not a model') }]);
    const toast = page.getByRole('alert').filter({ hasText: 'garbage.onnx: could not import' });
    await toast.waitFor({ timeout: 30_000 });
    assert.ok(((await toast.textContent()) ?? '').length > 'garbage.onnx: could not import'.length + 5, 'the reason is given');
    await shot(page, '14-broken-model-light');

    // Removing the only model brings back the first-run card.
    await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Models' }).click();
    await page.getByRole('button', { name: 'Remove MobileNetV2 (shared copy)' }).click();
    await page.getByRole('button', { name: 'Confirm removing MobileNetV2 (shared copy)' }).click();
    await page.getByRole('status').filter({ hasText: 'Removed MobileNetV2 (shared copy)' }).waitFor({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Classify' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('heading', { name: /No model on disk yet/ }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('shows download progress with a Cancel button', async () => {
    const { context, page, errors } = await openStudio(browser, 'light', { hideLocalModels: true, fakeDownload: true });
    await page.getByRole('button', { name: 'Download MobileNetV2' }).click();
    await page.getByRole('heading', { name: 'Downloading MobileNetV2…' }).waitFor();
    await page.getByRole('progressbar', { name: 'Model download' }).and(page.locator('[aria-valuenow="40"]')).waitFor();
    await shot(page, '16-downloading-light');
    await page.getByRole('button', { name: 'Cancel' }).first().click();
    await page.getByRole('button', { name: 'Download MobileNetV2' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('shows a banner when the engine connection drops', async () => {
    const { context, page, dropConnection } = await openStudio(browser, 'dark');
    await dropConnection();
    await page.getByRole('alert').filter({ hasText: 'Lost the connection to the engine.' }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Reload to reconnect' }).waitFor();
    await shot(page, '15-connection-lost-dark');
    await context.close();
  });
});
