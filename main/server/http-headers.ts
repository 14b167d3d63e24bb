// Headers on every browser-mode response (page, assets, refusals), so a browser applies them whatever it loads:
// the CSP as a header also covers responses the page's meta tag never reaches (404s, refusals) and adds
// frame-ancestors, which a meta tag cannot carry.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { contentSecurityPolicy } from './csp';

export function securityHeaders(port: number): Record<string, string> {
  const csp = contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
  return {
    'content-security-policy': csp,
    'referrer-policy': 'no-referrer', // the page URL carries the session token
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** Answers on a raw socket (an upgrade we refuse, a request Node could not parse) and closes it. */
export function writeRawResponse(socket: Duplex, status: number, text: string, headers: Record<string, string>): void {
  if (!socket.writable) return void socket.destroy();
  const lines = [
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    'content-type: text/plain; charset=utf-8',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
