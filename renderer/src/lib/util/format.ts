// Small, pure formatting helpers shared by the views.

/** "great white shark, white shark, man-eater" -> "great white shark". */
export function shortLabel(label: string): string {
  const first = label.split(',')[0]?.trim();
  return first || label;
}

export function percent(p: number, digits = 1): string {
  if (!Number.isFinite(p)) return '–';
  return `${(p * 100).toFixed(digits)}%`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n < 1024 * 1024 * 1024) return `${Math.round(n / (1024 * 1024))} MB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(1)} GB`;
}

export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  if (seconds < 1) return 'less than a second left';
  if (seconds < 60) return `about ${Math.ceil(seconds)} s left`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `about ${m} min ${s.toString().padStart(2, '0')} s left`;
}

/** The last path segment of a file name like "photos/birds/bird.png". */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

export function timestampForFile(d = new Date()): string {
  const p = (n: number) => n.toString().padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Human-readable message of anything thrown by a call (StudioError carries a code and a sentence). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return 'Something went wrong.';
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const modKey = isMac ? '⌘' : 'Ctrl';

/** The engine's messages start with the file name ("bird.png: the file is empty"); where the name is shown already, keep the reason. */
export function reasonOnly(name: string, message: string): string {
  for (const prefix of [`${name}: `, `${baseName(name)}: `]) {
    if (message.startsWith(prefix)) {
      const rest = message.slice(prefix.length);
      return rest.charAt(0).toUpperCase() + rest.slice(1);
    }
  }
  return message;
}

/** Words that mark a library's own diagnostic (sharp/libvips, the image codecs, the runtime), not a sentence for people. */
const INTERNAL = /\b(?:Vips\w*|vips_\w+|libvips|sharp|libjpeg|libpng|libspng|libwebp|libtiff|giflib|onnxruntime|Input (?:buffer|file))\b/i;
const CUT_SHORT = /premature end|unexpected end|end of (?:file|input|data)|truncated|ends before the picture/i;

/**
 * An engine error in the user's words: library diagnostics in brackets ("(VipsJpeg: premature end of JPEG
 * file)") are dropped, and the codec's "truncated or corrupt" becomes what it means for the file.
 */
export function plainError(message: string): string {
  let internals = '';
  let out = message.replace(/\s*\(([^()]*)\)/g, (all, inner: string) => {
    // The engine's own plain reason for a cut-short file is said once, in the sentence below.
    if (!INTERNAL.test(inner) && !/ends before the picture/.test(inner)) return all;
    internals += ` ${inner}`;
    return '';
  });
  // A bare library line with no sentence of ours around it.
  if (INTERNAL.test(out.split(':')[0] ?? '')) {
    internals += ` ${out}`;
    out = CUT_SHORT.test(out) ? 'The image file is incomplete.' : 'The image file is damaged or is not an image.';
  }
  const cutShort = CUT_SHORT.test(internals);
  return out
    .replace(/the (\w+) data is truncated or corrupt\.?/i, (_all, format: string) =>
      cutShort
        ? `the ${format} file is incomplete: it stops part-way through the picture, as if cut short while downloading or copying.`
        : `the ${format} file is incomplete or damaged and cannot be read.`,
    )
    .replace(/the (\w+) data is corrupt\.?/i, (_all, format: string) => `the ${format} file is damaged and cannot be read.`);
}
