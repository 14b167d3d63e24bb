// The only bridge into the page: `window.studio` with invoke + events. No raw ipcRenderer, no sendSync.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('studio', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke('studio:call', method, params),
  onEvent: (listener: (event: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, event: unknown): void => listener(event);
    ipcRenderer.on('studio:event', wrapped);
    return () => ipcRenderer.removeListener('studio:event', wrapped);
  },
});
