// The one window: sandboxed, isolated, no Node in the page; the preload exposes only `window.studio`.
import { BrowserWindow, shell } from 'electron';
import path from 'node:path';

export function createMainWindow(outDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Vision Studio',
    backgroundColor: '#111418',
    webPreferences: {
      preload: path.join(outDir, 'preload', 'preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Links open in the user's browser, never inside the studio.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(path.join(outDir, 'renderer', 'index.html'));
  return win;
}
