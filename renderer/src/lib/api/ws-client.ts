// Browser mode: the engine behind a WebSocket on 127.0.0.1, authenticated by the session token. The token arrives once
// in the URL `vision-studio serve` prints; takeSessionToken() moves it to sessionStorage (this tab, this origin, kept
// across reloads) and out of the address bar and history. It travels as a WebSocket subprotocol, never in a URL.
import type { EngineMessage, MethodName, ParamsOf, ResultOf, StudioApi } from '../../../../main/api/contract';
import { StudioError } from '../../../../main/api/contract';
import { decodeFrame, encodeFrame } from '../../../../main/api/wire';
import { ClientCore } from './client-core';

/** The subprotocols main/server/server.ts expects: the public one, and the token (hex) as `vs-token.<token>`. */
const WS_PROTOCOL = 'vision-studio';
const TOKEN_PROTOCOL_PREFIX = 'vs-token.';
const TOKEN_KEY = 'vision-studio.session-token';

/**
 * The session token: from `?token=` on the first load (then stored and removed from the URL with
 * history.replaceState, so neither the address bar nor history keeps it), else from sessionStorage (a reload).
 */
export function takeSessionToken(): string {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl !== null) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage disabled: this load still works; a reload will ask for the printed URL again
    }
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function connectWebSocket(token: string): Promise<StudioApi> {
  if (!/^[0-9a-f]+$/i.test(token))
    return Promise.reject(
      new StudioError('internal', 'This page has no session: open the exact URL printed by `vision-studio serve` (it carries the token).'),
    );
  const core = new ClientCore();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const ws = new WebSocket(url, [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`]);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (e: MessageEvent<ArrayBuffer>) => {
    const msg = decodeFrame(new Uint8Array(e.data)) as EngineMessage;
    if (msg.kind === 'response') core.settle(msg.response);
    else core.emit(msg.event);
  };
  ws.onclose = () => {
    core.failAll(new StudioError('internal', 'Lost the connection to the engine. Reload the page to reconnect.'));
    core.emit({ channel: 'connection', payload: { state: 'closed' } });
  };
  const api: StudioApi = {
    transport: 'browser',
    call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      const { id, promise } = core.register();
      ws.send(encodeFrame({ id, method, params }));
      return promise as Promise<ResultOf<M>>;
    },
    on: (listener) => core.on(listener),
  };
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(api);
    ws.onerror = () => reject(new StudioError('internal', 'Could not reach the engine: is `vision-studio serve` still running?'));
  });
}
