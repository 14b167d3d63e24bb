// Electron: the preload exposes `window.studio` (contextBridge); structured clone carries Uint8Arrays as they are.
import type { MethodName, ParamsOf, ResponseEnvelope, ResultOf, StudioApi, StudioEvent } from '../../../../main/api/contract';
import { ClientCore } from './client-core';

export interface PreloadBridge {
  invoke(method: string, params: unknown): Promise<ResponseEnvelope>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

export function connectElectron(bridge: PreloadBridge): StudioApi {
  const core = new ClientCore();
  bridge.onEvent((e) => core.emit(e));
  return {
    transport: 'electron',
    async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      const { id, promise } = core.register();
      const response = await bridge.invoke(method, params);
      core.settle({ ...response, id });
      return promise as Promise<ResultOf<M>>;
    },
    on: (listener) => core.on(listener),
  };
}
