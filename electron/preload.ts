// The only bridge into the page: `window.studio` with invoke + events. No raw ipcRenderer, no sendSync.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('studio', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke('studio:call', method, params),
  onEvent: (listener: (event: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, event: unknown): void => listener(event);
    ipcRenderer.on('studio:event', wrapped);
    return () => ipcRenderer.removeListener('studio:event', wrapped);
  },
});

// Where a dropped or picked file lives on disk, so a recent photo is reopened from there (and found deleted or
// changed); a separate object, since `window.studio` alone tells the page it runs in the desktop app.
contextBridge.exposeInMainWorld('studioFiles', {
  pathOf: (file: File) => webUtils.getPathForFile(file),
});
