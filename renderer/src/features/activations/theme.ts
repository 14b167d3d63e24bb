// The scene's colours from the page's CSS variables, so the stack follows the light and dark themes.
import { srgb } from './plane-material';
import type { SceneTheme } from './scene';

export function readTheme(): SceneTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  return {
    background: v('--bg', dark ? '#121419' : '#f4f5f8'),
    plane: {
      panel: srgb(v('--surface-3', dark ? '#2b3039' : '#e3e6ec')),
      line: srgb(dark ? '#0b0d11' : '#ffffff'),
      accent: srgb(v('--accent', dark ? '#6d90ff' : '#3560e0')),
    },
    label: {
      surface: v('--surface', dark ? '#1a1d24' : '#ffffff'),
      border: v('--border-strong', dark ? '#3b424e' : '#c6ccd6'),
      text: v('--text', dark ? '#e7e9ee' : '#1b1f27'),
      muted: v('--text-2', dark ? '#a3abb9' : '#545d6c'),
      font: v('--font', 'system-ui, sans-serif'),
    },
  };
}

/** Calls `on` whenever the system switches between light and dark; returns the unsubscribe. */
export function onThemeChange(on: () => void): () => void {
  const mq = matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', on);
  return () => mq.removeEventListener('change', on);
}
