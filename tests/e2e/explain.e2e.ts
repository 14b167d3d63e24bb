// Explain in real Chromium against browser mode: drop a photo, open Explain, switch class and colormap,
// export; the exported PNG carries its provenance chunks. Then the adversarial and class-visualisation tabs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { readProvenance } from '../../main/techniques/shared/provenance';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

/** A JPEG cut in half, as a download that stopped part-way leaves it. */
async function brokenJpeg(): Promise<Buffer> {
  const whole = await sharp(sharedPath('photos', 'bird.png')).jpeg({ quality: 90 }).toBuffer();
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/** The element lies inside the viewport (nothing to scroll to see it) and left of the parameter column. */
async function onStage(page: Page, el: Locator): Promise<void> {
  const box = (await el.boundingBox())!;
  const vp = page.viewportSize()!;
  const controls = (await page.locator('aside.controls').boundingBox())!;
  assert.ok(box.y >= 0 && box.y + box.height <= vp.height, `in view: ${JSON.stringify(box)} in ${vp.width}×${vp.height}`);
  assert.ok(box.x + box.width <= controls.x + 1, `on the stage, left of the controls (${box.x + box.width} vs ${controls.x})`);
}

/** The browser global the style checks use (this file compiles against Node's lib, without the DOM). */
interface PageWindow {
  getComputedStyle(el: unknown): { opacity: string };
}

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

  it('a broken photo after a heat map: the error on the stage in plain words, the old heat map dimmed', async () => {
    const broken = { name: 'broken.jpg', bytes: await brokenJpeg() };
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page } = await openStudio(browser, scheme);
      await page.setViewportSize({ width: 1440, height: 900 });
      await dragFiles(page, [fileFrom(sharedPath('photos', 'bird.png'))]);
      await page.locator('.top1').filter({ hasText: 'chickadee' }).waitFor({ timeout: 30_000 });
      await page.keyboard.press('2');
      await page.getByTestId('cam-image').waitFor({ timeout: 60_000 });
      // Outside Classify and Models the model is a chip in the header, not a side panel.
      assert.equal(await page.getByRole('complementary', { name: 'Parameters', exact: true }).count(), 0, 'no model side panel');
      assert.match((await page.getByRole('combobox', { name: 'Model' }).locator('option:checked').textContent()) ?? '', /mobilenet/i);

      await dragFiles(page, [broken]);
      const alert = page.getByRole('alert', { name: 'Could not compute the heat map for broken.jpg' });
      await alert.waitFor({ timeout: 30_000 });
      const text = (await alert.textContent()) ?? '';
      assert.match(text, /broken\.jpg/);
      assert.match(text, /incomplete/i, text);
      assert.doesNotMatch(text, /vips|libjpeg|sharp|Input buffer/i, text);
      assert.match(text, /earlier one, for bird\.png/);
      await onStage(page, alert);
      // The bird's heat map is still there only dimmed, and says what it is.
      const stale = page.getByRole('figure', { name: 'Earlier heat map (dimmed)' });
      await stale.waitFor();
      const opacity = Number(
        await stale.locator('img').evaluate((el) => (globalThis as unknown as PageWindow).getComputedStyle(el).opacity),
      );
      assert.ok(opacity < 0.5, `the earlier heat map is dimmed (opacity ${opacity})`);
      await page.getByRole('heading', { name: 'Explain', exact: true }).waitFor();
      await shot(page, `explain-06-broken-1440-${scheme}`);

      await page.setViewportSize({ width: 1024, height: 700 });
      await onStage(page, alert);
      await page.getByRole('button', { name: 'Run', exact: true }).waitFor();
      await shot(page, `explain-07-broken-1024-${scheme}`);

      // A good photo again: the error goes, the heat map is current (not dimmed).
      await dragFiles(page, [fileFrom(sharedPath('photos', 'cat.png'))]);
      await page.locator('figcaption').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 60_000 });
      assert.equal(await alert.count(), 0, 'the error is gone');
      assert.equal(await stale.count(), 0, 'the new heat map is not dimmed');
      await context.close();
    }
  });
});
