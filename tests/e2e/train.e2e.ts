// Train in real Chromium against browser mode: three class folders of real photos (the licensed photos in
// ../shared/models/photos, eight variations each made with sharp) are picked with the folder input and uploaded;
// the dataset report shows the classes, the skipped file and the image filed under two classes; a transfer head
// on MobileNetV2 trains for a few epochs with live curves; a confusion-matrix cell lists its images, one opens in
// Explain with the new model, and Classify shows the class folder names as the new model's labels. Before the run,
// the learning-rate range test draws its curve and its suggestion goes into the learning-rate field. A second run
// in dark is cancelled with Esc. Screenshots at 1440×900 and 1024×700 in both themes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;
const CLASSES = { bird: 'bird.png', cat: 'cat.png', sunflower: 'sunflower.png' } as const;
const BASE = 'mobilenet_v2_1.0_224';

/** Eight variations of one photo: as is, mirrored, cropped, lighter, darker, rotated. */
async function variations(src: string, dir: string, stem: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const base = await sharp(src).resize(320, 320, { fit: 'cover' }).png().toBuffer();
  const make: ((s: sharp.Sharp) => sharp.Sharp)[] = [
    (s) => s,
    (s) => s.flop(),
    (s) => s.extract({ left: 0, top: 0, width: 256, height: 256 }),
    (s) => s.extract({ left: 64, top: 64, width: 256, height: 256 }),
    (s) => s.modulate({ brightness: 1.25 }),
    (s) => s.modulate({ brightness: 0.75 }),
    (s) => s.rotate(10, { background: '#808080' }),
    (s) => s.flop().extract({ left: 32, top: 32, width: 256, height: 256 }).modulate({ brightness: 1.1, saturation: 0.8 }),
  ];
  for (const [i, f] of make.entries()) {
    await f(sharp(base))
      .jpeg({ quality: 88 })
      .toFile(path.join(dir, `${stem}-${i + 1}.jpg`));
  }
}

async function setNumber(page: Page, label: string, value: number): Promise<void> {
  const input = page.getByRole('spinbutton', { name: label, exact: true });
  await input.fill(String(value));
  await input.dispatchEvent('change');
}

async function openTrain(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Train' }).click();
  await page.getByRole('heading', { name: 'Train', exact: true }).waitFor();
}

/** Picks the dataset folder with the view's folder input and waits for the report. */
async function pickDataset(page: Page, dir: string): Promise<void> {
  await page.getByTestId('train-folder-input').setInputFiles(dir);
  const rows = page.getByRole('table', { name: 'Images per class' }).getByRole('row');
  for (let i = 0; i < 600 && (await rows.count()) < 3; i++) await page.waitForTimeout(100);
  assert.deepEqual(
    (await rows.locator('.cname').allTextContents()).map((s) => s.trim()),
    Object.keys(CLASSES),
  );
}

/** Drops loose files onto an element (a real DataTransfer with File objects; a page cannot build folder entries). */
async function dropOn(page: Page, selector: string, files: string[]): Promise<void> {
  const payload = files.map((f) => ({ name: path.basename(f), b64: fs.readFileSync(f).toString('base64') }));
  const dt = await page.evaluateHandle((list) => {
    const w = globalThis as unknown as {
      DataTransfer: new () => { items: { add(f: unknown): void } };
      File: new (b: Uint8Array[], n: string, o: { type: string }) => unknown;
    };
    const t = new w.DataTransfer();
    for (const f of list) t.items.add(new w.File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: 'image/png' }));
    return t;
  }, payload);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent(selector, type, { dataTransfer: dt });
  await dt.dispose();
}

/**
 * Runs the learning-rate range test from the side panel, waits for its curve and returns the suggested rate's
 * text (as shown, "7.6e-4") and value, checked to be a learning rate in (1e-6, 1).
 */
