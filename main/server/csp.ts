// The studio page's Content-Security-Policy, one list for browser mode (http-headers.ts, which adds its WebSocket) and
// the desktop shell's app://studio responses (electron/policy.ts). Node-free: the shell's policy imports it.

/** Only our own scripts (no eval, no inline script), no plugins, no framing; `connect` adds to connect-src 'self'. */
export function contentSecurityPolicy(connect: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'", // Svelte's style: attributes
    "img-src 'self' blob: data:",
    ["connect-src 'self'", ...connect].join(' '),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
