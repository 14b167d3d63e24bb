// The renderer is served from app://studio/, a privileged custom scheme, instead of file://: a page on file:// may
// read other file:// URLs and shares its origin with every local file, while app://studio is one origin that can
// only reach the built renderer folder. Paths are resolved by the browser-mode server's total resolver (bad escapes,
// NUL and anything outside the folder are answered, never thrown), and every response carries the CSP as a header.
import fs from 'node:fs';
import { protocol } from 'electron';
import { contentType, resolveStatic } from '../main/server/static-files';
import { APP_HOST, APP_SCHEME, CSP } from './policy';

export { APP_URL, isAppUrl } from './policy';

/** Must run before app 'ready': a standard, secure scheme gets an origin, fetch, workers and the code cache. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serves `rendererDir` on app://studio/ (call after 'ready'). */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const plain = (status: number, body: string) =>
      new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': CSP } });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'bad request');
    }
    if (url.host !== APP_HOST || request.method !== 'GET') return plain(404, 'not found');
    const found = resolveStatic(rendererDir, url.pathname);
    if ('status' in found) return plain(found.status, found.text);
    try {
      const body = await fs.promises.readFile(found.file);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': contentType(found.file),
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-cache',
        },
      });
    } catch {
      return plain(404, 'not found');
    }
  });
}
