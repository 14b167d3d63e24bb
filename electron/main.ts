// Electron shell: lifecycle, the window, and forwarding between the preload and the engine process.
// No ML and no SQL here: everything lives in the engine (main/), which runs in a utilityProcess.
import { app, BrowserWindow, ipcMain } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '../main/engine/engine-client';
import { spawnUtilityEngine } from './engine-host';
import { createMainWindow } from './window';

const outMainDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.dirname(outMainDir);

app.whenReady().then(() => {
  const engine = new EngineClient(() => spawnUtilityEngine(outMainDir));
  ipcMain.handle('studio:call', (_e, method: unknown, params: unknown) => {
    if (typeof method !== 'string') return { id: 0, ok: false, error: { code: 'bad_request', message: 'method must be a string' } };
    return engine.request(method, params);
  });
  engine.onEvent((event) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send('studio:event', event);
  });
  createMainWindow(outDir);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(outDir);
  });
  app.on('will-quit', () => engine.stop());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
