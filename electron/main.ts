// Electron shell: lifecycle, the window, and forwarding between the preload and the engine process.
// No ML and no SQL here: everything lives in the engine (main/), which runs in a utilityProcess.
import { app, BrowserWindow, ipcMain, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '../main/engine/engine-client';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { spawnUtilityEngine } from './engine-host';
import { hardenSession, isTrustedSender, isTrustedUrl, lockDownContents } from './security';
import { createMainWindow } from './window';

const outMainDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.dirname(outMainDir);

registerAppScheme(); // before 'ready'
app.on('web-contents-created', (_e, contents) => lockDownContents(contents));

app.whenReady().then(() => {
  serveRenderer(path.join(outDir, 'renderer'));
  hardenSession(session.defaultSession);
  const engine = new EngineClient(() => spawnUtilityEngine(outMainDir));
  ipcMain.handle('studio:call', (e, method: unknown, params: unknown) => {
    // Only our own page's main frame drives the engine (an iframe or a page navigated elsewhere gets nothing).
    if (!isTrustedSender(e)) return { id: 0, ok: false, error: { code: 'bad_request', message: 'refused: not the studio page' } };
    if (typeof method !== 'string') return { id: 0, ok: false, error: { code: 'bad_request', message: 'method must be a string' } };
    return engine.request(method, params);
  });
  engine.onEvent((event) => {
    for (const win of BrowserWindow.getAllWindows())
      if (isTrustedUrl(win.webContents.getURL())) win.webContents.send('studio:event', event);
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
