// Where a File lives on disk, when the host can say: the desktop app's preload exposes Electron's
// webUtils.getPathForFile as `window.studioFiles.pathOf`. A browser page never learns paths, so there it is undefined
// and the engine keeps its own copy of a recent photo instead.

export interface HostFiles {
  pathOf(file: File): string;
}

declare global {
  interface Window {
    studioFiles?: HostFiles;
  }
}

export function hostPath(file: File): string | undefined {
  try {
    return window.studioFiles?.pathOf(file) || undefined;
  } catch {
    return undefined; // a File made in the page (paste, a recent photo) has no path
  }
}
