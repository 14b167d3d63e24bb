// Picks the transport: Electron's preload bridge when present, otherwise the browser-mode WebSocket.
import type { StudioApi } from '../../../../main/api/contract';
import { connectElectron, type PreloadBridge } from './electron-client';
import { connectWebSocket, takeSessionToken } from './ws-client';

declare global {
  interface Window {
    studio?: PreloadBridge;
  }
}

export async function connectStudio(): Promise<StudioApi> {
  if (window.studio) return connectElectron(window.studio);
  return connectWebSocket(takeSessionToken());
}
