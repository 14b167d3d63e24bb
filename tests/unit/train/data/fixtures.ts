// Real image files on disk for the dataset tests: encoded by sharp, plus the broken kinds users actually have.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll } from 'vitest';

export type Rgb = [number, number, number];

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder, removed after the test file's tests. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vs-train-${prefix}-`));
  made.push(dir);
  return dir;
}

export function put(file: string, bytes: Uint8Array | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

export async function solid(w: number, h: number, rgb: Rgb, format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<Buffer> {
  const img = sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return format === 'png' ? img.png().toBuffer() : format === 'jpeg' ? img.jpeg({ quality: 95 }).toBuffer() : img.webp().toBuffer();
}

/** Raw RGB pixels -> PNG bytes. */
export async function pngOf(w: number, h: number, rgb: Uint8Array): Promise<Buffer> {
  return sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

/** A JPEG cut in half: the header is fine, the body stops. */
export async function truncatedJpeg(): Promise<Buffer> {
  const noise = Buffer.alloc(128 * 128 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const jpeg = await sharp(noise, { raw: { width: 128, height: 128, channels: 3 } })
    .jpeg()
    .toBuffer();
  return jpeg.subarray(0, jpeg.length >> 1);
}

export function mkfifo(file: string): boolean {
  if (process.platform === 'win32') return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
  return true;
}

export const reasonOf = (skipped: { file: string; reason: string }[], file: string): string | undefined =>
  skipped.find((s) => s.file === file)?.reason;
