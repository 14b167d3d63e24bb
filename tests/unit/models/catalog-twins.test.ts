// One MobileNetV2 in the Models view: the registry's real list (shipped catalog + the bundled models in
// ../shared/models), named as the renderer names it, offers the ONNX-zoo MobileNetV2 for download only where no
// bundled MobileNetV2 is ready.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../../main/api/contract';
import { ModelRegistry } from '../../../main/models/registry';
import { bundledTwin, catalogOffer } from '../../../renderer/src/features/models/catalog-twins';
import { displayName } from '../../../renderer/src/lib/util/model-text';
import { sharedModelsDir } from '../../helpers/shared-models';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-twins-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const listed = (extraDirs: string[]): ModelMeta[] =>
  new ModelRegistry({ root, extraDirs }).list().map((m) => ({ ...m, name: displayName(m) }));
const mobileNets = (list: ModelMeta[]) => list.filter((m) => m.name === 'MobileNetV2');

describe.skipIf(!sharedModelsDir)('catalog entries of bundled networks', () => {
  it('hides the zoo MobileNetV2 while the bundled one is ready, and keeps the rest of the catalog', () => {
    const list = listed([sharedModelsDir!]);
    const bundled = list.find((m) => m.source === 'builtin' && m.name === 'MobileNetV2');
    expect(bundled?.status).toBe('available');
    const zoo = list.find((m) => m.id === 'mobilenetv2-12')!;
    expect(bundledTwin(zoo, list)?.id).toBe(bundled!.id);
    const offer = catalogOffer(list);
    expect(offer.map((m) => m.id)).not.toContain('mobilenetv2-12');
    expect(offer.map((m) => m.id)).toEqual(expect.arrayContaining(['squeezenet1.1-7', 'resnet50-v1-7', 'vgg19-7']));
    // Every other catalog entry not on disk is still offered.
    expect(offer).toHaveLength(list.filter((m) => m.source === 'catalog' && m.status === 'missing').length - 1);
    // What a person sees: one MobileNetV2 among the ready models and the catalog together.
    const shown = [...list.filter((m) => m.status === 'available'), ...offer];
    expect(mobileNets(shown)).toHaveLength(1);
  });

  it('offers the zoo MobileNetV2 when no bundled one is there, or the bundled one is broken', () => {
    expect(catalogOffer(listed([])).map((m) => m.id)).toContain('mobilenetv2-12');
    const list = listed([sharedModelsDir!]).map((m) => (m.source === 'builtin' ? { ...m, status: 'broken' as const } : m));
    expect(catalogOffer(list).map((m) => m.id)).toContain('mobilenetv2-12');
  });

  it('shows a zoo copy already downloaded or downloading: it is a model on disk, not an offer', () => {
    const list = listed([sharedModelsDir!]).map((m) => (m.id === 'mobilenetv2-12' ? { ...m, status: 'downloading' as const } : m));
    expect(catalogOffer(list).map((m) => m.id)).toContain('mobilenetv2-12');
  });
});
