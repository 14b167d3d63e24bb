// The Electron security checklist items that live outside the window options: who may call the engine over IPC,
// which permissions a page gets (none but writing an image to the clipboard), which links leave for the browser,
// and what any web contents may open, attach or navigate to.
import { app, shell, type IpcMainInvokeEvent, type Session, type WebContents } from 'electron';
import { isAppUrl } from './app-protocol';

/**
 * The dev server URL (electron-vite's ELECTRON_RENDERER_URL), only in an unpackaged run: a packaged app must never load
 * its UI from whatever an environment variable names.
 */
export function devRendererUrl(): string | null {
  const url = process.env.ELECTRON_RENDERER_URL;
  if (app.isPackaged || !url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1') ? u.href : null;
  } catch {
    return null;
  }
}

/** A page of ours: app://studio/..., or the dev server's origin in an unpackaged run. */
export function isTrustedUrl(url: string): boolean {
  if (isAppUrl(url)) return true;
  const dev = devRendererUrl();
  if (!dev) return false;
  try {
    return new URL(url).origin === new URL(dev).origin;
  } catch {
    return false;
  }
}

/** IPC only from the main frame of a page of ours (not an iframe, not a page navigated elsewhere). */
export function isTrustedSender(e: IpcMainInvokeEvent): boolean {
  const frame = e.senderFrame;
  return !!frame && frame === e.sender.mainFrame && isTrustedUrl(frame.url);
}

/** Links the studio may open in the user's browser: https on these hosts only. */
const EXTERNAL_HOSTS = new Set(['github.com', 'onnx.ai', 'onnxruntime.ai', 'pytorch.org', 'arxiv.org', 'www.electronjs.org']);

export function openExternalIfAllowed(url: string): void {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' && EXTERNAL_HOSTS.has(u.hostname) && !u.username && !u.password) void shell.openExternal(u.href);
  } catch {
    // not a URL: nothing to open
  }
}

/** Deny every permission request and check, except a page of ours writing to the clipboard (Copy image). */
export function hardenSession(session: Session): void {
  const allowed = (permission: string, url: string) => permission === 'clipboard-sanitized-write' && isTrustedUrl(url);
  session.setPermissionRequestHandler((wc, permission, callback, details) =>
    callback(allowed(permission, details.requestingUrl ?? wc.getURL())),
  );
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowed(permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}

/** Every web contents: no new windows (links go through the allowlist), no <webview>, no navigation away. */
export function lockDownContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => {
    if (!isTrustedUrl(e.url)) e.preventDefault();
  });
}
