// The embedding projector in real Chromium against browser mode: Fashion-MNIST class folders (8 PNGs of each of
// the 10 classes) are picked with the folder input and uploaded through Train's dataset methods, embedded by
// MobileNetV2 and laid out by UMAP; the WebGL canvas shows the thumbnails (pixels other than the background);
// hovering finds a point and its card, a click focuses it with its neighbours, the lasso selects points and the
// file list downloads with exactly those files; the selection becomes a class in Train. In dark, a 3-D layout
// coloured by confidence. Screenshots at 1440×900 and 1024×700 in both themes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { FASHION_MNIST_CLASSES, fashionMnistAvailable } from '../../main/train/data/fashion-mnist';
import { sharedModelsDir, sharedSkipReason } from '../helpers/shared-models';
import { writeClassFolders } from '../integration/projector/fmnist-folders';
import { launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir
  ? sharedSkipReason
  : !studioUrl
    ? 'skipped: run through `npm run test:e2e` (it starts the server)'
    : !fashionMnistAvailable() && !process.env.CI
      ? 'skipped: Fashion-MNIST not installed (dataset-fashion-mnist)'
      : false;
const PER_CLASS = 8;

async function openProjector(page: Page): Promise<void> {
  await page.keyboard.press('0');
  await page.getByRole('heading', { name: 'Embedding projector' }).waitFor();
}

async function waitForLayout(page: Page, timeoutMs = 300_000): Promise<void> {
  await page.getByText(/folders kept apart/).waitFor({ timeout: timeoutMs });
  await page.waitForTimeout(400);
}

/** Share of the canvas's pixels that differ from its background colour (the top-left pixel). */
async function inkedShare(page: Page): Promise<number> {
  const png = await page.getByTestId('projector-canvas').screenshot();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let inked = 0;
  for (let i = 0; i < data.length; i += 3)
    if (Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) > 24) inked++;
  return inked / (info.width * info.height);
}

/** Sweeps the pointer over the canvas until the hover card appears; returns where. */
async function findPoint(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('projector-canvas').boundingBox())!;
  const card = page.getByTestId('projector-hover');
  for (let r = 0; r < 30; r++)
    for (let a = 0; a < 24; a++) {
      const x = box.x + box.width / 2 + Math.cos((a / 24) * 2 * Math.PI) * r * 12;
      const y = box.y + box.height / 2 + Math.sin((a / 24) * 2 * Math.PI) * r * 12;
      await page.mouse.move(x, y);
      if (await card.isVisible()) return { x, y };
    }
  throw new Error('no point found under the pointer');
}

async function lasso(page: Page, pts: [number, number][]): Promise<void> {
  const box = (await page.getByTestId('projector-canvas').boundingBox())!;
  const at = ([fx, fy]: [number, number]) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  await page.mouse.move(...at(pts[0]));
  await page.mouse.down();
  for (const p of [...pts.slice(1), pts[0]]) await page.mouse.move(...at(p), { steps: 8 });
  await page.mouse.up();
}

/**
 * Console errors, less one that is not this view's: the Graph view's KaTeX stylesheet (loaded with the app) inlines
 * its fonts as data: URLs, which the app's CSP blocks.
 */
