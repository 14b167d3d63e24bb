// vite-plugin-svelte looks for its config in the Vite root (renderer/): share the project's one (runes, TypeScript preprocess).
export { default } from '../svelte.config.js';
