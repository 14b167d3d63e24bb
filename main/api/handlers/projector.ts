// Handlers for projector.* (contract-projector.ts): embeddings of a folder as a compute job (the cache shared with
// transfer learning), the thumbnail atlas, projections as compute jobs, cosine neighbours, and a selection
// copied into a managed dataset as a new training class.
import fs from 'node:fs';
import path from 'node:path';
import { StudioError, type ProjectionResult, type ProjectorSet } from '../contract';
import type { HandlerGroup } from '../handlers';
import type { ProjectorMethods } from '../contract-projector';
import type { EngineServices } from '../../engine/services';
import { requestedModel } from '../../engine/services';
import { sniffFormat } from '../../image/decode';
import { trainCacheDir } from '../../paths';
import { buildEmbeddingSet } from '../../projector/embed-set';
import { cosineNeighbors } from '../../projector/knn';
import { layout, layoutKnnAccuracy } from '../../projector/project';
import { SetStore } from '../../projector/sets';
import { addFiles, createDataset, resolveDataset } from '../../train/datasets';
import { compareNames } from '../../train/data/scan';

type ProjectorMethod = keyof typeof ProjectorMethods;

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
};
const MAX_IMAGE = 64 * 1024 * 1024;

export function projectorHandlers(s: EngineServices): HandlerGroup<ProjectorMethod> {
  const sets = new SetStore();
  return {
    'projector.embed': async (params) => {
      const meta = await requestedModel(s, params.modelId);
      const root = resolveDataset(params.dataset);
      const jobId = s.jobs.start({
        kind: 'projector-embed',
        label: `Embeddings of ${path.basename(root)} under ${meta.name}`,
        record: { modelId: meta.id, modelSha256: meta.sha256, params },
        run: async (ctx): Promise<ProjectorSet> => {
          const t0 = performance.now();
          const set = await buildEmbeddingSet(root, meta, {
            cacheDir: trainCacheDir(),
            maxImages: params.maxImages,
            thumbnails: params.thumbnails,
            signal: ctx.signal,
            onProgress: (f, m) => ctx.progress(f, m),
          });
          if (set.files.length === 0)
            throw new StudioError(
              'bad_image',
              `${root}: none of the ${set.found} images could be read (${set.skipped[0]?.reason ?? 'no images'})`,
            );
          const held = sets.add(set);
          return {
            setId: held.id,
            model: { id: meta.id, name: meta.name },
            dataset: params.dataset,
            root,
            classes: set.classes,
            files: set.files,
            labels: [...set.labels],
            predicted: set.predicted ? [...set.predicted] : null,
            predictedClasses: set.predictedClasses,
            confidence: set.confidence ? [...set.confidence].map((c) => Math.round(c * 1e4) / 1e4) : null,
            dim: set.dim,
            embedding: set.embedding,
            found: set.found,
            skipped: set.skipped,
            cached: set.cached,
            atlas: set.atlas
              ? { thumb: set.atlas.thumb, perRow: set.atlas.perRow, perPage: set.atlas.perPage, pages: set.atlas.pages }
              : null,
            ms: performance.now() - t0,
          };
        },
      });
      return { jobId };
    },
    'projector.atlasPage': async ({ setId, page }) => {
      const set = sets.get(setId);
      const bytes = set.atlas?.jpeg[page];
      if (!bytes) throw new StudioError('not_found', `this set has no thumbnail page ${page}`);
      return { mime: 'image/jpeg', bytes };
    },
    'projector.project': async (params) => {
      const set = sets.get(params.setId);
      const names = { pca: 'PCA', umap: 'UMAP', tsne: 't-SNE' };
      const jobId = s.jobs.start({
        kind: 'projector-project',
        label: `${names[params.method]} (${params.dims}-D) of ${path.basename(set.root)}`,
        record: { modelId: set.model.id, modelSha256: set.model.sha256, params, seed: params.seed },
        run: async (ctx): Promise<ProjectionResult> => {
          const t0 = performance.now();
          const n = set.files.length;
          const out = await layout(set.x, n, set.dim, { ...params, signal: ctx.signal, onProgress: (f, m) => ctx.progress(f * 0.97, m) });
          const ms = performance.now() - t0;
          ctx.progress(0.97, 'measuring how well the layout keeps the folders apart');
          const knnAccuracy = await layoutKnnAccuracy(out.coords, n, params.dims, set.labels);
          const coords = Float32Array.from(out.coords);
          return {
            setId: set.id,
            method: params.method,
            dims: params.dims,
            coords: new Uint8Array(coords.buffer),
            varianceRatio: out.varianceRatio,
            knnAccuracy,
            ms,
          };
        },
      });
      return { jobId };
    },
    'projector.neighbors': async ({ setId, index, k }) => {
      const set = sets.get(setId);
      sets.index(set, index);
      return { neighbors: cosineNeighbors(sets.unit(set), set.files.length, set.dim, index, k) };
    },
    'projector.image': async ({ setId, index }) => {
      const file = sets.index(sets.get(setId), index);
      let bytes: Uint8Array;
      try {
        const st = fs.statSync(file);
        if (!st.isFile() || st.size > MAX_IMAGE) throw new Error('not a readable image file');
        bytes = new Uint8Array(fs.readFileSync(file));
      } catch (e) {
        throw new StudioError('not_found', `${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      return { name: path.basename(file), mime: MIME[sniffFormat(bytes) ?? ''] ?? 'application/octet-stream', bytes };
    },
    'projector.toTrainingClass': async ({ setId, indices, label, dataset }) => {
      const set = sets.get(setId);
      const id = dataset ?? createDataset(`${label}-from-projector`).id;
      const unique = [...new Set(indices)].sort((a, b) => a - b);
      const files = unique.map((i) => {
        const file = sets.index(set, i);
        // Class folders often reuse names (00001.png in each): the source folder keeps them apart.
        const from = set.classes[set.labels[i]] ?? 'image';
        return { file, name: `${from}__${path.basename(file)}` };
      });
      const skipped: { file: string; reason: string }[] = [];
      let added = 0;
      // In small batches: a few hundred photos should not all sit in memory at once.
      for (let s0 = 0; s0 < files.length; s0 += 64) {
        const batch = [];
        for (const f of files.slice(s0, s0 + 64)) {
          try {
            const st = fs.statSync(f.file);
            if (!st.isFile()) throw new Error('not a regular file');
            batch.push({ label, name: f.name, bytes: new Uint8Array(fs.readFileSync(f.file)) });
          } catch (e) {
            skipped.push({ file: f.file, reason: e instanceof Error ? e.message : String(e) });
          }
        }
        if (batch.length) {
          const r = addFiles(id, batch);
          added += r.added;
          skipped.push(...r.skipped);
        }
      }
      return { dataset: id, added, skipped: skipped.sort((a, b) => compareNames(a.file, b.file)) };
    },
  };
}