const own = (errors: string[]) => errors.filter((e) => !/Loading the font 'data:font\//.test(e));

const selectedCount = async (page: Page) =>
  Number(((await page.getByTestId('projector-selection').textContent()) ?? '').replace(/\D/g, '') || 0);

describe('projector in the browser', { skip }, () => {
  let browser: Browser;
  let root: string;
  let dataset: string;
  before(async () => {
    browser = await launch();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'projector-e2e-'));
    dataset = path.join(root, 'fashion');
    await writeClassFolders(dataset, PER_CLASS);
  });
  after(async () => {
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('lays a folder out with thumbnails, previews, focuses, lassos and exports the selection, and makes it a training class', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await page.setViewportSize({ width: 1440, height: 900 });
    await openProjector(page);
    await page.getByText('Drop a folder of class folders').waitFor();
    await shot(page, 'projector-01-empty-1440-light');

    await page.getByTestId('projector-folder-input').setInputFiles(dataset);
    await waitForLayout(page);
    const subtitle = (await page.locator('header p').first().textContent()) ?? '';
    assert.match(subtitle, new RegExp(`${10 * PER_CLASS} images · 10 folders · mobilenet_v2_1.0_224, 1280-wide embedding · UMAP 2-D`));
    const ink = await inkedShare(page);
    assert.ok(ink > 0.02, `the canvas shows the points (${(100 * ink).toFixed(1)}% of its pixels differ from the background)`);
    const legend = page.getByLabel('Colour legend');
    for (const c of ['Ankle_boot', 'Trouser']) await legend.getByText(c).waitFor();
    await shot(page, 'projector-02-umap-1440-light');

    // Hover: the card names the file and its folder.
    const p = await findPoint(page);
    const card = page.getByTestId('projector-hover');
    const folder = ((await card.locator('b').first().textContent()) ?? '').trim();
    assert.ok(FASHION_MNIST_CLASSES.includes(folder), `the hover card names a folder (${folder})`);
    await shot(page, 'projector-03-hover-1440-light');
    // Click: the focus panel with the image and its most similar images.
    await page.mouse.click(p.x, p.y);
    const focus = page.getByTestId('projector-focus');
    await focus.getByRole('img').waitFor();
    await focus.getByText('Most similar (cosine)').waitFor();
    assert.equal(await focus.getByRole('button', { name: /^Focus .*similarity/ }).count(), 12);
    await shot(page, 'projector-04-focus-1440-light');
    await focus.getByRole('button', { name: 'Close' }).click();

    // Lasso around everything, then around the left half: the export lists exactly the selected files.
    await page.getByRole('radio', { name: 'Lasso' }).click();
    await lasso(page, [
      [0.01, 0.01],
      [0.99, 0.01],
      [0.99, 0.99],
      [0.01, 0.99],
    ]);
    assert.equal(await selectedCount(page), 10 * PER_CLASS, 'a lasso around the whole canvas selects every point');
    await lasso(page, [
      [0.02, 0.02],
      [0.5, 0.03],
      [0.5, 0.97],
      [0.02, 0.98],
      [0.1, 0.5],
    ]);
    const n = await selectedCount(page);
    assert.ok(n > 0 && n < 10 * PER_CLASS, `a lasso around the left half selects some of the points (${n})`);
    await shot(page, 'projector-05-lasso-1440-light');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'File list' }).click()]);
    const lines = fs
      .readFileSync((await dl.path())!, 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, n, 'the file list has one line per selected image');
    for (const line of lines) assert.match(line, new RegExp(`/(${FASHION_MNIST_CLASSES.join('|')})/\\d{5}\\.png$`));
    assert.match(dl.suggestedFilename(), new RegExp(`^fashion-${n}-images\\.txt$`));

    // The selection becomes a class of a new dataset in Train.
    await page.getByRole('textbox', { name: 'Training class name' }).fill('left-cluster');
    await page.getByRole('button', { name: 'Make training class' }).click();
    await page.getByText(`${n} image${n === 1 ? '' : 's'} added to Train as class “left-cluster”`).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('4');
    const rows = page.getByRole('table', { name: 'Images per class' }).getByRole('row');
    await rows.filter({ hasText: 'left-cluster' }).first().waitFor({ timeout: 60_000 });

    // 1024×700: the side panel and the stage still fit.
    await page.keyboard.press('0');
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'projector-06-1024-light');
    assert.deepEqual(own(errors), []);
    await context.close();
  });

  it('in dark: 3-D UMAP coloured by confidence, the canvas drawn, PNG export', async () => {
    const { context, page, errors } = await openStudio(browser, 'dark');
    await page.setViewportSize({ width: 1440, height: 900 });
    await openProjector(page);
    await page.getByTestId('projector-folder-input').setInputFiles(dataset);
    await waitForLayout(page);
    await shot(page, 'projector-07-umap-1440-dark');
    await page.getByRole('radio', { name: '3-D' }).click();
    await page.getByRole('button', { name: 'Lay out' }).click();
    await page.locator('header p', { hasText: 'UMAP 3-D' }).waitFor({ timeout: 300_000 });
    await page.getByRole('combobox', { name: 'Colour by' }).selectOption('confidence');
    await page.getByText('Model confidence').waitFor();
    const ink = await inkedShare(page);
    assert.ok(ink > 0.02, `the 3-D canvas shows the points (${(100 * ink).toFixed(1)}%)`);
    await shot(page, 'projector-08-umap3d-confidence-1440-dark');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    const meta = await sharp(fs.readFileSync((await dl.path())!)).metadata();
    assert.equal(meta.format, 'png');
    assert.ok((meta.width ?? 0) > 500, 'the PNG is the canvas');
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'projector-09-1024-dark');
    assert.deepEqual(own(errors), []);
    await context.close();
  });
});
