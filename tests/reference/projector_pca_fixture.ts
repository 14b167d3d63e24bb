// Writes tests/fixtures/projector/sklearn-pca.json: embeds the first 20 images of each Fashion-MNIST test class
// with MobileNetV2 (the shared model) through the studio's own embedding code, saves the matrix to a temporary
// file and runs tests/reference/sklearn_pca.py on it.   npx tsx tests/reference/projector_pca_fixture.ts
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelRegistry } from '../../main/models/registry';
import { computeEmbeddings } from '../../main/train/transfer/embed';
import { writeClassFolders } from '../integration/projector/fmnist-folders';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE_IMAGES = 20;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-pca-ref-'));
  try {
    const { files } = await writeClassFolders(path.join(tmp, 'data'), FIXTURE_IMAGES);
    process.env.VISION_STUDIO_HOME = tmp;
    const registry = new ModelRegistry();
    const meta = await registry.resolveAsync(path.resolve(here, '../../../shared/models/mobilenet_v2_1.0_224.onnx'));
    const emb = await computeEmbeddings(meta, files, { cacheDir: path.join(tmp, 'cache') });
    const x = new Float32Array(files.length * emb.dim);
    emb.vectors[0].forEach((v, i) => x.set(v!, i * emb.dim));
    const matrix = path.join(tmp, 'x.f32');
    fs.writeFileSync(matrix, new Uint8Array(x.buffer));
    const meta2 = { model: meta.name, images: `first ${FIXTURE_IMAGES} images of each Fashion-MNIST test class, in the test set's order` };
    execFileSync(
      '/usr/bin/python3',
      [path.join(here, 'sklearn_pca.py'), matrix, String(files.length), String(emb.dim), JSON.stringify(meta2)],
      {
        stdio: 'inherit',
      },
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