async function findLr(page: Page): Promise<{ text: string; lr: number }> {
  await page.getByRole('button', { name: 'Find learning rate' }).click();
  const finder = page.getByRole('region', { name: 'Learning-rate range test' });
  await finder.waitFor({ timeout: 30_000 });
  const value = finder.getByTestId('lr-suggestion');
  await value.waitFor({ timeout: 180_000 });
  const curve = finder.getByRole('figure', { name: 'Learning-rate range test curve' });
  assert.ok(Number(await curve.getAttribute('data-points')) >= 10, 'the range test drew its curve');
  assert.ok((await curve.locator('canvas').count()) > 0, 'the curve is drawn on a canvas (uPlot)');
  const text = ((await value.textContent()) ?? '').trim();
  const lr = Number(text);
  assert.ok(lr > 1e-6 && lr < 1, `the suggestion "${text}" is a learning rate in (1e-6, 1)`);
  assert.equal(await page.getByRole('button', { name: 'Run', exact: true }).isEnabled(), true, 'Run is back after the test');
  return { text, lr };
}

async function waitForResult(page: Page, timeoutMs = 240_000): Promise<void> {
  await page.getByRole('region', { name: 'Summary' }).waitFor({ timeout: timeoutMs });
}

describe('train in the browser', { skip }, () => {
  let browser: Browser;
  let root: string;
  let dataset: string;
  before(async () => {
    browser = await launch();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'train-e2e-photos-'));
    dataset = path.join(root, 'pets');
    for (const [label, photo] of Object.entries(CLASSES)) await variations(sharedPath('photos', photo), path.join(dataset, label), label);
    // Things the report should name: a file that is not an image, and the same photo filed under two classes.
    fs.writeFileSync(path.join(dataset, 'cat', 'notes.txt'), 'not a photo');
    fs.copyFileSync(path.join(dataset, 'bird', 'bird-1.jpg'), path.join(dataset, 'cat', 'bird-copy.jpg'));
  });
  after(async () => {
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('uploads class folders, reports, trains with live curves, explains a cell image and classifies with the new model', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.keyboard.press('4'); // the rail's fourth tool
    await page.getByRole('heading', { name: 'Train', exact: true }).waitFor();
    await page.getByText('Drop a folder of class folders').waitFor();
    await shot(page, 'train-01-empty-1440-light');

    await pickDataset(page, dataset);
    const report = page.getByRole('region', { name: 'Dataset report' });
    await report.getByText('Skipped 1 file').click();
    await report.getByText('not an image').waitFor();
    await report.locator('.flag.bad', { hasText: 'two classes' }).first().waitFor();

    // Augmentations: the preview grid refreshes with eight samples.
    await page.getByRole('checkbox', { name: 'Flip' }).check();
    await page.getByRole('checkbox', { name: 'Colour' }).check();
    const preview = page.getByLabel('Augmentation preview').locator('img');
    for (let i = 0; i < 100 && (await preview.count()) < 8; i++) await page.waitForTimeout(100);
    assert.equal(await preview.count(), 8, 'eight augmented samples');
    await page.getByRole('checkbox', { name: 'Colour' }).uncheck();

    await page.getByRole('combobox', { name: 'Base model' }).selectOption(BASE);
    await setNumber(page, 'Epochs', 3);
    await setNumber(page, 'Batch size', 4);
    await shot(page, 'train-02-report-1440-light');

    // The learning-rate range test on these settings: its suggestion goes into the field, and the run uses it.
    const found = await findLr(page);
    await page
      .getByRole('region', { name: 'Learning-rate range test' })
      .getByRole('button', { name: `Use ${found.text}` })
      .click();
    const lrField = page.getByRole('spinbutton', { name: 'Learning rate', exact: true });
    assert.equal(Number(await lrField.inputValue()), found.lr, 'Use puts the suggestion in the learning-rate field');
    await page.getByRole('button', { name: `Using ${found.text}` }).waitFor();
    await shot(page, 'train-19-lr-finder-1440-light');

    // Ctrl+Enter runs; the curve fills in while it goes.
    await page.keyboard.press('Control+Enter');
    const loss = page.getByRole('figure', { name: 'Loss curve' });
    await loss.waitFor({ timeout: 60_000 });
    for (let i = 0; i < 2400 && Number(await loss.getAttribute('data-points')) < 2; i++) await page.waitForTimeout(50);
    assert.ok(Number(await loss.getAttribute('data-points')) >= 2, 'the loss curve has points');
    assert.ok((await loss.locator('canvas').count()) > 0, 'the curve is drawn on a canvas (uPlot)');
    if (await page.getByRole('progressbar', { name: 'Training progress (stage)' }).isVisible())
      await shot(page, 'train-03-running-1440-light', 100);

    await waitForResult(page);
    const accuracyFigure = page.getByRole('figure', { name: 'Accuracy curve' });
    await page.getByRole('tab', { name: 'Training' }).click();
    assert.ok(Number(await accuracyFigure.getAttribute('data-points')) >= 1, 'per-epoch accuracy arrived');
    // The provider line names the one that ran; a GPU provider the binding lists but cannot use here comes with
    // its reason, never as a bare "available".
    const providerLine = (await page.locator('.provider').textContent()) ?? '';
    assert.match(providerLine, /^Runs on (cpu|cuda|dml|coreml|webgpu)\b/);
    assert.doesNotMatch(providerLine, /available:/);
    if (/cuda/.test(providerLine) && !/^Runs on cuda/.test(providerLine)) assert.match(providerLine, /cuda \(.{10,}\)/);
    await shot(page, 'train-04-curves-1440-light');
    await page.getByRole('tab', { name: 'Results' }).click();
    const matrix = page.getByRole('table', { name: /Confusion matrix/ });
    await matrix.waitFor();
    assert.equal(await matrix.getByRole('button').count(), 9, 'a 3 × 3 confusion matrix');
    const headline = (await page.getByRole('region', { name: 'Summary' }).textContent()) ?? '';
    assert.match(headline, /Best epoch\s*\d of 3/);
    assert.match(headline, /max \|Δ\|/);
    await shot(page, 'train-05-results-1440-light');

    // A cell with images lists them; one opens in Explain with the trained model.
    const cells = matrix.getByRole('button');
    let clicked = -1;
    for (let i = 0; i < 9 && clicked < 0; i++) if (Number(await cells.nth(i).textContent()) > 0) clicked = i;
    assert.ok(clicked >= 0, 'some cell has images');
    await cells.nth(clicked).click();
    const tiles = page.getByRole('region', { name: 'Images of the selected cell' }).locator('button.tile');
    await tiles.first().locator('img').waitFor({ timeout: 20_000 });
    const total = Number(await cells.nth(clicked).textContent());
    assert.equal(await tiles.count(), total, 'the cell lists as many images as it counts');
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'train-06-results-1024-light');

    const modelName = ((await page.locator('.model').textContent()) ?? '').split(' · ')[0].trim();
    await tiles.first().click();
    await page.getByRole('heading', { name: 'Explain', exact: true }).waitFor();
    await page.getByTestId('cam-image').waitFor({ timeout: 90_000 });
    assert.equal(await page.getByRole('combobox', { name: 'Model' }).locator('option:checked').textContent(), modelName);
    await shot(page, 'train-07-explain-1024-light');

    // Classify with this model: the class folder names are its labels.
    await page.keyboard.press('4');
    await page.getByRole('button', { name: 'Classify with this model' }).click();
    await page.getByRole('heading', { name: 'Classify' }).first().waitFor();
    await dragFiles(page, [fileFrom(sharedPath('photos', 'cat.png'))]);
    const result = page.getByRole('complementary', { name: 'Result for cat.png' });
    const labels = result.getByRole('list', { name: /Top \d labels/ }).locator('.label');
    await labels.first().waitFor({ timeout: 30_000 });
    const names = (await labels.allTextContents()).map((s) => s.trim());
    assert.deepEqual([...names].sort(), Object.keys(CLASSES), `top labels are the class folders: ${names.join(', ')}`);
    await shot(page, 'train-08-classify-1024-light');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('in dark: trains, shows results at both sizes, and Esc cancels a run without losing them', async () => {
    const { context, page, errors } = await openStudio(browser, 'dark');
    await page.setViewportSize({ width: 1024, height: 700 });
    await openTrain(page);
    await shot(page, 'train-09-empty-1024-dark');
    // Loose photos dropped on the view stay in Train and are explained: they are in no class folder.
    await dropOn(page, '[aria-label="Train workspace"]', [sharedPath('photos', 'cat.png'), sharedPath('photos', 'bird.png')]);
    await page.getByRole('alert').filter({ hasText: 'No images inside class folders' }).waitFor();
    await page.getByRole('heading', { name: 'Train', exact: true }).waitFor();
    await page.getByText('Skipped 2 files').click();
    await page.getByText('not inside a class folder').first().waitFor();
    // The engine-side path: a wrong one is said on the stage, naming the folder; the right one is read in place.
    await page.getByText('Use a folder on the engine’s machine').click();
    const field = page.getByRole('textbox', { name: 'Dataset folder path' });
    await field.fill(path.join(root, 'no-such-folder'));
    await page.getByRole('button', { name: 'Use folder' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    assert.match((await alert.textContent()) ?? '', /no-such-folder/);
    await shot(page, 'train-09b-bad-path-1024-dark');
    // A copy, read in place: it is deleted below to make a run fail.
    const copy = path.join(root, 'pets-copy');
    fs.cpSync(dataset, copy, { recursive: true });
    await field.fill(copy);
    await page.getByRole('button', { name: 'Use folder' }).click();
    const rows = page.getByRole('table', { name: 'Images per class' }).getByRole('row');
    await rows.nth(2).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByRole('alert').count(), 0, 'the error went with the bad path');
    await page.getByRole('combobox', { name: 'Base model' }).selectOption(BASE);
    await setNumber(page, 'Epochs', 2);
    await setNumber(page, 'Batch size', 4);
    await shot(page, 'train-10-report-1024-dark');
    await findLr(page);
    await shot(page, 'train-19-lr-finder-1024-dark');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForResult(page);
    await shot(page, 'train-11-results-1024-dark');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('tab', { name: 'Training' }).click();
    await shot(page, 'train-12-curves-1440-dark');
    await page.getByRole('tab', { name: 'Results' }).click();
    await page
      .getByRole('table', { name: /Confusion matrix/ })
      .getByRole('button')
      .first()
      .click();
    await page.getByRole('region', { name: 'Images of the selected cell' }).locator('img').first().waitFor({ timeout: 20_000 });
    await shot(page, 'train-13-results-1440-dark');

    // A long run, cancelled with Esc: Run comes back and the earlier result stays, not dimmed.
    await setNumber(page, 'Epochs', 1000);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const loss = page.getByRole('figure', { name: 'Loss curve' });
    await loss.waitFor({ timeout: 60_000 });
    for (let i = 0; i < 1200 && Number(await loss.getAttribute('data-points')) < 1; i++) await page.waitForTimeout(50);
    await shot(page, 'train-14-running-1440-dark', 100);
    await page.locator('body').press('Escape');
    await page.getByRole('button', { name: 'Run', exact: true }).waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: 'Results' }).click();
    assert.equal(await page.locator('.results.stale').count(), 0, 'the earlier result is not dimmed after a cancel');
    assert.match(
      (await page.getByRole('region', { name: 'Summary' }).textContent()) ?? '',
      /Best epoch\s*\d of 2\b/,
      'the 2-epoch result stands',
    );
    assert.equal(await page.getByRole('alert').count(), 0, 'a cancel is not an error');

    // The folder disappears: the run fails with the folder named on the stage, and the earlier result is dimmed.
    fs.rmSync(copy, { recursive: true, force: true });
    await setNumber(page, 'Epochs', 2);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const failed = page.getByRole('alert').filter({ hasText: 'Training failed' });
    await failed.waitFor({ timeout: 30_000 });
    assert.match((await failed.textContent()) ?? '', /pets-copy/);
    await shot(page, 'train-16-failed-1440-dark');
    await page.getByRole('tab', { name: 'Results' }).click();
    await page.locator('.results.stale').waitFor();
    await page.getByRole('status').filter({ hasText: 'The last run failed' }).waitFor();
    await shot(page, 'train-17-failed-results-1440-dark');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('takes a folder with train/ and val/ inside, validates on val/ and flags an image in both', async () => {
    const split = path.join(root, 'split');
    for (const label of Object.keys(CLASSES)) {
      const from = path.join(dataset, label);
      const files = fs.readdirSync(from).filter((f) => f.startsWith(label));
      fs.mkdirSync(path.join(split, 'train', label), { recursive: true });
      fs.mkdirSync(path.join(split, 'val', label), { recursive: true });
      for (const f of files.slice(0, 6)) fs.copyFileSync(path.join(from, f), path.join(split, 'train', label, f));
      for (const f of files.slice(6)) fs.copyFileSync(path.join(from, f), path.join(split, 'val', label, f));
    }
    fs.copyFileSync(path.join(split, 'train', 'cat', 'cat-1.jpg'), path.join(split, 'val', 'cat', 'cat-1-again.jpg'));
    const { context, page, errors } = await openStudio(browser, 'light');
    await page.setViewportSize({ width: 1024, height: 700 });
    await openTrain(page);
    await pickDataset(page, split);
    const report = page.getByRole('region', { name: 'Dataset report' });
    await report.getByText('validation from the val/ folder').waitFor();
    const counts = (await report.locator('.count').allTextContents()).map((t) => t.trim());
    assert.deepEqual(counts, ['6 · 2', '6 · 3', '6 · 2'], 'train and val counts per class from the two folders');
    await report.locator('.flag.bad', { hasText: 'train = val' }).first().waitFor();
    await shot(page, 'train-15-train-val-1024-light');

    // From scratch: architecture, input size and initialiser; the rarely changed knobs under More options.
    await page.getByRole('radio', { name: 'Scratch' }).click();
    await page.getByRole('combobox', { name: 'Architecture' }).selectOption('resnet20');
    await page.getByRole('combobox', { name: 'Initialiser' }).waitFor();
    assert.equal(await page.getByRole('spinbutton', { name: 'Input size (px)' }).getAttribute('placeholder'), '32');
    await page.getByRole('combobox', { name: 'Optimiser' }).selectOption('momentum');
    assert.equal(await page.getByRole('spinbutton', { name: 'Momentum' }).getAttribute('placeholder'), '0.9');
    assert.equal(await page.getByRole('spinbutton', { name: 'Learning rate' }).getAttribute('placeholder'), '0.01');
    await page.locator('summary', { hasText: 'More options' }).click();
    await page.getByRole('spinbutton', { name: 'Early-stop patience' }).scrollIntoViewIfNeeded();
    await shot(page, 'train-18-scratch-options-1024-light');

    // The range test on a network from scratch runs long enough to watch: its curve fills in, and Esc stops it.
    await page.getByRole('button', { name: 'Find learning rate' }).click();
    const finder = page.getByRole('region', { name: 'Learning-rate range test' });
    const curve = finder.getByRole('figure', { name: 'Learning-rate range test curve' });
    await curve.waitFor({ timeout: 30_000 });
    for (let i = 0; i < 1200 && Number(await curve.getAttribute('data-points')) < 5; i++) await page.waitForTimeout(50);
    assert.equal(await page.getByRole('button', { name: 'Run', exact: true }).count(), 0, 'Run waits for the range test');
    await shot(page, 'train-20-lr-finder-running-1024-light', 100);
    await page.locator('body').press('Escape');
    await page.getByRole('button', { name: 'Run', exact: true }).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByRole('alert').count(), 0, 'a cancelled range test is not an error');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
