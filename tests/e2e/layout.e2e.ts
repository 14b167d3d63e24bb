// Layout in real Chromium against browser mode: the model side panel shows only in Classify and Models
// (Explain and Create carry a model chip in their header), Explain and Create fit 1024×700 with Run in
// view, the shortcuts dialog covers every tool, and Ctrl+Enter / Esc run and cancel in Explain.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

/** The page's DOM, as far as these checks use it (this file compiles against Node's lib, without the DOM). */
interface PageDom {
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
}

async function inView(page: Page, el: Locator, what: string): Promise<void> {
  const box = await el.boundingBox();
  const vp = page.viewportSize()!;
  assert.ok(box, `${what} is shown`);
  assert.ok(
    box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height,
    `${what} in view at ${vp.width}×${vp.height}`,
  );
}

/** Nothing wider than the window, the header's tools on one row and inside it, the stage wider than the controls. */
async function fits(page: Page, view: string): Promise<void> {
  const vp = page.viewportSize()!;
  const overflow = await page.evaluate(() => {
    const d = (globalThis as unknown as PageDom).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
  assert.ok(overflow <= 0, `${view}: no horizontal scroll at ${vp.width}×${vp.height}`);
  assert.equal(await page.getByRole('complementary', { name: 'Parameters', exact: true }).count(), 0, `${view}: no model side panel`);
  await inView(page, page.getByRole('combobox', { name: 'Model' }), `${view}: the model chip`);
  const header = (await page.locator('header.head').boundingBox())!;
  assert.ok(header.height <= 64, `${view}: the header is one row (${header.height} px)`);
  const stage = (await page.locator('.body > .stage').boundingBox())!;
  const controls = (await page.locator('aside.controls').boundingBox())!;
  assert.ok(stage.width > controls.width * 1.8, `${view}: the stage (${stage.width} px) is the main area (controls ${controls.width} px)`);
}

describe('layout in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('the model panel only in Classify and Models; Explain and Create fit 1024×700 with a model chip, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await openStudio(browser, scheme);
      await dragFiles(page, [fileFrom(sharedPath('photos', 'cat.png'))]);
      await page.locator('.top1').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 30_000 });
      await page.getByRole('complementary', { name: 'Parameters', exact: true }).waitFor();
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await page.keyboard.press('2');
        await page.getByTestId('cam-image').waitFor({ timeout: 60_000 });
        await fits(page, 'Explain');
        await inView(page, page.getByRole('button', { name: 'Run', exact: true }), 'Explain: Run');
        await inView(page, page.getByTestId('cam-image'), 'Explain: the heat map');
        await shot(page, `layout-explain-${size.width}-${scheme}`);

        await page.keyboard.press('3');
        await page.getByRole('heading', { name: 'Create', exact: true }).waitFor();
        await fits(page, 'Create');
        await inView(page, page.getByRole('button', { name: 'Run', exact: true }), 'Create: Run');
        await shot(page, `layout-create-${size.width}-${scheme}`);
      }
      // The panel is back in Classify and Models.
      await page.keyboard.press('1');
      await page.getByRole('complementary', { name: 'Parameters', exact: true }).waitFor();
      await page.keyboard.press('6');
      await page.getByRole('complementary', { name: 'Parameters', exact: true }).waitFor();
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  it('the model chip changes the model everywhere and leads to Models', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await page.keyboard.press('3');
    const chip = page.getByRole('combobox', { name: 'Model' });
    await chip.selectOption('tiny_darknet_224');
    await page.keyboard.press('1');
    assert.equal(
      await page.getByRole('combobox', { name: 'Model' }).inputValue(),
      'tiny_darknet_224',
      'Classify uses the model picked in the chip',
    );
    await page.keyboard.press('2');
    await page.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Manage models…' });
    await page.getByRole('region', { name: 'Ready to use' }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Model' }).inputValue(), 'tiny_darknet_224', 'Manage models… changes no model');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('the shortcuts dialog covers every tool; Ctrl+Enter runs and Esc cancels in Explain', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await openStudio(browser, scheme);
      await page.setViewportSize({ width: 1024, height: 700 });
      await page.keyboard.press('2');
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      for (const group of ['Everywhere', 'Classify', 'Explain and Create', 'Train', 'History'])
        await dialog.getByRole('region', { name: group }).waitFor();
      const text = (await dialog.textContent()) ?? '';
      for (const words of ['Switch tool', 'Run the open tool', 'Cancel the running job', 'Start training', 'Export results as CSV'])
        assert.ok(text.includes(words), `the dialog lists "${words}"`);
      await inView(page, dialog, 'the shortcuts dialog');
      await shot(page, `layout-shortcuts-1024-${scheme}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      if (scheme === 'light') {
        await page.getByRole('tab', { name: 'Class visualisation' }).click();
        const steps = page.getByRole('spinbutton', { name: 'Steps' });
        await steps.fill('2000');
        await page.keyboard.press('Control+Enter'); // commits the typed steps, then runs
        const progress = page.getByRole('progressbar', { name: 'Visualise progress' });
        await progress.waitFor({ timeout: 30_000 });
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'Visualise', exact: true }).waitFor({ timeout: 10_000 });
        assert.equal(await progress.count(), 0, 'the run stopped');
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});
