// The desktop shell's security decisions as plain functions of their inputs (no `electron` import), so tests run them
// as they are without an Electron binary: which URLs are pages of ours, which links may open in the user's browser,
// which permission a page gets, the window's web preferences. security.ts, app-protocol.ts and window.ts apply them.
import { contentSecurityPolicy } from '../main/server/csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'studio';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The Content-Security-Policy every app://studio response carries (app-protocol.ts). */
export const CSP = contentSecurityPolicy();

/** Whether `url` is a page of ours: app://studio/... */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url); // custom schemes have an opaque origin in WHATWG URL: compare scheme and host
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The dev server URL (electron-vite's ELECTRON_RENDERER_URL), only in an unpackaged run and only on localhost over
 * http: a packaged app must never load its UI from whatever an environment variable names.
 */
export function devUrlFrom(envUrl: string | undefined, packaged: boolean): string | null {
  if (packaged || !envUrl) return null;
  try {
    const u = new URL(envUrl);
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1') ? u.href : null;
  } catch {
    return null;
  }
}

/** A page of ours: app://studio/..., or the dev server's origin (when there is one). */
export function isTrustedUrlGiven(url: string, dev: string | null): boolean {
  if (isAppUrl(url)) return true;
  if (!dev) return false;
  try {
    return new URL(url).origin === new URL(dev).origin;
  } catch {
    return false;
  }
}

/** Hosts whose https links the studio may open in the user's browser. */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set([
  'github.com',
  'onnx.ai',
  'onnxruntime.ai',
  'pytorch.org',
  'arxiv.org',
  'www.electronjs.org',
]);

/** The normalised link to hand to the browser, or null: https, an allowlisted host, no credentials. */
export function externalLink(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && EXTERNAL_HOSTS.has(u.hostname) && !u.username && !u.password ? u.href : null;
  } catch {
    return null;
  }
}

/** Every permission is denied except a page of ours writing to the clipboard (Copy image). */
export function permissionAllowed(permission: string, trusted: boolean): boolean {
  return permission === 'clipboard-sanitized-write' && trusted;
}

/** The one window's web preferences: sandboxed, isolated, no Node in the page, web security on. */
export function webPreferences(preload: string) {
  return { preload, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true } as const;
}
