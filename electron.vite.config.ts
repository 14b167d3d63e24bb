// electron-vite builds the three parts: the Electron main side (shell + engine process + CLI entry),
// the preload, and the Svelte renderer. The engine and CLI are plain Node: they never import 'electron'.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Where the Electron binary could not be installed (offline machines), electron-vite still needs a target.
try {
  createRequire(import.meta.url).resolve('electron/package.json');
} catch {
  process.env.ELECTRON_MAJOR_VER ??= '45';
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          main: resolve('electron/main.ts'),
          'engine-process': resolve('main/engine/engine-process.ts'),
          cli: resolve('main/cli/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { preload: resolve('electron/preload.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [svelte()],
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
