// Renderer-only build (`npm run build:web`): the same output electron-vite makes for the renderer, without
// building the Electron main side. Browser mode serves out/renderer.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: resolve(here, '../out/renderer'),
    emptyOutDir: true,
    rollupOptions: { input: resolve(here, 'index.html') },
  },
});
