// Drop-to-classify in real Chromium against browser mode (`vision-studio serve`), with the real models in ../shared/models.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { chooserFromShortcut, dragFiles, fileFrom, launch, openStudio, pasteFiles, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;
const photo = (name: string) => fileFrom(sharedPath('photos', name));

/** A tiny PNG that claims width x height pixels (a decompression bomb's header): the engine must refuse it, not allocate it. */
function pngBomb(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

describe('classify in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('shows a first screen that teaches, in light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await openStudio(browser, scheme);
      await page.getByRole('heading', { name: 'Drop a photo to see what the model sees' }).waitFor();
      assert.match(await page.getByRole('combobox', { name: 'Model' }).inputValue(), /mobilenet/i);
      await shot(page, `01-empty-${scheme}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  it('says what a drag will do before the drop', async () => {
    const { context, page } = await openStudio(browser, 'dark');
    await dragFiles(page, [photo('bird.png')], { drop: false });
    await page.getByText('Drop to classify this photo').waitFor();
    await shot(page, '02-drag-overlay-dark', 150);
    await context.close();
  });

  it('classifies a dropped photo: chickadee for bird.png', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await openStudio(browser, scheme);
      await dragFiles(page, [photo('bird.png')]);
      const result = page.getByRole('complementary', { name: 'Result for bird.png' });
      await result.locator('.top1').filter({ hasText: 'chickadee' }).waitFor({ timeout: 30_000 });
      const bars = result.getByRole('list', { name: /Top 5 labels/ }).getByRole('listitem');
      assert.equal(await bars.count(), 5);
      assert.match((await result.textContent()) ?? '', /\d+ ms/);
      await shot(page, `03-single-${scheme}`);
      if (scheme === 'light') {
        // Changing top-K re-runs the photo on screen.
        await page.getByRole('spinbutton', { name: 'Top-K value' }).fill('3');
        await page.getByRole('spinbutton', { name: 'Top-K value' }).press('Enter');
        await result.getByRole('list', { name: 'Top 3 labels' }).waitFor({ timeout: 30_000 });
        await page.getByRole('spinbutton', { name: 'Top-K value' }).fill('5');
        await page.getByRole('spinbutton', { name: 'Top-K value' }).press('Enter');
        await result.getByRole('list', { name: 'Top 5 labels' }).waitFor({ timeout: 30_000 });
        // The same photo, one click away from Explain.
        await result.getByRole('button', { name: 'Where does it look?' }).click();
        await page.getByRole('heading', { level: 1, name: 'Explain' }).waitFor();
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  it('classifies a pasted image and photos opened with Ctrl+O or as a folder', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await pasteFiles(page, [{ ...photo('sunflower.png'), name: 'image.png' }]);
    await page
      .getByRole('complementary', { name: /^Result for pasted-.*\.png$/ })
      .locator('.top1')
      .filter({ hasText: 'daisy' })
      .waitFor({ timeout: 30_000 });

    const chooser = await chooserFromShortcut(page, 'Control+o');
    assert.ok(chooser.isMultiple());
    await chooser.setFiles(sharedPath('photos', 'cat.png'));
    await page
      .getByRole('complementary', { name: 'Result for cat.png' })
      .locator('.top1')
      .filter({ hasText: 'Egyptian cat' })
      .waitFor({ timeout: 30_000 });

    const folder = await chooserFromShortcut(page, 'Control+Shift+o');
    await folder.setFiles(sharedPath('photos'));
    await page.getByText(/^Done$/).waitFor({ timeout: 60_000 });
    // LICENSE.md inside the folder is skipped quietly, the five photos are classified.
    assert.equal(await page.getByRole('list', { name: 'Results' }).getByRole('listitem').count(), 5);
    await page.getByText('5 classified').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('names a broken file and says why', async () => {
    const { context, page } = await openStudio(browser, 'light');
    await dragFiles(page, [{ name: 'broken.jpg', bytes: Buffer.from('this is not a JPEG at all, just text pretending to be one') }]);
    const alert = page.getByRole('alert').filter({ hasText: 'Could not classify broken.jpg' });
    await alert.waitFor({ timeout: 30_000 });
    assert.ok(((await alert.textContent()) ?? '').length > 'Could not classify broken.jpg'.length + 5, 'the reason is given');
    await shot(page, '04-broken-light');
    // A JPEG cut short: the reason in plain words, no decoder internals.
    const cut = await sharp(sharedPath('photos', 'bird.png')).jpeg().toBuffer();
    await dragFiles(page, [{ name: 'cut.jpg', bytes: cut.subarray(0, cut.length >> 1) }]);
    const cutAlert = page.getByRole('alert').filter({ hasText: 'Could not classify cut.jpg' });
    await cutAlert.waitFor({ timeout: 30_000 });
    const why = (await cutAlert.textContent()) ?? '';
    assert.match(why, /incomplete/i, why);
    assert.doesNotMatch(why, /vips|libjpeg|Input buffer/i, why);
    // The studio keeps working after a bad file.
    await dragFiles(page, [photo('cat.png')]);
    await page.locator('.top1').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 30_000 });
    await context.close();
  });

  it('classifies several photos as a batch, reports a bad one, and exports the CLI shape', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await openStudio(browser, scheme);
      const files = ['bird.png', 'cat.png', 'dragonfly.png', 'grace_hopper.png', 'sunflower.png'].map(photo);
      files.push(
        { name: 'empty.png', bytes: Buffer.alloc(0) },
        { name: 'notes.txt', bytes: Buffer.from('hello') },
        { name: 'bomb.png', bytes: pngBomb(60_000, 60_000) },
      );
      await dragFiles(page, files);
      const cards = page.getByRole('list', { name: 'Results' }).getByRole('listitem');
      await page.getByText(/^Done$/).waitFor({ timeout: 60_000 });
      assert.equal(await cards.count(), 8);
      await page.getByText('5 classified').waitFor();
      await page.getByText('3 failed').waitFor();
      assert.match((await cards.filter({ hasText: 'bomb.png' }).textContent()) ?? '', /bomb\.png.*\S{3,}/);
      for (const label of ['chickadee', 'Egyptian cat', 'dragonfly', 'military uniform', 'daisy'])
        await cards.getByText(label, { exact: true }).first().waitFor();
      await shot(page, `06-batch-done-${scheme}`);

      if (scheme === 'light') {
        const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+e')]);
        const text = await (await download.createReadStream()).toArray();
        const entries = JSON.parse(Buffer.concat(text).toString('utf8')) as Record<string, unknown>[];
        assert.equal(entries.length, 8);
        const bird = entries.find((e) => e.file === 'bird.png');
        assert.ok(bird && Array.isArray(bird.top) && typeof bird.ms === 'number' && typeof bird.model === 'string');
        assert.deepEqual(Object.keys((bird.top as object[])[0]).sort(), ['index', 'label', 'probability']);
        const bad = entries.find((e) => e.file === 'notes.txt');
        assert.ok(bad && typeof bad.error === 'string' && !('top' in bad));

        // Only the failures, then all again.
        await page.getByRole('button', { name: /^3 failed/ }).click();
        await page.getByRole('button', { name: /showing only these/ }).waitFor();
        assert.equal(await cards.count(), 3);
        await page.getByRole('button', { name: /^3 failed/ }).click();
        assert.equal(await cards.count(), 8);

        // Detail of one card, then back to the grid.
        await cards.filter({ hasText: 'dragonfly.png' }).getByRole('button').click();
        await page.getByRole('complementary', { name: 'Result for dragonfly.png' }).waitFor();
        await shot(page, '07-batch-detail-light');
        await page.getByRole('button', { name: /All 8 results/ }).click();
        await cards.first().waitFor();
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  it('shows batch progress with an ETA and cancels on request', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    // Many small photos: the batch must still be running when Cancel is clicked, even on a fast machine.
    const sources = await Promise.all(
      ['bird.png', 'cat.png', 'sunflower.png'].map(async (name) => ({
        name,
        bytes: await sharp(photo(name).bytes).resize(96, 96).png().toBuffer(),
      })),
    );
    const total = 300;
    const files = Array.from({ length: total }, (_, i) => ({
      ...sources[i % 3],
      name: `run/${String(i + 1).padStart(3, '0')}-${sources[i % 3].name}`,
    }));
    await dragFiles(page, files);
    await page.getByText(new RegExp(`^Classifying \\d+ of ${total}$`)).waitFor({ timeout: 30_000 });
    // Results arrive incrementally: wait for the first ones, then cancel at once.
    await page.getByText(new RegExp(`^Classifying [1-9]\\d* of ${total}$`)).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click({ timeout: 5_000 });
    await page.getByText(/^Cancelled$/).waitFor({ timeout: 30_000 });
    // Cancelling stops the work: the rest of the batch is reported as not classified.
    await page.getByText(/^\d+ not classified$/).waitFor();
    await shot(page, '05-batch-cancelled-light');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('lists models and shows the shortcuts', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page } = await openStudio(browser, scheme);
      await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Models' }).click();
      await page.getByRole('region', { name: 'Ready to use' }).waitFor();
      await page.getByRole('region', { name: 'Catalog' }).getByText('ResNet-50').first().waitFor();
      await shot(page, `08-models-${scheme}`);
      if (scheme === 'light') {
        await page.keyboard.press('?');
        await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
        await shot(page, '10-shortcuts-light');
      }
      await context.close();
    }
  });
});
