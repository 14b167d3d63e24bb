// Playwright helpers for the end-to-end tests: one Debian Chromium, pages on the browser-mode server,
// and real DataTransfer drops built inside the page.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type FileChooser, type Page, type WebSocketRoute } from 'playwright-core';
import type { EngineMessage, JobEvent, ModelMeta, RequestEnvelope } from '../../main/api/contract';
import { decodeFrame, encodeFrame } from '../../main/api/wire';

export const CHROMIUM = process.env.VISION_STUDIO_CHROMIUM ?? '/usr/bin/chromium';
export const studioUrl = process.env.VS_E2E_URL ?? '';
export const shotsDir = path.resolve(process.env.VS_E2E_SHOTS ?? 'test-results');

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface StudioPage {
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** Drops the page's WebSocket to the engine, as a crashed or stopped server would. */
  dropConnection: () => Promise<void>;
}

/**
 * Opens the studio at 1280x800. The page's WebSocket passes through Playwright unchanged, except that
 * `hideLocalModels` removes the bundled (../shared/models) entries from `models.list` answers, so the
 * first-run "no model on disk" state can be seen against the real engine, and `fakeDownload` answers
 * `models.pull` itself with a download job stuck at 40% (this machine has no internet), so the download
 * progress and its Cancel can be exercised.
 */
export async function openStudio(
  browser: Browser,
  scheme: 'light' | 'dark' = 'light',
  opts: { hideLocalModels?: boolean; waitForModels?: boolean; fakeDownload?: boolean } = {},
): Promise<StudioPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme, acceptDownloads: true });
  let socket: WebSocketRoute | undefined;
  await context.routeWebSocket(/\/ws\b/, (ws) => {
    socket = ws;
    const server = ws.connectToServer();
    const listCalls = new Set<number>();
    const toPage = (msg: EngineMessage) => ws.send(Buffer.from(encodeFrame(msg)));
    const jobEvent = (payload: JobEvent) => toPage({ kind: 'event', event: { channel: 'job', payload } });
    ws.onMessage((m) => {
      if (typeof m !== 'string') {
        const req = decodeFrame(new Uint8Array(m)) as RequestEnvelope;
        if (req.method === 'models.list') listCalls.add(req.id);
        const params = req.params as { jobId?: string };
        if (opts.fakeDownload && req.method === 'models.pull') {
          const jobId = 'e2e-download';
          toPage({ kind: 'response', response: { id: req.id, ok: true, result: { jobId } } });
          jobEvent({ type: 'queued', jobId, kind: 'download', label: 'Download MobileNetV2' });
          jobEvent({ type: 'started', jobId });
          jobEvent({ type: 'progress', jobId, fraction: 0.4, etaSeconds: 12 });
          return;
        }
        if (opts.fakeDownload && req.method === 'jobs.cancel' && params.jobId === 'e2e-download') {
          toPage({ kind: 'response', response: { id: req.id, ok: true, result: { cancelled: true } } });
          jobEvent({ type: 'cancelled', jobId: 'e2e-download' });
          return;
        }
      }
      server.send(m);
    });
    server.onMessage((m) => {
      if (opts.hideLocalModels && typeof m !== 'string') {
        const msg = decodeFrame(new Uint8Array(m)) as EngineMessage;
        if (msg.kind === 'response' && msg.response.ok && listCalls.has(msg.response.id)) {
          msg.response.result = (msg.response.result as ModelMeta[]).filter((x) => x.source !== 'builtin');
          m = Buffer.from(encodeFrame(msg));
        }
      }
      ws.send(m);
    });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(studioUrl);
  // The model picker appears once the engine answered models.list with a usable model.
  if (opts.waitForModels !== false && !opts.hideLocalModels)
    await page.getByRole('combobox', { name: 'Model' }).waitFor({ timeout: 90_000 });
  const dropConnection = async () => {
    await socket?.close({ code: 1001, reason: 'test' });
  };
  return { context, page, errors, dropConnection };
}

export interface DropFile {
  name: string;
  bytes: Buffer;
  type?: string;
}

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
};

export function fileFrom(p: string, name = path.basename(p)): DropFile {
  return { name, bytes: fs.readFileSync(p) };
}

/** The few browser globals the in-page helpers use (this file compiles against Node's lib, without the DOM). */
interface PageGlobals {
  DataTransfer: new () => { items: { add(file: unknown): unknown } };
  File: new (bits: Uint8Array[], name: string, opts: { type: string }) => unknown;
  ClipboardEvent: new (type: string, init: Record<string, unknown>) => unknown;
  document: { body: { dispatchEvent(event: unknown): boolean } };
}

/** Fires a paste event whose clipboard holds the given files (as Ctrl+V with a copied image does). */
export async function pasteFiles(page: Page, files: DropFile[]): Promise<void> {
  const payload = files.map((f) => ({
    name: f.name,
    b64: f.bytes.toString('base64'),
    type: f.type ?? MIME[path.extname(f.name).toLowerCase()] ?? '',
  }));
  await page.evaluate((list) => {
    const w = globalThis as unknown as PageGlobals;
    const transfer = new w.DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      transfer.items.add(new w.File([bytes], f.name, { type: f.type }));
    }
    w.document.body.dispatchEvent(new w.ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, payload);
}

/** Builds a DataTransfer holding real File objects in the page and fires dragenter/dragover(/drop) on document.body. */
export async function dragFiles(page: Page, files: DropFile[], opts: { drop?: boolean } = {}): Promise<void> {
  const payload = files.map((f) => ({
    name: f.name,
    b64: f.bytes.toString('base64'),
    type: f.type ?? MIME[path.extname(f.name).toLowerCase()] ?? '',
  }));
  const dt = await page.evaluateHandle((list) => {
    const w = globalThis as unknown as PageGlobals;
    const transfer = new w.DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      transfer.items.add(new w.File([bytes], f.name, { type: f.type }));
    }
    return transfer;
  }, payload);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent('body', 'dragover', { dataTransfer: dt });
  if (opts.drop !== false) await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  await dt.dispose();
}

export async function shot(page: Page, name: string, settleMs = 450): Promise<string> {
  fs.mkdirSync(shotsDir, { recursive: true });
  const file = path.join(shotsDir, `${name}.png`);
  // Let entrance animations (bars, toasts) settle so screenshots show the resting state.
  await page.waitForTimeout(settleMs);
  await page.screenshot({ path: file });
  return file;
}

/**
 * The file chooser a keyboard shortcut opens. Headless Chromium now and then drops a chooser that opens
 * while Playwright is still arming its interception (microsoft/playwright#19051), so a press that shows
 * none within a few seconds is repeated; a shortcut that never opens one still fails.
 */
export async function chooserFromShortcut(page: Page, keys: string): Promise<FileChooser> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const waiting = page.waitForEvent('filechooser', { timeout: 5_000 }).catch(() => null);
    await page.keyboard.press(keys);
    const chooser = await waiting;
    if (chooser) return chooser;
  }
  throw new Error(`${keys} opened no file chooser`);
}
