import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelFor, loadLabels, shortLabel } from '../../../main/models/labels';
import { StudioError } from '../../../main/api/contract';

describe('label sets', () => {
  it('imagenet1k is the standard 1000-class order', () => {
    const l = loadLabels('imagenet1k');
    expect(l).toHaveLength(1000);
    expect(l[0]).toBe('tench, Tinca tinca');
    expect(labelFor(l, 1)).toBe('goldfish, Carassius auratus');
    expect(l[999]).toBe('toilet tissue, toilet paper, bathroom tissue');
  });

  it('imagenet1001 is background + imagenet1k, so an offset of 0 maps TF-slim outputs and -1 maps 1000-class outputs', () => {
    const l = loadLabels('imagenet1001');
    expect(l).toHaveLength(1001);
    expect(labelFor(l, 0)).toBe('background');
    expect(labelFor(l, 1)).toBe('tench, Tinca tinca');
    expect(labelFor(loadLabels('imagenet1k'), 1, -1)).toBe('tench, Tinca tinca');
    expect(labelFor(l, 0, 1)).toBe('tench, Tinca tinca');
  });

  it('falls back to "class N" outside the file and for "none"', () => {
    expect(labelFor(loadLabels('imagenet1k'), 1000)).toBe('class 1000');
    expect(labelFor(loadLabels('imagenet1k'), 0, -1)).toBe('class 0');
    expect(labelFor(loadLabels('none'), 3)).toBe('class 3');
  });

  it('loads an absolute labels file (CRLF tolerated) and caches it', () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vs-labels-')), 'l.txt');
    fs.writeFileSync(f, 'cat\r\ndog\r\n');
    expect(loadLabels(f)).toEqual(['cat', 'dog']);
    expect(loadLabels(f)).toBe(loadLabels(f));
    fs.rmSync(path.dirname(f), { recursive: true });
  });

  it('rejects unknown ids and missing files with not_found', () => {
    expect(() => loadLabels('klingon')).toThrow(StudioError);
    expect(() => loadLabels('/nope/labels.txt')).toThrow(/not found/);
  });

  it('shortLabel keeps the first synonym', () => {
    expect(shortLabel('tench, Tinca tinca')).toBe('tench');
  });
});
