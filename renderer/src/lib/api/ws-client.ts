// Browser mode: the engine behind a WebSocket on 127.0.0.1, authenticated by the session token in the page URL.
import type { EngineMessage, MethodName, ParamsOf, ResultOf, StudioApi } from '../../../../main/api/contract';
import { StudioError } from '../../../../main/api/contract';
import { decodeFrame, encodeFrame } from '../../../../main/api/wire';
import { ClientCore } from './client-core';

export function connectWebSocket(token: string): Promise<StudioApi> {
  const core = new ClientCore();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
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
