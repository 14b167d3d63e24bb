// The Electron security checklist items that live outside the window options: who may call the engine over IPC,
// which permissions a page gets (none but writing an image to the clipboard), which links leave for the browser,
// and what any web contents may open, attach or navigate to.
import { app, shell, type IpcMainInvokeEvent, type Session, type WebContents } from 'electron';
import { devUrlFrom, externalLink, isTrustedUrlGiven, permissionAllowed } from './policy';

/** The dev server URL, only in an unpackaged run (policy.ts). */
export function devRendererUrl(): string | null {
  return devUrlFrom(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
}

/** A page of ours: app://studio/..., or the dev server's origin in an unpackaged run. */
export function isTrustedUrl(url: string): boolean {
  return isTrustedUrlGiven(url, devRendererUrl());
}

/** IPC only from the main frame of a page of ours (not an iframe, not a page navigated elsewhere). */
export function isTrustedSender(e: IpcMainInvokeEvent): boolean {
  const frame = e.senderFrame;
  return !!frame && frame === e.sender.mainFrame && isTrustedUrl(frame.url);
}

/** Opens a link in the user's browser if policy.ts allows it (https, allowlisted host, no credentials). */
export function openExternalIfAllowed(url: string): void {
  const link = externalLink(url);
  if (link) void shell.openExternal(link);
}

/** Deny every permission request and check, except a page of ours writing to the clipboard (Copy image). */
export function hardenSession(session: Session): void {
  const allowed = (permission: string, url: string) => permissionAllowed(permission, isTrustedUrl(url));
  session.setPermissionRequestHandler((wc, permission, callback, details) =>
    callback(allowed(permission, details.requestingUrl ?? wc.getURL())),
  );
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowed(permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}

/** Every web contents: no new windows (links go through the allowlist), no <webview>, no navigation away. */
export function lockDownContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => {
    if (!isTrustedUrl(e.url)) e.preventDefault();
  });
}
