// Malformed HTTP requests and WebSocket frames for the browser-mode server (tests/integration/server/
// hostile-requests.test.ts). Requests are raw bytes for a fresh TCP connection; frames are sent after a valid
// upgrade, masked as a client must (except where the case is about the mask). Each says what the server may answer.

export interface RequestCase {
  id: string;
  bytes: (host: string) => Buffer;
  /** Acceptable status codes (0: the server may just close the connection). */
  status: number[];
}

export interface FrameCase {
  id: string;
  frame: Buffer;
  /** Acceptable close codes from the server (0: none sent, socket kept or dropped). */
  close: number[];
}

const req = (s: string) => Buffer.from(s, 'latin1');

export const requestCases: RequestCase[] = [
  { id: '100 KB path', bytes: (h) => req(`GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: ${h}\r\n\r\n`), status: [431, 414, 400] },
  {
    id: '2000 headers',
    bytes: (h) => req(`GET / HTTP/1.1\r\nHost: ${h}\r\n${Array.from({ length: 2000 }, (_, i) => `X-${i}: ${i}`).join('\r\n')}\r\n\r\n`),
    status: [431, 400],
  },
  { id: 'unknown method', bytes: (h) => req(`BREW /pot HTTP/1.1\r\nHost: ${h}\r\n\r\n`), status: [400, 405, 501] },
  { id: 'HTTP/9.9', bytes: (h) => req(`GET / HTTP/9.9\r\nHost: ${h}\r\n\r\n`), status: [400, 505] },
  {
    id: 'content-length and chunked',
    bytes: (h) => req(`POST / HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
    status: [400],
  },
  { id: 'NUL in request line', bytes: (h) => req(`GET /\0 HTTP/1.1\r\nHost: ${h}\r\n\r\n`), status: [400] },
  { id: 'two Host headers', bytes: (h) => req(`GET / HTTP/1.1\r\nHost: ${h}\r\nHost: evil.example\r\n\r\n`), status: [400, 421] },
  {
    id: 'TLS hello on a plain port',
    bytes: () => Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]),
    status: [400, 0],
  },
  {
    id: 'claims a 1 TB body',
    bytes: (h) => req(`POST /x HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 1000000000000\r\n\r\nabc`),
    status: [404, 405, 400, 413, 0],
  },
  { id: 'bare LF lines', bytes: (h) => req(`GET / HTTP/1.1\nHost: ${h}\n\n`), status: [200, 400] },
  { id: 'header without colon', bytes: (h) => req(`GET / HTTP/1.1\r\nHost: ${h}\r\nnonsense\r\n\r\n`), status: [400] },
  {
    id: 'upgrade to something else',
    bytes: (h) => req(`GET /ws HTTP/1.1\r\nHost: ${h}\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n`),
    status: [400, 403, 426],
  },
  {
    id: 'path of 5000 %2e%2e/',
    bytes: (h) => req(`GET /${'%2e%2e/'.repeat(5000)}etc/passwd HTTP/1.1\r\nHost: ${h}\r\n\r\n`),
    status: [400, 403, 404, 414, 431],
  },
];

const MASK = Buffer.from([0x11, 0x22, 0x33, 0x44]);
function frame(first: number, payload: Buffer, masked = true): Buffer {
  const len = payload.length;
  const head =
    len < 126 ? Buffer.from([first, (masked ? 0x80 : 0) | len]) : Buffer.from([first, (masked ? 0x80 : 0) | 126, len >> 8, len & 255]);
  if (!masked) return Buffer.concat([head, payload]);
  const body = Buffer.from(payload.map((b, i) => b ^ MASK[i % 4]));
  return Buffer.concat([head, MASK, body]);
}

export const frameCases: FrameCase[] = [
  { id: 'text frame with invalid UTF-8', frame: frame(0x81, Buffer.from([0xc3, 0x28, 0xff])), close: [1007] },
  { id: 'continuation without a start', frame: frame(0x80, Buffer.from('abc')), close: [1002] },
  { id: 'close with code 999', frame: frame(0x88, Buffer.from([0x03, 0xe7])), close: [1002] },
  { id: 'fragmented ping', frame: frame(0x09, Buffer.from('x')), close: [1002] },
  { id: 'ping of 126 bytes', frame: frame(0x89, Buffer.alloc(126, 1)), close: [1002] },
  { id: 'reserved bits set', frame: frame(0xf2, Buffer.from('x')), close: [1002] },
  { id: 'opcode 0xB', frame: frame(0x8b, Buffer.alloc(0)), close: [1002] },
  { id: 'garbage binary message', frame: frame(0x82, Buffer.alloc(60_000, 0xab)), close: [0, 1003, 1007, 1008] },
  { id: 'text message of JSON', frame: frame(0x81, Buffer.from('{"id":1,"method":"app.info","params":{}}')), close: [0, 1003, 1007, 1008] },
];
