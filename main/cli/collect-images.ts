// Expands the files and folders named on the command line into image files (folders recursively, sorted).
import fs from 'node:fs';
import path from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.bmp']);

export function collectImages(args: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) files.push(p);
    }
  };
  for (const arg of args) {
    if (!fs.existsSync(arg)) missing.push(arg);
    else if (fs.statSync(arg).isDirectory()) walk(arg);
    else files.push(arg); // named explicitly: try it whatever its extension, and say why it fails
  }
  return { files, missing };
}
