// The optimiser playground in real Chromium against browser mode (software WebGL: SwiftShader): the 3-D view
// draws a surface (its pixels are not uniform), the Step button moves every racer's marker (read from the
// legend's data- attributes, which the view fills from the same race the scenes draw), clicking the contour map
// moves the start, Space/→/R drive the race, the view exports a PNG and records a GIF; screenshots at
// 1440×900 and 1024×700 in both themes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Download, Page } from 'playwright-core';
import sharp from 'sharp';
import { launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;
const KINDS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam'];

interface Marker {
  x: number;
  y: number;
  steps: number;
}

async function markers(page: Page): Promise<Record<string, Marker>> {
  const out: Record<string, Marker> = {};
  for (const k of KINDS) {
    const row = page.getByTestId(`pg-racer-${k}`);
    out[k] = {
      x: Number(await row.getAttribute('data-x')),
      y: Number(await row.getAttribute('data-y')),
      steps: Number(await row.getAttribute('data-steps')),
    };
  }
  return out;
}

async function steps(page: Page): Promise<number> {
  return Number(await page.getByTestId('playground').getAttribute('data-steps'));
}

async function openPlayground(page: Page): Promise<void> {
  await page.keyboard.press('9');
  await page.getByRole('heading', { name: 'Optimiser playground', exact: true }).waitFor();
}

/** Standard deviation of the grey levels of an element's screenshot: 0 for a blank canvas. */
async function spread(page: Page, testId: string): Promise<number> {
  const png = await page.getByTestId(testId).screenshot();
  const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let s = 0;
  let s2 = 0;
  for (const v of data) {
    s += v;
    s2 += v * v;
  }
  const mean = s / data.length;
  return Math.sqrt(s2 / data.length - mean * mean);
}

async function saved(download: Download): Promise<Buffer> {
  const p = await download.path();
  return fs.readFileSync(p);
}

describe('optimiser playground in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('draws the surface in WebGL, steps every racer, moves the start, exports PNG and GIF', async () => {
    const { context, page, errors } = await openStudio(browser, 'light', { waitForModels: false });
    await page.setViewportSize({ width: 1440, height: 900 });
    await openPlayground(page);

    // WebGL (SwiftShader here) draws the Rosenbrock surface: not a blank canvas, and no fallback message.
    assert.equal(await page.getByRole('alert').filter({ hasText: 'WebGL' }).count(), 0, 'WebGL is available in this Chromium');
    await page.waitForTimeout(500);
    const glSpread = await spread(page, 'pg-3d');
    assert.ok(glSpread > 10, `the 3-D canvas shows a picture (grey-level spread ${glSpread.toFixed(1)})`);
    assert.ok((await spread(page, 'pg-contour')) > 10, 'the contour map is drawn');

    // Step: every marker leaves the start by one step.
    const before0 = await markers(page);
    for (const k of KINDS)
      assert.deepEqual([before0[k].x, before0[k].y, before0[k].steps], [-1.2, 1, 0], `${k} starts at Rosenbrock's start`);
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    const after1 = await markers(page);
    for (const k of KINDS) {
      assert.equal(after1[k].steps, 1, `${k} took one step`);
      assert.ok(after1[k].x !== before0[k].x || after1[k].y !== before0[k].y, `${k}'s marker moved`);
    }
    // The first SGD step is -lr·∇f at (-1.2, 1): ∇f = (-215.6, -88), lr 1e-3.
    assert.ok(
      Math.abs(after1.sgd.x - (-1.2 + 0.2156)) < 1e-12 && Math.abs(after1.sgd.y - (1 + 0.088)) < 1e-12,
      'SGD took torch’s first step',
    );

    // Play, then pause: the race advances on its own.
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(800);
    await page.getByRole('button', { name: 'Pause' }).click();
    const played = await steps(page);
    assert.ok(played > 5, `playing advanced the race (${played} steps)`);

    // Step-by-step mode draws arrows; the screenshot shows them.
    await page.getByRole('checkbox', { name: 'Show gradient and update' }).check();
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await shot(page, 'playground-rosenbrock-1440-light');

    // Keyboard: R resets, → steps, Space plays and pauses.
    await page.getByTestId('pg-3d').hover();
    await page.keyboard.press('r');
    assert.equal(await steps(page), 0, 'R reset the race');
    await page.keyboard.press('ArrowRight');
    assert.equal(await steps(page), 1, '→ took one step');
    await page.keyboard.press(' ');
    await page.waitForTimeout(400);
    await page.keyboard.press(' ');
    assert.ok((await steps(page)) > 1, 'Space played the race');

    // A click on the contour map moves the start there: every racer is back at the new start.
    const box = (await page.getByTestId('pg-contour').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.5);
    const moved = await markers(page);
    for (const k of KINDS) assert.equal(moved[k].steps, 0, `${k} restarted`);
    assert.ok(moved.sgd.x > 0.5 && moved.sgd.x < 1.5, `the start moved to the right half (x = ${moved.sgd.x})`);
    // And a click on the 3-D surface (its middle is on the mesh) moves it again.
    const box3 = (await page.getByTestId('pg-3d').boundingBox())!;
    await page.mouse.click(box3.x + box3.width * 0.5, box3.y + box3.height * 0.6);
    const moved3 = await markers(page);
    assert.ok(moved3.sgd.x !== moved.sgd.x || moved3.sgd.y !== moved.sgd.y, 'clicking the 3-D surface picked a new start');

    // Export PNG: a real PNG of the view.
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    assert.match(png.suggestedFilename(), /^descent-rosenbrock-step\d+\.png$/);
    const meta = await sharp(await saved(png)).metadata();
    assert.equal(meta.format, 'png');
    assert.ok((meta.width ?? 0) > 600 && (meta.height ?? 0) > 400, `PNG ${meta.width}×${meta.height}`);

    // Record a GIF of the race: it plays, then Stop saves an animated GIF.
    await page.getByRole('button', { name: 'Record GIF' }).click();
    await page.waitForTimeout(1500);
    const [gif] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Stop GIF/ }).click()]);
    const bytes = await saved(gif);
    assert.equal(bytes.subarray(0, 6).toString('latin1'), 'GIF89a');
    const frames = (await sharp(bytes, { animated: true }).metadata()).pages ?? 1;
    assert.ok(frames > 2, `the GIF is animated (${frames} frames)`);

    // Beale, another surface.
    await page.getByRole('combobox', { name: 'Surface' }).selectOption('beale');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(1200);
    await page.getByRole('button', { name: 'Pause' }).click();
    await shot(page, 'playground-beale-1440-light');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.waitForTimeout(300);
    await shot(page, 'playground-beale-1024-light');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("offers your model's loss, and says what it needs when the studio has no training run", async () => {
    const { context, page, errors } = await openStudio(browser, 'light', { waitForModels: false });
    await page.setViewportSize({ width: 1440, height: 900 });
    await openPlayground(page);
    await page.getByLabel('Surface', { exact: true }).selectOption('model');
    const panel = page.getByTestId('pg-model');
    await panel.waitFor();
    await panel.getByText(/Looking for training runs/).waitFor({ state: 'detached' });
    // Another e2e file may have trained in this server: then the runs are listed instead.
    if (await page.getByTestId('pg-model-empty').count()) {
      assert.match(await page.getByTestId('pg-model-empty').innerText(), /No finished training run yet\. Train a classifier first/);
      assert.equal(await panel.getByRole('button', { name: 'Open Train' }).count(), 1);
      await shot(page, 'playground-model-empty-1440-light');
      await panel.getByRole('button', { name: 'Open Train' }).click();
      await page.getByRole('heading', { name: 'Train', exact: true }).waitFor();
    } else {
      assert.ok((await panel.getByLabel('Training run').locator('option').count()) > 0, 'the training runs are listed');
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('dark theme at both sizes, and leaving the view releases the WebGL context', async () => {
    const { context, page, errors } = await openStudio(browser, 'dark', { waitForModels: false });
    await page.setViewportSize({ width: 1024, height: 700 });
    await openPlayground(page);
    await page.getByRole('combobox', { name: 'Surface' }).selectOption('himmelblau');
    await page.getByRole('combobox', { name: 'Steps per frame' }).selectOption('10');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(1200);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Hyperparameters of Adam' }).click();
    await page.waitForTimeout(300);
    assert.ok((await spread(page, 'pg-3d')) > 10, 'the dark 3-D view shows a picture');
    await shot(page, 'playground-himmelblau-1024-dark');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.waitForTimeout(300);
    await shot(page, 'playground-himmelblau-1440-dark');

    // An invalid hyperparameter (β₁ = 1) is refused with torch's reason, and the others race on.
    const beta1 = page.getByRole('spinbutton').nth(1);
    await beta1.fill('1');
    await beta1.dispatchEvent('change');
    await page.getByTestId('pg-racer-adam').getByText('invalid beta1').waitFor();

    // Leaving the view disposes the scene: no canvas left, and coming back draws again.
    await beta1.blur();
    await page.keyboard.press('1');
    assert.equal(await page.getByTestId('pg-3d').count(), 0);
    await openPlayground(page);
    await page.waitForTimeout(400);
    assert.ok((await spread(page, 'pg-3d')) > 10, 'the view draws again after coming back');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
