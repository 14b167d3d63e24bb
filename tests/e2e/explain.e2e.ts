// Explain in real Chromium against browser mode: drop a photo, open Explain, switch class and colormap,
// export; the exported PNG carries its provenance chunks. Then the adversarial and class-visualisation tabs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { readProvenance } from '../../main/techniques/shared/provenance';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;

describe('explain in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('drop, open Explain, switch class and colormap, export a PNG with provenance', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await dragFiles(page, [fileFrom(sharedPath('photos', 'cat.png'))]);
    await page
      .getByRole('complementary', { name: 'Result for cat.png' })
      .locator('.top1')
      .filter({ hasText: 'Egyptian cat' })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Explain' }).click();
    const img = page.getByTestId('cam-image');
    await img.waitFor({ timeout: 60_000 });
    const caption = page.locator('figcaption');
    await caption.filter({ hasText: 'Egyptian cat' }).waitFor();
    assert.match((await caption.textContent()) ?? '', /gradcam on out_relu/);
    await shot(page, 'explain-01-gradcam');

    // Second class of the top-k, in one click.
    const chips = page.getByRole('radiogroup', { name: 'Class among the top-k' }).getByRole('radio');
    const second = ((await chips.nth(1).locator('.name').textContent()) ?? '').trim();
    await chips.nth(1).click();
    await caption.filter({ hasText: second }).waitFor({ timeout: 60_000 });
    await chips.nth(1).and(page.locator('[aria-checked="true"]')).waitFor();

    const before = await img.getAttribute('src');
    await page.getByRole('combobox', { name: 'Colormap' }).selectOption('viridis');
    for (let i = 0; i < 300 && (await img.getAttribute('src')) === before; i++) await page.waitForTimeout(100);
    assert.notEqual(await img.getAttribute('src'), before, 'the overlay was re-rendered');
    await shot(page, 'explain-02-second-class-viridis');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    const bytes = Buffer.concat((await (await download.createReadStream()).toArray()) as Buffer[]);
    const prov = readProvenance(bytes);
    assert.ok(prov, 'the exported PNG has provenance chunks');
    assert.equal(prov.technique, 'cam');
    assert.equal(prov.method, 'gradcam');
    assert.equal(prov.layer, 'out_relu');
    assert.equal((prov.parameters as { colormap: string }).colormap, 'viridis');
    assert.ok(prov.class && prov.class.label.startsWith(second), `exported class ${prov.class?.label} is the one picked (${second})`);
    assert.match(prov.modelSha256, /^[0-9a-f]{64}$/);
    assert.match(download.suggestedFilename(), /^cat-gradcam-\d+\.png$/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('attacks the photo (FGSM) and builds a class visualisation, in dark', async () => {
    const { context, page, errors } = await openStudio(browser, 'dark');
    await dragFiles(page, [fileFrom(sharedPath('photos', 'bird.png'))]);
    await page
      .getByRole('complementary', { name: 'Result for bird.png' })
      .locator('.top1')
      .filter({ hasText: 'chickadee' })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Explain' }).click();
    await page.getByTestId('cam-image').waitFor({ timeout: 30_000 });
    await shot(page, 'explain-03-dark');
    await page.getByRole('tab', { name: 'Adversarial' }).click();
    await page.getByRole('button', { name: 'Attack', exact: true }).click();
    await page.locator('figcaption').filter({ hasText: 'top-1 flipped' }).waitFor({ timeout: 120_000 });
    await page.getByRole('table').first().waitFor();
    await shot(page, 'explain-04-adversarial');

    await page.getByRole('tab', { name: 'Class visualisation' }).click();
    await page.getByRole('spinbutton', { name: 'Steps' }).fill('10');
    await page.getByRole('button', { name: 'Visualise' }).click();
    await page.locator('img.pixel').waitFor({ timeout: 120_000 });
    await page.locator('figcaption').filter({ hasText: 'after 10 steps' }).waitFor({ timeout: 120_000 });
    await shot(page, 'explain-05-visualise');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
