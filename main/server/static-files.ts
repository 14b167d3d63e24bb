// Serves the built renderer (out/renderer). Total: a path that does not decode, holds a NUL or leaves the folder is
// answered (400/403/404), never thrown, since any local web page can send this server requests.
import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** The file a request path names inside `root`, or the answer to give instead (never throws). */
export function resolveStatic(root: string, pathname: string): { file: string } | { status: number; text: string } {
  let rel: string;
  try {
    rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    return { status: 400, text: 'bad request: malformed percent-encoding in the path' };
  }
  if (rel.includes('\0')) return { status: 400, text: 'bad request: NUL in the path' };
  const file = path.resolve(root, rel);
  // Never serve outside the renderer folder.
  if (!file.startsWith(path.resolve(root) + path.sep)) return { status: 403, text: 'forbidden' };
  return { file };
}

/** The content type the renderer's files are served with (browser mode, and Electron's app:// protocol). */
export function contentType(file: string): string {
  return TYPES[path.extname(file)] ?? 'application/octet-stream';
}

export function sendFile(file: string, res: ServerResponse): void {
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return text(res, 404, 'not found');
    res.writeHead(200, {
      'content-type': contentType(file),
      'content-length': st.size,
      'cache-control': 'no-cache',
    });
    // The file may vanish between stat and open: end the response instead of an unhandled stream error.
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
}

export function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}
