// The shared image viewer and photos that follow the person, in real Chromium against browser mode:
// a classified photo fits its stage centred and unstretched, 1:1 shows image pixels, the wheel zooms about the
// pointer, a drag pans, Copy puts a PNG on the clipboard, the fitted picture drags out as a file; the heat map
// wipes against the photo; a photo picked from a batch is the one Explain and Create work on, ←/→ step
// through the batch, and "Where does it look?" is on every classified photo.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../helpers/shared-models';
import { dragFiles, fileFrom, launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;

interface Shape {
  naturalWidth: number;
  naturalHeight: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The picture's natural size and where it is drawn on screen (after the viewer's transform). */
async function shape(img: Locator): Promise<Shape> {
  return img.evaluate((el) => {
    const i = el as unknown as { naturalWidth: number; naturalHeight: number; getBoundingClientRect(): Shape };
    const r = i.getBoundingClientRect();
    return { naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, x: r.x, y: r.y, width: r.width, height: r.height };
  });
}

async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(150);
}

describe('image viewer and travelling photos in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('fit, 1:1, wheel zoom about the pointer, pan, copy as PNG, drag out; the heat map wipes against the photo', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.setViewportSize({ width: 1440, height: 900 });
    await dragFiles(page, [fileFrom(sharedPath('photos', 'cat.png'))]);
    await page.locator('.top1').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 30_000 });
    const viewer = page.getByRole('group', { name: 'Photo cat.png' });
    const img = viewer.getByRole('img', { name: 'cat.png' });
    await img.waitFor();
    await settle(page);
    const box = (await viewer.boundingBox())!;
    let s = await shape(img);
    assert.ok(Math.abs(s.width / s.height - s.naturalWidth / s.naturalHeight) < 0.01, 'fitted, not stretched');
    assert.ok(Math.abs(s.x + s.width / 2 - (box.x + box.width / 2)) < 2, 'centred across');
    // Centred down in what the toolbar leaves (a 44 px band on top), which the fitted picture never goes under.
    assert.ok(Math.abs(s.y + s.height / 2 - (box.y + (box.height + 44) / 2)) < 2, 'centred down below the toolbar band');
    const bar = (await viewer.getByRole('toolbar').first().boundingBox())!;
    assert.ok(bar.y + bar.height <= s.y + 1, `the toolbar (bottom ${bar.y + bar.height}) is above the picture (top ${s.y})`);
    assert.ok(Math.abs(s.width - box.width + 2) < 2 || Math.abs(s.height - box.height + 2 + 44) < 2, 'fills the stage on one axis');
    assert.equal(await img.getAttribute('draggable'), 'true', 'the fitted picture drags out to save');
    await shot(page, 'viewer-01-fit-1440-light');

    // 1:1: one image pixel per screen pixel.
    await viewer.getByRole('button', { name: '1:1' }).click();
    await settle(page);
    s = await shape(img);
    assert.ok(Math.abs(s.width - s.naturalWidth) < 1, `1:1 shows ${s.naturalWidth} px as ${s.width}`);
    await viewer.getByRole('button', { name: 'Fit' }).click();

    // Wheel zoom about the pointer: once the picture overflows the stage both ways (two notches, ×3; before that
    // an axis that fits is kept centred below the toolbar band), the picture point under the pointer stays put.
    await settle(page);
    const fitShape = await shape(img);
    await page.mouse.move(fitShape.x + fitShape.width / 2, fitShape.y + fitShape.height / 2);
    for (let i = 0; i < 2; i++) {
      await page.mouse.wheel(0, -300);
      await settle(page);
    }
    s = await shape(img);
    assert.ok(s.height > box.height && s.width > box.width, 'two notches: the picture overflows the stage both ways');
    // A point inside the stage (clear of the toolbar), and where it falls on the picture.
    const px = box.x + box.width * 0.3;
    const py = box.y + box.height * 0.6;
    const fx = (px - s.x) / s.width;
    const fy = (py - s.y) / s.height;
    await page.mouse.move(px, py);
    for (let i = 0; i < 2; i++) {
      await page.mouse.wheel(0, -300);
      await settle(page);
    }
    const z = await shape(img);
    assert.ok(z.width > s.width * 2.5, `zoomed in (${s.width} → ${z.width})`);
    assert.ok(
      Math.abs(z.x + z.width * fx - px) < 3 && Math.abs(z.y + z.height * fy - py) < 3,
      `the point under the pointer stays put (${JSON.stringify({ px, py, s, z })})`,
    );
    assert.equal(await img.getAttribute('draggable'), 'false', 'zoomed in, a drag pans instead');
    // Pan: the picture follows the drag.
    await page.mouse.down();
    await page.mouse.move(px - 120, py - 60, { steps: 5 });
    await page.mouse.up();
    const p = await shape(img);
    assert.ok(Math.abs(p.x - (z.x - 120)) < 3 && Math.abs(p.y - (z.y - 60)) < 3, 'panned with the pointer');
    await shot(page, 'viewer-02-zoomed-1440-light');

    // Copy: the clipboard holds a PNG of the picture.
    await viewer.getByRole('button', { name: 'Copy' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Copied the picture' })
      .waitFor({ timeout: 10_000 })
      .catch(async (e) =>
        assert.fail(`${(e as Error).message}; toasts: ${await page.locator('[role=alert], [role=status]').allTextContents()}`),
      );
    const types = await page.evaluate(async () => {
      const nav = (globalThis as unknown as { navigator: { clipboard: { read(): Promise<{ types: string[] }[]> } } }).navigator;
      return (await nav.clipboard.read()).flatMap((i) => i.types);
    });
    assert.deepEqual(types, ['image/png']);

    // Explain: the heat map in the same viewer, with a wipe against the photo dragged on the picture.
    await page.keyboard.press('2');
    const cam = page.getByTestId('cam-image');
    await cam.waitFor({ timeout: 60_000 });
    const heat = page.getByRole('group', { name: 'Heat map' });
    await heat.getByRole('radio', { name: 'Wipe' }).click();
    const photo = heat.getByRole('img', { name: 'Photo cat.png' });
    await photo.waitFor();
    const hb = (await cam.boundingBox())!;
    await page.mouse.move(hb.x + hb.width * 0.5, hb.y + hb.height / 2);
    await page.mouse.down();
    await page.mouse.move(hb.x + hb.width * 0.25, hb.y + hb.height / 2, { steps: 4 });
    await page.mouse.up();
    const style = (await photo.getAttribute('style')) ?? '';
    const cut = Number(/inset\(0(?:px)? ([\d.]+)%/.exec(style)?.[1]);
    assert.ok(Math.abs(cut - 75) < 2, `the photo shows left of the wipe at 25% (${style})`);
    assert.equal(
      await heat.getByRole('slider', { name: 'Before/after wipe position' }).getAttribute('aria-valuenow'),
      String(Math.round(100 - cut)),
    );
    await shot(page, 'viewer-03-heatmap-wipe-1440-light');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a photo picked from a batch is the current photo in Explain and Create; ←/→ step through the batch', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await openStudio(browser, scheme);
      for (const size of [
        { width: 1440, height: 900 },
        { width: 1024, height: 700 },
      ]) {
        await page.setViewportSize(size);
        await page.keyboard.press('1');
        if (size.width === 1440) {
          await dragFiles(
            page,
            ['bird.png', 'cat.png', 'sunflower.png'].map((f) => fileFrom(sharedPath('photos', f))),
          );
          const cards = page.getByRole('list', { name: 'Results' }).getByRole('button');
          for (const f of ['bird.png', 'cat.png', 'sunflower.png'])
            await cards.filter({ hasText: f }).filter({ hasText: '%' }).waitFor({ timeout: 60_000 });
          await cards.filter({ hasText: 'cat.png' }).click();
        }
        const result = page.getByRole('complementary', { name: 'Result for cat.png' });
        await result.locator('.top1').waitFor({ timeout: 10_000 });
        // ←/→ move through the batch (wrapping), and so do the buttons.
        await page.keyboard.press('ArrowRight');
        await page.getByRole('complementary', { name: 'Result for sunflower.png' }).waitFor();
        await page.keyboard.press('ArrowRight');
        await page.getByRole('complementary', { name: 'Result for bird.png' }).waitFor();
        await page.getByRole('button', { name: 'Next photo' }).click();
        await result.waitFor();
        await page.getByText('2 of 3').waitFor();
        await shot(page, `viewer-04-batch-photo-${size.width}-${scheme}`);
        // "Where does it look?" on a batch photo: Explain works on cat.png.
        await result.getByRole('button', { name: 'Where does it look?' }).click();
        await page.getByRole('heading', { name: 'Explain', exact: true }).waitFor();
        await page.locator('header.head').getByText('cat.png').waitFor();
        await page.locator('figcaption').filter({ hasText: 'Egyptian cat' }).waitFor({ timeout: 60_000 });
        await shot(page, `viewer-05-explain-batch-photo-${size.width}-${scheme}`);
        // Create takes the same photo.
        await page.keyboard.press('3');
        await page.getByRole('region', { name: 'Images' }).getByText('cat.png').waitFor();
        await shot(page, `viewer-06-create-batch-photo-${size.width}-${scheme}`);
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});
