// KaTeX's stylesheet, added to the page the first time a formula is shown. Imported the usual way, Vite would
// inline KaTeX's smallest font (Size3, 3.6 KB) as a data: URL, which the studio's CSP (font-src falls back to
// 'self') refuses with a console error on every page load. Here the CSS comes in as text and each font as a
// file URL (?no-inline), woff2 only (every browser the studio runs in reads it).

import css from 'katex/dist/katex.min.css?raw';

const fonts = import.meta.glob<string>('../../../../node_modules/katex/dist/fonts/*.woff2', {
  query: '?url&no-inline',
  import: 'default',
  eager: true,
});

/** KaTeX's CSS with its font URLs pointing at the bundled files and the woff/ttf fallbacks dropped. */
export function katexCss(): string {
  const byName = new Map(Object.entries(fonts).map(([path, url]) => [path.slice(path.lastIndexOf('/') + 1), url]));
  return css
    .replace(/,url\(fonts\/[\w-]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)/g, '')
    .replace(/url\(fonts\/([\w-]+\.woff2)\)/g, (m, file: string) => {
      const url = byName.get(file);
      return url ? `url(${url})` : m;
    });
}

let added = false;
export function ensureKatexStyle(): void {
  if (added || typeof document === 'undefined') return;
  added = true;
  const style = document.createElement('style');
  style.dataset.katex = '';
  style.textContent = katexCss();
  document.head.append(style);
}
