// The one window: sandboxed, isolated, no Node in the page; the preload exposes only `window.studio`. The page comes
// from app://studio (app-protocol.ts), or from the dev server in an unpackaged run only.
import { BrowserWindow } from 'electron';
import path from 'node:path';
import { APP_URL } from './app-protocol';
import { webPreferences } from './policy';
import { devRendererUrl } from './security';

export function createMainWindow(outDir: string): BrowserWindow {
  // outDir: the built app (out/), where the preload lives; the renderer is served from it by app-protocol.ts.
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Vision Studio',
    backgroundColor: '#111418',
    webPreferences: webPreferences(path.join(outDir, 'preload', 'preload.cjs')),
  });
  win.once('ready-to-show', () => win.show());
  // New windows, links (allowlisted hosts only, in the user's browser), <webview> and navigation: security.ts,
  // applied to every web contents on creation.
  void win.loadURL(devRendererUrl() ?? APP_URL);
  return win;
}
