// Inside (the activation explorer) in real Chromium against browser mode, software WebGL (SwiftShader): drop a
// photo, open Inside, the 3-D stack draws (screenshot not uniform), hovering a map shows its statistics, a click
// opens the channel over the photo, the layer buttons fly along the stack, "Dream on this channel" lands in
// Create's DeepDream with channel:LAYER:C set and "CAM for this layer" in Explain with the layer picked.
// Screenshots at 1440×900 and 1024×700 in both themes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

/** Console errors of this view (the Graph view's KaTeX fonts, blocked by the CSP, are reported by its own tests). */
const own = (errors: string[]) => errors.filter((e) => !/Loading the font 'data:font/.test(e));

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;

/** Spread of the pixel values of an element's screenshot: a blank or one-colour canvas has ~0. */
async function spread(el: Locator): Promise<{ stdev: number; colours: number }> {
  const png = await el.screenshot();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const stats = await sharp(png).stats();
  const colours = new Set<number>();
  for (let i = 0; i < info.width * info.height; i += 7) colours.add((data[i * 3] << 16) | (data[i * 3 + 1] << 8) | data[i * 3 + 2]);
  return { stdev: Math.max(...stats.channels.slice(0, 3).map((c) => c.stdev)), colours: colours.size };
}

/** Drops files on one element (real File objects in a DataTransfer built in the page). */
async function dropOn(page: Page, selector: string, files: string[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.split('/').pop()!, b64: readFileSync(f).toString('base64') }));
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

/** Opens Inside on the cat photo and waits until every plane's atlas arrived. */
async function openInside(page: Page): Promise<void> {
  await dragFiles(page, [fileFrom(sharedPath('photos', 'cat.png'))]);
  await page
    .getByRole('complementary', { name: 'Result for cat.png' })
    .locator('.top1')
    .filter({ hasText: 'Egyptian cat' })
    .waitFor({ timeout: 30_000 });
  await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Inside' }).click();
  await page.getByRole('list', { name: 'Layers' }).getByRole('listitem').first().waitFor({ timeout: 90_000 });
  await page.getByRole('progressbar', { name: 'Activations' }).waitFor({ state: 'detached', timeout: 60_000 });
}

/** Moves over the stage on a grid until a map's tooltip shows; returns that point. */
async function hoverAMap(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('activations-stage').boundingBox())!;
  for (const fy of [0.5, 0.45, 0.55, 0.4, 0.6]) {
    for (const fx of [0.5, 0.45, 0.55, 0.4, 0.6]) {
      const p = { x: box.x + box.width * fx, y: box.y + box.height * fy };
      await page.mouse.move(p.x, p.y);
      if (
        await page
          .getByTestId('channel-tip')
          .isVisible({ timeout: 400 })
          .catch(() => false)
      )
        return p;
    }
  }
  throw new Error('no feature map under the stage centre');
}

