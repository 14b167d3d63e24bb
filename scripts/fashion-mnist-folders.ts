// Writes Fashion-MNIST as class folders of PNGs (train/<class>/00001.png, val/<class>/... from the test set), the
// layout a user brings, from Debian's dataset-fashion-mnist package.
// Usage: npx tsx scripts/fashion-mnist-folders.ts --out DIR [--per-class 100] [--val-per-class N] [--dir IDX_DIR] [--force]
// --force replaces DIR/train and DIR/val only.
import { parseArgs } from 'node:util';
import { FASHION_MNIST_DIR, writeFashionMnistFolders } from '../main/train/data/fashion-mnist';

const USAGE = 'usage: npx tsx scripts/fashion-mnist-folders.ts --out DIR [--per-class 100] [--val-per-class N] [--dir IDX_DIR] [--force]';
let v: { out?: string; 'per-class'?: string; 'val-per-class'?: string; dir?: string; force?: boolean; help?: boolean };
try {
  v = parseArgs({
    options: {
      out: { type: 'string' },
      'per-class': { type: 'string', default: '100' },
      'val-per-class': { type: 'string' },
      dir: { type: 'string', default: FASHION_MNIST_DIR },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (e) {
  console.error(`${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (v.help || !v.out) {
  console[v.help ? 'log' : 'error'](USAGE);
  process.exit(v.help ? 0 : 2);
}
const count = (s: string | undefined, name: string) => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${s}`);
  return n;
};
const t0 = performance.now();
try {
  const written = await writeFashionMnistFolders(v.out, {
    perClass: count(v['per-class'], 'per-class')!,
    valPerClass: count(v['val-per-class'], 'val-per-class'),
    dir: v.dir,
    force: v.force,
  });
  console.log(`${v.out}: ${written.train} train and ${written.val} val PNGs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
