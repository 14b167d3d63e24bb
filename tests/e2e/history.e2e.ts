// History in real Chromium against browser mode: a classification and a CAM land in the log and show up in
// History; a run's detail opens; re-run reproduces the result; two runs compare with the A/B wipe slider.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

/** The browser global the style checks use (this file compiles against Node's lib, without the DOM). */
interface PageWindow {
  getComputedStyle(el: unknown): { objectFit: string };
}

/** Drags on the picture from its middle to `at` (0–1) of its width: the wipe follows the pointer. */
async function dragWipeTo(page: Page, picture: Locator, at: number): Promise<void> {
  const box = (await picture.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + (box.width * (at + 0.5)) / 2, y, { steps: 4 });
  await page.mouse.move(box.x + box.width * at, y, { steps: 4 });
  await page.mouse.up();
}

/** How much of run A the wipe hides, in % of its width from the right (its clip-path inset). */
async function wipeCut(a: Locator): Promise<number> {
  const m = /inset\(0(?:px)? ([\d.]+)%/.exec((await a.getAttribute('style')) ?? '');
  assert.ok(m, 'run A is clipped by the wipe');
  return Number(m[1]);
}

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
    await list.locator('[data-kind="explain-cam"]').first().waitFor({ timeout: 30_000 });
    const classifyRows = list.locator('[data-kind="classify"]');
    await classifyRows.nth(1).waitFor();
    await shot(page, 'history-01-list');

    // Detail of the cat classification, then re-run it: the new run's top-1 is the same.
    const cat = classifyRows.filter({ hasText: 'cat.png' }).first();
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
    const catRuns = async () => classifyRows.filter({ hasText: 'cat.png' }).count();
    const catBefore = await catRuns();
    await detail.getByRole('button', { name: 'Re-run' }).click();
    for (let i = 0; i < 600 && (await catRuns()) === catBefore; i++) await page.waitForTimeout(100);
    assert.equal(await catRuns(), catBefore + 1, 'the re-run appears in the list');
    assert.ok((await total()) > before, 'the total counts the re-run');
    await rows.first().click();
    const rerun = detail.locator('table.items tr').first();
    await rerun.waitFor();
    assert.equal(((await rerun.textContent()) ?? '').trim(), original);

    // Compare: the selected run is A; Ctrl+click the sunflower run as B; drag the wipe on the picture itself.
    await classifyRows
      .filter({ hasText: 'sunflower.png' })
      .first()
      .click({ modifiers: ['Control'] });
    const compare = page.getByRole('article', { name: 'Compare runs' });
    await compare.waitFor();
    const top = compare.getByRole('img', { name: 'Run A' });
    await top.waitFor();
    await dragWipeTo(page, compare.getByRole('img', { name: 'Run B' }), 0.2);
    const cut = await wipeCut(top);
    assert.ok(Math.abs(cut - 80) < 1.5, `A shows on the left 20% (clip-path cuts ${cut}% from the right)`);
    await shot(page, 'history-03-compare-wipe');
    await compare.getByRole('radio', { name: 'difference' }).click();
    await compare.getByRole('img', { name: 'Difference of A and B' }).waitFor();
    await shot(page, 'history-04-compare-difference');
    await compare.getByRole('button', { name: 'Close' }).click();

    // Re-run the CAM (a job with the logged parameters and photo): its image is identical to the original's.
    const cams = list.locator('[data-kind="explain-cam"]');
    await cams.first().click();
    const camCount = await cams.count();
    await detail.getByRole('button', { name: 'Re-run' }).click();
    for (let i = 0; i < 300 && (await cams.count()) === camCount; i++) await page.waitForTimeout(100);
    assert.equal(await cams.count(), camCount + 1, 'the CAM re-run appears in the list');
    const newest = cams.first();
    await newest.getByText('done', { exact: true }).waitFor({ timeout: 60_000 });
    await newest.click();
    await cams.nth(1).click({ modifiers: ['Control'] });
    await compare.getByRole('radio', { name: 'difference' }).click();
    await compare.getByText('Mean |A − B| = 0.00 / 255').waitFor({ timeout: 30_000 });
    await shot(page, 'history-05-cam-rerun-identical');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('reads runs apart: titles by class and layer, a parameter table, labelled curves of two training runs, compare fits 1024 px', async () => {
    // Two real training runs (LeNet-5, 2 epochs, different learning rates) made by the CLI in a home of their
    // own, exported and imported through History's "Import runs…": the same zip a colleague would send.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-history-train-'));
    const zip = path.join(home, 'train-runs.zip');
    try {
      for (const [cls, photo] of [
        ['cat', 'cat.png'],
        ['bird', 'bird.png'],
      ] as const) {
        fs.mkdirSync(path.join(home, 'data', cls), { recursive: true });
        for (let i = 0; i < 4; i++)
          await sharp(sharedPath('photos', photo))
            .rotate(i * 7, { background: '#808080' })
            .resize(48, 48)
            .png()
            .toFile(path.join(home, 'data', cls, `${cls}-${i}.png`));
      }
      const cli = (args: string[]) =>
        execFileSync(process.execPath, ['bin/vision-studio.js', ...args], {
          env: { ...process.env, VISION_STUDIO_HOME: home },
          encoding: 'utf8',
        });
      for (const lr of ['0.01', '0.002'])
        cli([
          'train',
          '--data',
          path.join(home, 'data'),
          '--arch',
          'lenet5',
          '--size',
          '32',
          '--epochs',
          '2',
          '--batch',
          '4',
          '--lr',
          lr,
          '--out',
          path.join(home, `m${lr}.onnx`),
          '--name',
          `lenet lr ${lr}`,
        ]);
      const ids = (JSON.parse(cli(['runs', 'list', '--kind', 'train', '--json'])) as { id: string }[]).map((r) => r.id);
      assert.equal(ids.length, 2);
      cli(['runs', 'export', ...ids, '-o', zip]);

      for (const scheme of ['light', 'dark'] as const) {
        const { context, page, errors } = await openStudio(browser, scheme);
        await page.setViewportSize({ width: 1440, height: 900 });
        const tools = page.getByRole('navigation', { name: 'Tools' });
        if (scheme === 'light') {
          // Two heat maps of one photo for two classes: their titles differ by the class.
          await dragFiles(page, [fileFrom(sharedPath('photos', 'cat.png'))]);
          await page.locator('.top1').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 30_000 });
          await tools.getByRole('button', { name: 'Explain' }).click();
          await page.locator('figcaption').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 60_000 });
          await page.getByRole('radiogroup', { name: 'Class among the top-k' }).getByRole('radio').nth(1).click();
          await page.locator('figcaption').filter({ hasText: 'tabby' }).waitFor({ timeout: 60_000 });
          await tools.getByRole('button', { name: 'History' }).click();
          const [chooser] = await Promise.all([
            page.waitForEvent('filechooser'),
            page.getByRole('button', { name: 'Import runs…' }).click(),
          ]);
          await chooser.setFiles(zip);
          await page.getByRole('status').filter({ hasText: 'Imported 2 runs' }).waitFor({ timeout: 30_000 });
        } else await tools.getByRole('button', { name: 'History' }).click();

        const list = page.getByRole('listbox', { name: 'Runs' });
        const filters = page.getByRole('search');
        assert.ok(
          (await filters.boundingBox())!.height <= 46,
          `the filters are one row at 1440 px (${(await filters.boundingBox())!.height} px)`,
        );
        const tabby = list.locator('[data-kind="explain-cam"]').filter({ hasText: 'Grad-CAM · tabby · out_relu on cat.png' }).first();
        const egyptian = list
          .locator('[data-kind="explain-cam"]')
          .filter({ hasText: 'Grad-CAM · Egyptian cat · out_relu on cat.png' })
          .first();
        await tabby.waitFor({ timeout: 30_000 });
        await egyptian.waitFor();

        // The detail: a table with the file, the model by name, the layer; no JSON, seed and model once.
        await tabby.click();
        const detail = page.getByRole('article', { name: /^Run Grad-CAM · tabby/ });
        const table = detail.getByRole('table', { name: 'Parameters' });
        await table.waitFor();
        const cell = async (label: string) =>
          (
            (await table
              .getByRole('row')
              .filter({ has: page.getByRole('rowheader', { name: label, exact: true }) })
              .locator('td')
              .textContent()) ?? ''
          ).trim();
        assert.equal(await cell('File'), 'cat.png');
        assert.equal(await cell('Model'), 'MobileNetV2');
        assert.equal(await cell('Layers'), 'out_relu');
        assert.match(await cell('Class'), /^tabby/);
        const text = (await table.textContent()) ?? '';
        assert.doesNotMatch(text, /[{}"]|mobilenet_v2_1\.0_224/, 'no JSON and no file name for the model');
        assert.equal(
          await table.getByRole('rowheader', { name: /seed/i }).count(),
          await table.getByRole('rowheader', { name: 'Seed' }).count(),
        );
        assert.ok((await table.getByRole('rowheader', { name: /^model$/i }).count()) === 1, 'the model once');
        await shot(page, `history-06-detail-1440-${scheme}`);

        // Compare the two heat maps at 1440 and 1024: nothing off the pane, pictures letterboxed, the wipe on the picture.
        await egyptian.click({ modifiers: ['Control'] });
        const compare = page.getByRole('article', { name: 'Compare runs' });
        for (const size of [
          { width: 1440, height: 900 },
          { width: 1024, height: 700 },
        ]) {
          await page.setViewportSize(size);
          await compare.getByRole('img', { name: 'Run A' }).waitFor();
          const pane = (await page.locator('section.pane').boundingBox())!;
          const params = (await compare.getByRole('table', { name: 'Parameters of A and B' }).boundingBox())!;
          assert.ok(params.x + params.width <= pane.x + pane.width + 1, `the parameter table fits the pane at ${size.width} px`);
          const b = compare.getByRole('img', { name: 'Run B' });
          const shape = await b.evaluate((el) => {
            const img = el as unknown as {
              naturalWidth: number;
              naturalHeight: number;
              getBoundingClientRect(): { width: number; height: number };
            };
            const r = img.getBoundingClientRect();
            return { natural: img.naturalWidth / img.naturalHeight, shown: r.width / r.height };
          });
          assert.ok(Math.abs(shape.shown / shape.natural - 1) < 0.01, `B is not stretched (${JSON.stringify(shape)})`);
          const bBox = (await b.boundingBox())!;
          assert.ok(bBox.x >= pane.x - 1 && bBox.x + bBox.width <= pane.x + pane.width + 1, 'the picture fits the pane');
          assert.equal(
            await compare
              .getByRole('img', { name: 'Run A' })
              .evaluate((el) => (globalThis as unknown as PageWindow).getComputedStyle(el).objectFit),
            'contain',
          );
          await dragWipeTo(page, b, 0.3);
          const cut = await wipeCut(compare.getByRole('img', { name: 'Run A' }));
          assert.ok(Math.abs(cut - 70) < 1.5, `the wipe follows the pointer to 30% (cuts ${cut}%)`);
          await shot(page, `history-07-compare-${size.width}-${scheme}`);
        }
        await page.setViewportSize({ width: 1440, height: 900 });

        // Two training runs: their curves on shared axes with a legend naming each run, no "step: --".
        const trains = list.locator('[data-kind="train"]');
        await trains.filter({ hasText: 'lenet lr 0.01' }).first().click();
        await trains
          .filter({ hasText: 'lenet lr 0.002' })
          .first()
          .click({ modifiers: ['Control'] });
        const charts = compare.getByRole('region', { name: 'Curves of A and B' });
        await charts.waitFor();
        const loss = charts.getByRole('figure', { name: 'Loss over steps' });
        await loss.locator('canvas').first().waitFor();
        const legend = (await loss.getByRole('list', { name: 'Legend' }).textContent()) ?? '';
        assert.match(legend, /A · Train lenet lr 0\.01/);
        assert.match(legend, /B · Train lenet lr 0\.002/);
        assert.doesNotMatch((await loss.textContent()) ?? '', /--/);
        assert.ok((await charts.getByRole('figure').count()) >= 3, 'loss, learning rate and per-epoch curves');
        await charts.scrollIntoViewIfNeeded();
        await shot(page, `history-08-train-curves-1440-${scheme}`);
        assert.deepEqual(
          errors.filter((e) => !/font/i.test(e)),
          [],
        );
        await context.close();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
