// The Graph tool in real Chromium against browser mode, on MobileNetV2 from ../shared/models: the graph is
// laid out with shapes on its edges, a new input size changes them, a found conv's arithmetic panel shows
// the output-size formula with its own numbers, the math renders, the table exports a CSV whose rows are
// the model's blocks, the graph exports as SVG, "The math" opens beside Explain, Create and Train with the model's numbers, residual stages fold to their blocks or stages; screenshots at 1440×900 and 1024×700 in both themes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { sharedModelsDir, sharedSkipReason } from '../helpers/shared-models';
import { launch, openStudio, shot, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;

/** An edge label with this exact text is drawn on the canvas. */
const edgeLabel = (page: Page, text: string) => page.locator('text.edge-label', { hasText: new RegExp(`^${text}$`) });

async function openGraph(page: Page): Promise<void> {
  await page
    .getByRole('combobox', { name: 'Model' })
    .selectOption({ label: 'MobileNetV2 1.0 (224)' })
    .catch(() => undefined);
  await page.keyboard.press('7');
  await page.getByRole('heading', { name: 'Graph', exact: true }).waitFor();
  await edgeLabel(page, '1×3×224×224').waitFor({ timeout: 60_000 });
}

async function useSize(page: Page, size: string): Promise<void> {
  const field = page.getByRole('textbox', { name: 'Input size' });
  await field.fill(size);
  await field.press('Enter');
}

describe('graph view in the browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('MobileNetV2: shapes follow the input size, a conv explains its arithmetic, the table exports', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await page.setViewportSize({ width: 1440, height: 900 });
    await openGraph(page);
    const model = await page.getByRole('combobox', { name: 'Model' }).inputValue();
    assert.match(model, /mobilenet/i, 'the studio opens on MobileNetV2');

    // Every edge carries a shape; the stem's output is 24 channels at a quarter of the input.
    assert.ok((await page.locator('text.edge-label').count()) >= 10, 'edges are labelled');
    await edgeLabel(page, '1×24×56×56').first().waitFor();

    await useSize(page, '160');
    await edgeLabel(page, '1×3×160×160').waitFor({ timeout: 30_000 });
    await edgeLabel(page, '1×24×40×40').first().waitFor();
    assert.equal(await edgeLabel(page, '1×3×224×224').count(), 0, 'the old input shape is gone');
    assert.match((await page.locator('header.head p').textContent()) ?? '', /at 160×160/);

    // Find the first conv: it is inside the folded stem, so finding it unfolds the stem.
    const search = page.getByRole('searchbox', { name: 'Find a layer or node' });
    await search.fill('Conv1');
    await search.press('Enter');
    await page.locator('aside h2', { hasText: /^Conv1$/ }).waitFor();
    await page.locator('[data-testid="graph-box"][aria-label="Conv Conv1"]').waitFor();
    await page.getByRole('tab', { name: 'Arithmetic' }).click();
    // TF-style SAME padding: 0 before, 1 after; 3×3 kernel, stride 2, 160 → 80.
    const formula = page.getByTestId('conv-formula').first();
    assert.equal((await formula.textContent())?.trim(), '⌊(160 + 0 + 1 − 1·(3 − 1) − 1)/2⌋ + 1 = 80');
    await page.locator('section[aria-label="Conv arithmetic"] svg').waitFor();
    await shot(page, 'graph-arithmetic-1440-light');

    await page.getByRole('tab', { name: 'The math' }).click();
    await page.locator('section[aria-label="The math"] .katex').first().waitFor();
    const math = (await page.locator('section[aria-label="The math"]').textContent()) ?? '';
    assert.ok(math.includes('W ∈ 32×3×3×3') && math.includes('Y ∈ 32×80×80'), 'the math names this conv’s shapes');

    // A second conv with symmetric padding: the depthwise 3×3 at stride 1 keeps 80.
    await search.fill('expanded_conv_depthwise');
    await search.press('Enter');
    await page.getByRole('tab', { name: 'Arithmetic' }).click();
    await page.getByTestId('conv-formula').first().filter({ hasText: '⌊(80 + 2·1 − 1·(3 − 1) − 1)/1⌋ + 1 = 80' }).waitFor();

    // Residual stages show their residual blocks by default; "Stages" folds them back to layer1 … layer4.
    const box = (title: string) => page.locator(`[data-testid="graph-box"][aria-label="${title}"]`);
    await box('layer3.1').waitFor();
    assert.equal(await box('layer3').count(), 0, 'no stage box while blocks are shown');
    await page.getByRole('button', { name: 'Stages', exact: true }).click();
    await box('layer3').waitFor();
    assert.equal(await box('layer3.1').count(), 0, 'the stage holds its blocks');
    assert.ok(await page.locator('[data-testid="graph-box"][aria-label="Conv Conv1"]').isVisible(), 'the unfolded stem stays unfolded');

    // The table, sorted by MACs, and its CSV.
    await page.getByRole('tab', { name: 'Layers' }).click();
    const table = page.getByRole('table', { name: 'Layers' });
    await table.waitFor();
    await page.getByRole('button', { name: 'MACs', exact: true }).click();
    const firstRow = table.locator('tbody tr').first();
    assert.equal(await firstRow.locator('td.name').textContent(), 'layer3', 'layer3 costs the most MACs');
    const waiting = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const dl = await waiting;
    assert.match(dl.suggestedFilename(), /160x160-layers\.csv$/);
    const csv = fs
      .readFileSync((await dl.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    assert.equal(csv[0], 'layer,op,output_shape,params,macs,flops,activation_bytes,rf_px,stride_px');
    const rows = csv.slice(1, -1).map((l) => l.split(','));
    assert.equal(rows.length, await table.locator('tbody tr').count(), 'one CSV row per table row');
    const stem = rows.find((r) => r[0] === 'stem')!;
    assert.deepEqual(stem.slice(1, 3), ['Conv', '1×24×40×40']);
    assert.equal(Number(stem[5]), 2 * Number(stem[4]), 'FLOPs = 2 × MACs');
    const total = csv[csv.length - 1].split(',');
    assert.equal(total[0], 'total');
    assert.equal(
      Number(total[3]),
      rows.reduce((a, r) => a + Number(r[3]), 0),
      'the total is the column sum',
    );
    assert.ok(Number(total[3]) > 3_400_000 && Number(total[3]) < 3_600_000, `MobileNetV2 has ~3.5 M parameters (${total[3]})`);
    await shot(page, 'graph-table-1440-light');

    // The graph as SVG.
    await page.getByRole('tab', { name: 'Graph', exact: true }).click();
    await edgeLabel(page, '1×3×160×160').waitFor();
    const svgWait = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export SVG' }).click();
    const svg = fs.readFileSync((await (await svgWait).path())!, 'utf8');
    assert.ok(svg.includes('<svg') && svg.includes('1×3×160×160') && svg.includes('Conv1'), 'the SVG holds the graph and its shapes');
    const pngWait = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export PNG' }).click();
    const png = fs.readFileSync((await (await pngWait).path())!);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', 'the PNG export is a PNG');
    assert.ok(png.length > 20_000, `the PNG holds a drawing (${png.length} bytes)`);

    assert.deepEqual(errors, []);
    await context.close();
  });

  it('“The math” beside Explain, Create (style) and Train carries the model’s numbers', async () => {
    const { context, page, errors } = await openStudio(browser, 'light');
    await page.setViewportSize({ width: 1440, height: 900 });
    const rail = page.getByRole('navigation', { name: 'Tools' });
    const openMath = async () => {
      await page.getByRole('button', { name: 'The math' }).click();
      const panel = page.locator('section[aria-label="The math"]');
      await panel.locator('.katex').first().waitFor();
      return (await panel.textContent()) ?? '';
    };
    // Explain: Grad-CAM on MobileNetV2's suggested map, 1280 channels of 7×7.
    await rail.getByRole('button', { name: 'Explain' }).click();
    const cam = await openMath();
    assert.ok(cam.includes('1280 channels, 7×7') && cam.includes('49'), `Grad-CAM's K and H×W: ${cam.slice(0, 300)}`);
    await shot(page, 'math-explain-1440-light');
    // Create's style tool: a Gram matrix per default style layer with its size.
    await rail.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('tab', { name: 'Style' }).click();
    const gram = await openMath();
    assert.ok(gram.includes('Gram matrix') && /\d+ channels, \d+×\d+ at the model’s own input size/.test(gram), gram.slice(0, 300));
    await shot(page, 'math-create-1440-light');
    // Train: cross-entropy and the penalties, under More options.
    await rail.getByRole('button', { name: 'Train' }).click();
    await page.locator('summary', { hasText: 'More options' }).click();
    const ce = await openMath();
    assert.ok(ce.includes('Cross-entropy') && ce.includes('torch.nn.CrossEntropyLoss'), ce.slice(0, 300));
    await shot(page, 'math-train-1440-light');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('fits 1440×900 and 1024×700 in light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await openStudio(browser, scheme);
      const missing: string[] = [];
      page.on('response', (r) => void (r.status() >= 400 && missing.push(`${r.status()} ${r.url()}`)));
      for (const size of [
        { width: 1440, height: 900 },
        { width: 1024, height: 700 },
      ]) {
        await page.setViewportSize(size);
        await openGraph(page);
        await page.waitForTimeout(300);
        const overflow = await page.evaluate(() => {
          const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document
            .documentElement;
          return d.scrollWidth - d.clientWidth;
        });
        assert.ok(overflow <= 0, `no horizontal scroll at ${size.width}`);
        const header = (await page.locator('header.head').boundingBox())!;
        assert.ok(header.height <= 64, `the header is one row at ${size.width} (${header.height} px)`);
        await shot(page, `graph-${size.width}-${scheme}`);
        await page.locator('[data-testid="graph-box"][aria-label="layer2.1"]').click();
        await page.getByRole('tab', { name: 'Arithmetic' }).click();
        await page.getByTestId('conv-formula').first().waitFor();
        await shot(page, `graph-arith-${size.width}-${scheme}`);
        await page.getByRole('tab', { name: 'The math' }).click();
        await shot(page, `graph-math-${size.width}-${scheme}`);
        await page.getByRole('tab', { name: 'Layers' }).click();
        await shot(page, `graph-table-${size.width}-${scheme}`);
        await page.getByRole('tab', { name: 'Graph', exact: true }).click();
        await page.getByRole('tab', { name: 'Details' }).click();
      }
      assert.deepEqual(errors, [], `failed requests: ${missing.join(', ')}`);
      await context.close();
    }
  });
});
