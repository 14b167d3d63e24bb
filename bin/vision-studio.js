#!/usr/bin/env node
// The CLI entry: runs the bundled engine CLI (built by `npm run build` into out/main/cli.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bundle = join(root, 'out', 'main', 'cli.js');
if (!existsSync(bundle)) {
  process.stderr.write('vision-studio: not built yet: run `npm run build` in ' + root + '\n');
  process.exit(1);
}
const { main } = await import(pathToFileURL(bundle).href);
await main();