describe('the activation explorer in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`draws the stack, hovers, opens a channel and dreams on it (${scheme})`, async () => {
      const { context, page, errors } = await openStudio(browser, scheme);
      await page.setViewportSize({ width: 1440, height: 900 });
      // Before a photo: the drop zone.
      await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Inside' }).click();
      await page.getByRole('region', { name: 'Drop a photo' }).waitFor();
      await shot(page, `activations-01-empty-1440-${scheme}`);

      await openInside(page);
      const stage = page.getByTestId('activations-stage');
      const drawn = await spread(stage);
      assert.ok(
        drawn.stdev > 12 && drawn.colours > 200,
        `the WebGL canvas shows feature maps (stdev ${drawn.stdev.toFixed(1)}, ${drawn.colours} colours)`,
      );
      const items = page.getByRole('list', { name: 'Layers' }).getByRole('listitem');
      assert.equal(await items.first().locator('.name').textContent(), 'Conv1_relu');
      assert.ok((await items.count()) > 50, 'MobileNetV2 has more than 50 main layers');
      await shot(page, `activations-02-stack-1440-${scheme}`);

      // Hover: the tile's statistics.
      const at = await hoverAMap(page);
      const tip = page.getByTestId('channel-tip');
      const tipText = (await tip.textContent()) ?? '';
      assert.match(tipText, /Conv1_relu · channel \d+/);
      assert.match(tipText, /min.*max.*mean.*std/s);
      const channel = Number(/channel (\d+)/.exec(tipText)![1]);
      await shot(page, `activations-03-hover-1440-${scheme}`);

      // Click: the channel over the photo, with its value range.
      await page.mouse.click(at.x, at.y);
      const panel = page.getByRole('region', { name: `Channel ${channel} of Conv1_relu` });
      await panel.waitFor();
      const img = page.getByTestId('channel-image');
      await img.waitFor({ timeout: 30_000 });
      await page.waitForFunction(
        '(() => { const el = document.querySelector(\'[data-testid="channel-image"]\'); return !!el && el.complete && el.naturalWidth > 0; })()',
      );
      assert.equal(
        await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth),
        512,
        'the overlay has the photo’s width',
      );
      await panel.getByLabel('Value range').waitFor();
      const overlay = await spread(img);
      assert.ok(overlay.stdev > 20, 'the overlay image has content');
      await shot(page, `activations-04-channel-1440-${scheme}`);

      // The smaller window keeps the panel and its buttons in view.
      await page.setViewportSize({ width: 1024, height: 700 });
      const dream = page.getByRole('button', { name: 'Dream on this channel' });
      await dream.scrollIntoViewIfNeeded();
      await shot(page, `activations-05-channel-1024-${scheme}`);
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });

      // Layer navigation: the next-layer button and the arrow key fly on; the list follows.
      const where = page.getByRole('navigation', { name: 'Layer navigation' });
      await where.getByRole('button', { name: 'Next layer' }).click();
      await where.getByText('2 / ').waitFor();
      await page.keyboard.press('ArrowRight');
      await where.getByText('3 / ').waitFor();
      const third = ((await items.nth(2).locator('.name').textContent()) ?? '').trim();
      assert.equal(((await where.locator('strong').textContent()) ?? '').trim(), third);
      await page.waitForTimeout(700); // the flight
      await shot(page, `activations-06-layer3-1024-${scheme}`);

      // Back to the channel, then on to Create with channel:Conv1_relu:C.
      await page.setViewportSize({ width: 1440, height: 900 });
      await items.first().getByRole('button').click();
      await page.waitForTimeout(700);
      const at2 = await hoverAMap(page);
      const ch2 = Number(/channel (\d+)/.exec((await tip.textContent()) ?? '')![1]);
      await page.mouse.click(at2.x, at2.y);
      await page.getByRole('region', { name: `Channel ${ch2} of Conv1_relu` }).waitFor();
      if (scheme === 'light') {
        await page.getByRole('button', { name: 'Dream on this channel' }).click();
        await page.getByRole('heading', { name: 'Create' }).waitFor();
        await page.getByRole('tab', { name: 'DeepDream', selected: true }).waitFor();
        assert.equal(await page.getByRole('textbox', { name: 'Layers' }).inputValue(), 'Conv1_relu');
        assert.equal(await page.getByRole('spinbutton', { name: 'Channel', exact: true }).inputValue(), String(ch2));
        await shot(page, `activations-07-dream-preset-${scheme}`);
      } else {
        await page.getByRole('button', { name: 'CAM for this layer' }).click();
        await page.getByRole('heading', { name: 'Explain' }).waitFor();
        await page.locator('figcaption').filter({ hasText: 'on Conv1_relu' }).waitFor({ timeout: 60_000 });
        assert.equal(await page.getByRole('combobox', { name: 'Layer' }).inputValue(), 'Conv1_relu');
        await shot(page, `activations-07-cam-preset-${scheme}`);
      }
      assert.deepEqual(own(errors), []);
      await context.close();
    });
  }

  it('stays interactive on 97 planes (MobileNetV2, every tensor) while orbiting', async () => {
    const { context, page, errors } = await openStudio(browser, 'dark');
    await page.setViewportSize({ width: 1440, height: 900 });
    await openInside(page);
    // Another photo dropped on the stage is explored here, without leaving the view.
    await dropOn(page, '[aria-label="Inside workspace"]', [sharedPath('photos', 'bird.png')]);
    await page.getByRole('heading', { name: 'Inside the network' }).waitFor();
    await page.getByText(/^bird\.png · layer 1 of \d+$/).waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'All tensors' }).click();
    await page.getByRole('list', { name: 'Layers' }).getByRole('listitem').nth(90).waitFor({ timeout: 90_000 });
    await page.getByRole('progressbar', { name: 'Activations' }).waitFor({ state: 'detached', timeout: 60_000 });
    await page.keyboard.press('End');
    await page.waitForTimeout(700);
    const box = (await page.getByTestId('activations-stage').boundingBox())!;
    // Count frames while the camera orbits (each pointer move redraws the scene).
    await page.evaluate(
      'window.__frames = 0; window.__stop = false; (function tick() { window.__frames++; if (!window.__stop) requestAnimationFrame(tick); })();',
    );
    const t0 = Date.now();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.mouse.down();
    for (let i = 0; i < 60; i++) await page.mouse.move(box.x + box.width * (0.3 + i / 150), box.y + box.height * (0.5 - i / 400));
    await page.mouse.up();
    const seconds = (Date.now() - t0) / 1000;
    const frames = (await page.evaluate('window.__stop = true; window.__frames')) as number;
    const fps = frames / seconds;
    console.log(`orbiting 97 planes at 1440×900: ${fps.toFixed(1)} frames/s in headless Chromium with software WebGL (SwiftShader)`);
    assert.ok(fps >= 5, `interactive while orbiting (${fps.toFixed(1)} fps on software WebGL)`);
    await shot(page, 'activations-08-all-tensors-last-1440-dark');
    // Export PNG: the drawn view, at the canvas' size.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    assert.match(download.suggestedFilename(), /^bird-inside-.+\.png$/);
    const png = Buffer.concat((await (await download.createReadStream()).toArray()) as Buffer[]);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    assert.ok(
      Math.abs(meta.width! - box.width) <= 2 && Math.abs(meta.height! - box.height) <= 2,
      `export ${meta.width}×${meta.height} = the stage`,
    );
    assert.ok(
      (await sharp(png).stats()).channels.some((c) => c.stdev > 12),
      'the export shows the maps',
    );
    assert.deepEqual(own(errors), []);
    await context.close();
  });
});
