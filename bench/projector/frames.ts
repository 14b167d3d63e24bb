// The projector's drawing in headless Chromium (software WebGL: SwiftShader, as --disable-gpu gives): a
// browser-mode server for the page, with the page's projector.* calls answered here with a synthetic set
// (n points in ten Gaussian clusters, real JPEG atlas pages of coloured 64 or 32 px cells), so 10,000 and
// 50,000 thumbnails can be drawn without embedding 50,000 images first. Measured: time from "Use" to the
// first frame with the points, the longest main-thread task meanwhile (PerformanceObserver 'longtask'), and
// the frame interval while the view is panned (60 drag steps).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { EngineMessage, JobEvent, RequestEnvelope } from '../../main/api/contract';
import { decodeFrame, encodeFrame } from '../../main/api/wire';
import { atlasLayout, thumbSizeFor } from '../../main/projector/atlas';
import { seededRng } from '../../main/optim/rng';
import { launch } from '../../tests/e2e/studio-page';

export interface FrameResult {
  n: number;
  loadMs: number;
  longestTaskMs: number;
  frameMedianMs: number;
  frameP95Ms: number;
  renderer: string;
}

async function synthetic(n: number) {
  const rng = seededRng(n);
  const coords = new Float32Array(n * 2);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    labels.push(c);
    coords[2 * i] = Math.cos(c * 0.63) * 6 + rng.normal();
    coords[2 * i + 1] = Math.sin(c * 0.63) * 6 + rng.normal();
  }
  const layout = atlasLayout(n, thumbSizeFor(n));
  const pages: Uint8Array[] = [];
  for (const [p, page] of layout.pages.entries()) {
    const buf = Buffer.alloc(page.width * page.height * 3);
    for (let k = 0; k < page.count; k++) {
      const i = p * layout.perPage + k;
      const x0 = (k % layout.perRow) * layout.thumb;
      const y0 = Math.floor(k / layout.perRow) * layout.thumb;
      const shade = 60 + ((i * 37) % 160);
      for (let y = 0; y < layout.thumb; y++)
        for (let x = 0; x < layout.thumb; x++) {
          const o = ((y0 + y) * page.width + x0 + x) * 3;
          const ring = Math.hypot(x - layout.thumb / 2, y - layout.thumb / 2) < layout.thumb / 3;
          buf[o] = ring ? 255 - shade : shade;
          buf[o + 1] = ring ? shade : 255 - shade;
          buf[o + 2] = (x + y) & 0xff;
        }
    }
    pages.push(
      new Uint8Array(
        await sharp(buf, { raw: { width: page.width, height: page.height, channels: 3 } })
          .jpeg({ quality: 85 })
          .toBuffer(),
      ),
    );
  }
  const set = {
    setId: `bench-${n}`,
    model: { id: 'bench', name: 'synthetic' },
    dataset: '/bench',
    root: '/bench',
    classes: Array.from({ length: 10 }, (_, c) => `class-${c}`),
    files: labels.map((c, i) => `/bench/class-${c}/${String(i).padStart(6, '0')}.png`),
    labels,
    predicted: null,
    predictedClasses: [],
    confidence: null,
    dim: 2,
    embedding: 'synthetic',
    found: n,
    skipped: [],
    cached: n,
    atlas: { thumb: layout.thumb, perRow: layout.perRow, perPage: layout.perPage, pages: layout.pages },
    ms: 0,
  };
  const projection = {
    setId: set.setId,
    method: 'umap',
    dims: 2,
    coords: new Uint8Array(coords.buffer),
    varianceRatio: null,
    knnAccuracy: 1,
    ms: 0,
  };
  return { set, pages, projection };
}

/** Starts `vision-studio serve` (the built app: npm run build first) and resolves with its URL and a stop(). */
async function serve(root: string): Promise<{ url: string; stop: () => void }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-bench-projector-'));
  const child = spawn(process.execPath, [path.join(root, 'bin', 'vision-studio.js'), 'serve', '--port', '0'], {
    cwd: root,
    env: { ...process.env, VISION_STUDIO_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const on = (d: Buffer) => {
      log += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(log);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (c) => reject(new Error(`the server exited (${c}): ${log}`)));
    setTimeout(() => reject(new Error('the server printed no URL within 120 s')), 120_000);
  });
  return { url, stop: () => (child.kill('SIGTERM'), fs.rmSync(home, { recursive: true, force: true })) };
}

