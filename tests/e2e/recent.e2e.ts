// Recent photos in real Chromium against browser mode: photos opened earlier are on the first screen after a
// reload and reopen with one click (classified at once) or from the header's Recent menu by keyboard (Explain maps
// it); a photo deleted on disk since is named in a message and leaves the list. The Models view lists one MobileNetV2.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

/** The focused element's text (this file compiles against Node's lib, without the DOM). */
const focusedText = (page: Page): Promise<string> =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement
        ?.textContent ?? '',
  );

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;
const photo = (name: string) => fileFrom(sharedPath('photos', name));
const tool = (page: Page, name: string) => page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name }).click();
const top1 = (page: Page, file: string) => page.getByRole('complementary', { name: `Result for ${file}` }).locator('.top1');
const tiles = (page: Page) => page.getByRole('region', { name: 'Recent photos' }).locator('.tile .name');

async function sizesAndThemes(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ]) {
      await page.setViewportSize({ width: w, height: h });
      await shot(page, `recent-${name}-${w}-${scheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe('recent photos in the browser', { skip }, () => {
  let browser: Browser;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-e2e-recent-'));
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reopens photos from before a reload: a tile classifies the older one, the Recent menu works by keyboard', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await page.setViewportSize({ width: 1440, height: 900 });
    await dragFiles(page, [photo('bird.png')]);
    await top1(page, 'bird.png').filter({ hasText: 'chickadee' }).waitFor({ timeout: 30_000 });
    await dragFiles(page, [photo('cat.png')]);
    await top1(page, 'cat.png').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 30_000 });
    // A photo joins the list once its result is on screen (the engine makes its thumbnail then): the header's menu shows it.
    const menu = page.getByRole('menu', { name: 'Recent photos' });
    await page.getByRole('button', { name: 'Recent', exact: true }).click();
    await menu.getByRole('menuitem').first().filter({ hasText: 'cat.png' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');

    await page.reload();
    await page.getByRole('heading', { name: 'Drop a photo to see what the model sees' }).waitFor({ timeout: 60_000 });
    await page.getByRole('region', { name: 'Recent photos' }).waitFor({ timeout: 30_000 });
    // Newest first (other e2e files may have opened more photos before: only the order of these two matters).
    assert.deepEqual((await tiles(page).allTextContents()).slice(0, 2), ['cat.png', 'bird.png']);
    const thumb = page.getByRole('region', { name: 'Recent photos' }).locator('img').first();
    assert.ok((await thumb.evaluate((img: { naturalWidth: number }) => img.naturalWidth)) > 0, 'the thumbnail is drawn');
    await sizesAndThemes(page, 'welcome');

    // The older one, with one click: classified at once.
    await page.getByRole('button', { name: /^Open bird\.png \(/ }).click();
    await top1(page, 'bird.png').filter({ hasText: 'chickadee' }).waitFor({ timeout: 30_000 });
    assert.match((await page.locator('header.head p').first().textContent()) ?? '', /bird\.png/);

    // In Explain, from the header's menu, by keyboard only: the chosen photo becomes Explain's photo and is mapped.
    await tool(page, 'Explain');
    const recentButton = page.getByRole('button', { name: 'Recent', exact: true });
    await recentButton.focus();
    await page.keyboard.press('ArrowDown');
    await menu.waitFor();
    const items = menu.getByRole('menuitem');
    assert.match((await items.nth(0).textContent()) ?? '', /bird\.png/, 'the photo reopened last is first');
    assert.match((await items.nth(1).textContent()) ?? '', /cat\.png/);
    await page.keyboard.press('ArrowDown');
    assert.match(await focusedText(page), /cat\.png/);
    await sizesAndThemes(page, 'menu-explain');
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    await page.locator('header.head p').filter({ hasText: 'cat.png' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('cam-image').waitFor({ timeout: 60_000 });
    await page.locator('figcaption').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 60_000 });
    // Esc closes the menu and gives the focus back to its button.
    await recentButton.focus();
    await page.keyboard.press('Enter');
    await menu.waitFor();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    assert.equal((await focusedText(page)).trim(), 'Recent');

    // Create: the menu is there too, and the photo becomes Create's photo.
    await tool(page, 'Create');
    await page.getByRole('button', { name: 'Recent', exact: true }).click();
    await menu.getByRole('menuitem', { name: /bird\.png/ }).click();
    await page.getByRole('group', { name: 'Photo' }).getByText('bird.png').waitFor({ timeout: 30_000 });
    await sizesAndThemes(page, 'create');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('names a photo deleted on disk since it was opened and takes it off the list', async () => {
    // The desktop app's preload tells the page where a file lives (Electron's webUtils.getPathForFile); browser mode
    // cannot, so this page gets the same one-function bridge, pointing at copies of the photos in a temp folder.
    const dragonfly = path.join(dir, 'dragonfly.png');
    const sunflower = path.join(dir, 'sunflower.png');
    fs.copyFileSync(sharedPath('photos', 'dragonfly.png'), dragonfly);
    fs.copyFileSync(sharedPath('photos', 'sunflower.png'), sunflower);
    const { context, page, errors } = await openStudio(browser, 'dark');
    // A string, not a function: tsx would wrap a function's inner arrows in its __name helper, unknown in the page.
    const paths = JSON.stringify({ 'dragonfly.png': dragonfly, 'sunflower.png': sunflower });
    await page.addInitScript(`window.studioFiles = { pathOf: (f) => (${paths})[f.name] || '' };`);
    await page.reload();
    await page.getByRole('combobox', { name: 'Model' }).waitFor({ timeout: 60_000 });
    await page.setViewportSize({ width: 1440, height: 900 });
    await dragFiles(page, [fileFrom(dragonfly)]);
    await top1(page, 'dragonfly.png').waitFor({ timeout: 30_000 });
    await dragFiles(page, [fileFrom(sunflower)]);
    await top1(page, 'sunflower.png').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Clear' }).click();
    const recentRegion = page.getByRole('region', { name: 'Recent photos' });
    await recentRegion.getByText('dragonfly.png').waitFor({ timeout: 30_000 });
    // Reopened from its place on disk: the tooltip says where.
    assert.equal(await page.getByRole('button', { name: /^Open dragonfly\.png \(/ }).getAttribute('title'), dragonfly);

    fs.rmSync(dragonfly);
    await page.getByRole('button', { name: /^Open dragonfly\.png \(/ }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'dragonfly.png is gone' });
    await alert.waitFor({ timeout: 30_000 });
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /deleted or moved since it was opened/);
    assert.ok(text.includes(dragonfly), `the message names where it was: ${text}`);
    await recentRegion.getByText('dragonfly.png').waitFor({ state: 'detached' });
    await recentRegion.getByText('sunflower.png').waitFor();
    // Nothing else happened: no photo was opened, the first screen is still there.
    await page.getByRole('heading', { name: 'Drop a photo to see what the model sees' }).waitFor();
    await sizesAndThemes(page, 'deleted');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('lists one MobileNetV2: the bundled one, ready; the catalog does not offer the same network again', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await tool(page, 'Models');
    const ready = page.getByRole('region', { name: 'Ready to use' });
    const catalog = page.getByRole('region', { name: 'Catalog' });
    await catalog.waitFor();
    assert.equal(
      await ready
        .locator('.name')
        .filter({ hasText: /^\s*MobileNetV2\b/ })
        .count(),
      1,
    );
    assert.equal(
      await catalog
        .locator('.name')
        .filter({ hasText: /^\s*MobileNetV2\b/ })
        .count(),
      0,
    );
    await catalog.locator('.name').filter({ hasText: 'SqueezeNet 1.1' }).waitFor();
    await sizesAndThemes(page, 'models');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
