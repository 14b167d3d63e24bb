// History in real Chromium against browser mode: a classification and a CAM land in the log and show up in
// History; a run's detail opens; re-run reproduces the result; two runs compare with the A/B wipe slider.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;

describe('history in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('shows a classification and a CAM, re-runs one identically, and compares two with the wipe slider', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    const tools = page.getByRole('navigation', { name: 'Tools' });
    // A classification (classify.image) and a Grad-CAM (explain job) of the same photo.
    await dragFiles(page, [fileFrom(sharedPath('photos', 'cat.png'))]);
    await page
      .getByRole('complementary', { name: 'Result for cat.png' })
      .locator('.top1')
      .filter({ hasText: 'Egyptian cat' })
      .waitFor({ timeout: 30_000 });
    await tools.getByRole('button', { name: 'Explain' }).click();
    await page.getByTestId('cam-image').waitFor({ timeout: 60_000 });
    await tools.getByRole('button', { name: 'Classify' }).click();
    await dragFiles(page, [fileFrom(sharedPath('photos', 'sunflower.png'))]);
    await page.getByRole('complementary', { name: 'Result for sunflower.png' }).locator('.top1').waitFor({ timeout: 30_000 });

    await tools.getByRole('button', { name: 'History' }).click();
    await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
    const list = page.getByRole('listbox', { name: 'Runs' });
    const rows = list.getByRole('option');
    await rows.filter({ hasText: 'explain-cam' }).first().waitFor({ timeout: 30_000 });
    const classifyRows = rows.filter({ hasText: /^(?!.*classify-batch).*classify ·/ });
    await classifyRows.nth(1).waitFor();
    await shot(page, 'history-01-list');

    // Detail of the cat classification, then re-run it: the new run's top-1 is the same.
    const cat = rows.filter({ hasText: 'cat.png' }).filter({ hasText: 'classify ·' }).first();
    await cat.click();
    const detail = page.getByRole('article').first();
    const firstResult = detail.locator('table.items tr').first();
    await firstResult.waitFor();
    const original = ((await firstResult.textContent()) ?? '').trim();
    assert.match(original, /cat\.png.*Egyptian cat/);
    await shot(page, 'history-02-detail');
    // The list is virtualised (only visible rows exist in the DOM) and other e2e files add runs to the same
    // engine meanwhile, so count through the total the filter bar shows, and find the re-run by its label.
    const total = async () => Number(/\d+/.exec((await page.locator('.count').first().textContent()) ?? '0')![0]);
    const before = await total();
    const catRuns = async () => rows.filter({ hasText: 'cat.png' }).filter({ hasText: 'classify ·' }).count();
    const catBefore = await catRuns();
    await detail.getByRole('button', { name: 'Re-run' }).click();
    for (let i = 0; i < 600 && (await catRuns()) === catBefore; i++) await page.waitForTimeout(100);
    assert.equal(await catRuns(), catBefore + 1, 'the re-run appears in the list');
    assert.ok((await total()) > before, 'the total counts the re-run');
    await rows.first().click();
    const rerun = detail.locator('table.items tr').first();
    await rerun.waitFor();
    assert.equal(((await rerun.textContent()) ?? '').trim(), original);

    // Compare: the selected run is A; Ctrl+click the sunflower run as B; drag the wipe.
    await rows
      .filter({ hasText: 'sunflower.png' })
      .first()
      .click({ modifiers: ['Control'] });
    const compare = page.getByRole('article', { name: 'Compare runs' });
    await compare.waitFor();
    const wipe = compare.getByRole('slider', { name: 'A/B wipe position' });
    await wipe.fill('20');
    const top = compare.getByRole('img', { name: 'Run A' });
    for (let i = 0; i < 50 && !((await top.getAttribute('style')) ?? '').includes('80%'); i++) await page.waitForTimeout(50);
    assert.match((await top.getAttribute('style')) ?? '', /inset\(0(px)? 80% 0(px)? 0(px)?\)/);
    await shot(page, 'history-03-compare-wipe');
    await compare.getByRole('radio', { name: 'difference' }).click();
    await compare.getByRole('img', { name: 'Difference of A and B' }).waitFor();
    await shot(page, 'history-04-compare-difference');
    await compare.getByRole('button', { name: 'Close' }).click();

    // Re-run the CAM (a job with the logged parameters and photo): its image is identical to the original's.
    const cams = rows.filter({ hasText: 'explain-cam' });
    await cams.first().click();
    const camCount = await cams.count();
    await detail.getByRole('button', { name: 'Re-run' }).click();
    for (let i = 0; i < 300 && (await cams.count()) === camCount; i++) await page.waitForTimeout(100);
    assert.equal(await cams.count(), camCount + 1, 'the CAM re-run appears in the list');
    const newest = cams.first();
    await newest.getByText('done').waitFor({ timeout: 60_000 });
    await newest.click();
    await cams.nth(1).click({ modifiers: ['Control'] });
    await compare.getByRole('radio', { name: 'difference' }).click();
    await compare.getByText('Mean |A − B| = 0.00 / 255').waitFor({ timeout: 30_000 });
    await shot(page, 'history-05-cam-rerun-identical');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