export async function measureFrames(root: string, sizes: number[]): Promise<FrameResult[]> {
  const server = await serve(root);
  const browser = await launch();
  const results: FrameResult[] = [];
  try {
    for (const n of sizes) {
      const data = await synthetic(n);
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.routeWebSocket(/\/ws\b/, (ws) => {
        const server = ws.connectToServer();
        const toPage = (msg: EngineMessage) => ws.send(Buffer.from(encodeFrame(msg)));
        const job = (payload: JobEvent) => toPage({ kind: 'event', event: { channel: 'job', payload } });
        const finish = (jobId: string, result: unknown) => {
          job({ type: 'queued', jobId, kind: 'bench', label: 'bench' });
          job({ type: 'started', jobId });
          job({ type: 'done', jobId, result });
        };
        ws.onMessage((m) => {
          if (typeof m !== 'string') {
            const req = decodeFrame(new Uint8Array(m)) as RequestEnvelope;
            const reply = (result: unknown) => toPage({ kind: 'response', response: { id: req.id, ok: true, result } as never });
            if (req.method === 'projector.embed') {
              reply({ jobId: `embed-${n}` });
              return void setTimeout(() => finish(`embed-${n}`, data.set), 10);
            }
            if (req.method === 'projector.atlasPage')
              return reply({ mime: 'image/jpeg', bytes: data.pages[(req.params as { page: number }).page] });
            if (req.method === 'projector.project') {
              reply({ jobId: `project-${n}` });
              return void setTimeout(() => finish(`project-${n}`, data.projection), 10);
            }
          }
          server.send(m);
        });
        server.onMessage((m) => ws.send(m));
      });
      await context.addInitScript(() => {
        const w = globalThis as unknown as { __longest: number };
        w.__longest = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__longest = Math.max(w.__longest, e.duration);
        }).observe({ type: 'longtask', buffered: true } as never);
      });
      const page = await context.newPage();
      await page.goto(server.url);
      await page.keyboard.press('0');
      await page.getByRole('heading', { name: 'Embedding projector' }).waitFor();
      // A model must be selectable: the server lists the shared models.
      await page.getByRole('combobox', { name: 'Model' }).locator('option').first().waitFor({ state: 'attached' });
      await page.evaluate(() => ((globalThis as unknown as { __longest: number }).__longest = 0));
      await page.getByText('A folder on the engine’s machine').click();
      await page.getByRole('textbox', { name: 'Folder path' }).fill('/bench');
      const t0 = Date.now();
      await page.getByRole('button', { name: 'Use', exact: true }).click();
      await page.getByText(/folders kept apart/).waitFor({ timeout: 300_000 });
      // The points are drawn once the canvas shows something besides its background.
      const canvas = page.getByTestId('projector-canvas');
      for (;;) {
        const { data: px } = await sharp(await canvas.screenshot({ scale: 'css' }))
          .resize(64, 40)
          .raw()
          .toBuffer({ resolveWithObject: true });
        let differ = 0;
        for (let i = 0; i < px.length; i += 3) if (Math.abs(px[i] - px[0]) + Math.abs(px[i + 1] - px[1]) > 30) differ++;
        if (differ > 20) break;
        if (Date.now() - t0 > 300_000) throw new Error('the points never appeared');
        await page.waitForTimeout(100);
      }
      const loadMs = Date.now() - t0;
      const longestTaskMs = await page.evaluate(() => (globalThis as unknown as { __longest: number }).__longest);
      // Plain strings: tsx would wrap named functions in a helper the page does not have.
      const renderer = String(
        await page.evaluate(`(() => {
          const gl = document.createElement('canvas').getContext('webgl2');
          const ext = gl && gl.getExtension('WEBGL_debug_renderer_info');
          return ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown';
        })()`),
      );
      // Pan for 60 steps while the page records its frame times.
      await page.evaluate(`(() => {
        window.__frames = [];
        window.__stop = false;
        let last = performance.now();
        const tick = (t) => {
          window.__frames.push(t - last);
          last = t;
          if (!window.__stop) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      })()`);
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 300, box.y + box.height / 2 + 120, { steps: 60 });
      await page.mouse.up();
      const frames = (await page.evaluate('(window.__stop = true, window.__frames.slice(2))')) as number[];
      const sorted = [...frames].sort((a, b) => a - b);
      results.push({
        n,
        loadMs,
        longestTaskMs,
        frameMedianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN,
        frameP95Ms: sorted[Math.floor(sorted.length * 0.95)] ?? NaN,
        renderer,
      });
      await context.close();
    }
  } finally {
    await browser.close();
    server.stop();
  }
  return results;
}
