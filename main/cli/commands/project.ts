// vision-studio project: a folder's embeddings laid out by PCA, UMAP or t-SNE, through the engine's projector jobs
// (the same code, embedding cache and run log as the Projector view).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ProjectionMethod, type ProjectionResult, type ProjectorSet } from '../../api/contract';
import { Engine } from '../../engine/engine';
import { num } from '../args';
import { runEngineJob as runJob } from '../engine-job';
import { EXIT, stdio, UsageError, type CliIO } from '../io';
import { checkOutPath } from '../../util/out-path';

export const projectHelp = `Usage: vision-studio project --data DIR --model M --method pca|umap|tsne [--dims 2|3] [--seed S]
         [--perplexity P] [--iterations N] [--neighbors K] [--min-dist D] [--max-images N] --out points.json [--json]

  DIR holds a folder per class (or train/ and val/ folders of class folders). Each image's embedding is what
  feeds model M's classifier (cached with transfer learning's embeddings). UMAP and t-SNE run on the first 50
  principal components. Writes {"method","model","dims","points":[{"file","label","x","y","z"}]} with label =
  the class folder's name and z = 0 for --dims 2 (default). PCA axes point so that the farthest point along
  each is positive. --json prints {"out","method","model","dims","points","skipped","knn_accuracy","embed_ms",
  "project_ms"} (knn_accuracy: share of points whose 5 nearest neighbours in the layout are mostly of their folder).`;

export async function projectCommand(argv: string[], io: CliIO = stdio): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      data: { type: 'string' },
      model: { type: 'string' },
      method: { type: 'string' },
      dims: { type: 'string', default: '2' },
      seed: { type: 'string', default: '0' },
      perplexity: { type: 'string' },
      iterations: { type: 'string' },
      neighbors: { type: 'string' },
      'min-dist': { type: 'string' },
      'max-images': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return (io.out(projectHelp), EXIT.ok);
  if (!v.data || !v.model || !v.method || !v.out)
    throw new UsageError('--data DIR, --model M, --method and --out points.json are required');
  checkOutPath(v.out, 'points.json');
  const method = ProjectionMethod.safeParse(v.method);
  if (!method.success) throw new UsageError(`--method must be one of ${ProjectionMethod.options.join(', ')}, got "${v.method}"`);
  const dims = num(v.dims, '--dims');
  if (dims !== 2 && dims !== 3) throw new UsageError(`--dims must be 2 or 3, got "${v.dims}"`);
  const seed = num(v.seed, '--seed')!;
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got "${v.seed}"`);

  const engine = new Engine({ transport: 'cli' });
  try {
    const meta = await engine.services.models.resolveAsync(v.model);
    const set = await runJob<ProjectorSet>(
      engine,
      () =>
        engine.call('projector.embed', {
          dataset: path.resolve(v.data!),
          modelId: meta.id,
          thumbnails: false,
          ...(v['max-images'] ? { maxImages: num(v['max-images'], '--max-images') } : {}),
        } as never),
      io,
      v.json,
    );
    const params = {
      setId: set.setId,
      method: method.data,
      dims,
      seed,
      perplexity: num(v.perplexity, '--perplexity'),
      iterations: num(v.iterations, '--iterations'),
      neighbors: num(v.neighbors, '--neighbors'),
      minDist: num(v['min-dist'], '--min-dist'),
    };
    const r = await runJob<ProjectionResult>(engine, () => engine.call('projector.project', params as never), io, v.json);
    const c = new Float32Array(r.coords.slice().buffer);
    const points = set.files.map((file, i) => ({
      file,
      label: set.classes[set.labels[i]],
      x: c[i * dims],
      y: c[i * dims + 1],
      z: dims === 3 ? c[i * dims + 2] : 0,
    }));
    const out = path.resolve(v.out);
    fs.writeFileSync(out, JSON.stringify({ method: r.method, model: meta.name, dims, points }));
    for (const s of set.skipped) io.err(`skipped ${s.file}: ${s.reason}`);
    if (v.json)
      io.out(
        JSON.stringify({
          out,
          method: r.method,
          model: meta.name,
          dims,
          points: points.length,
          skipped: set.skipped.length,
          knn_accuracy: r.knnAccuracy,
          embed_ms: Math.round(set.ms),
          project_ms: Math.round(r.ms),
        }),
      );
    else
      io.out(
        `${out}: ${points.length} images of ${set.classes.length} folders, ${method.data} ${dims}-D in ${(r.ms / 1000).toFixed(1)} s; ` +
          `5-NN accuracy of the folders in the layout ${(100 * r.knnAccuracy).toFixed(1)}%`,
      );
    return EXIT.ok;
  } finally {
    await engine.dispose();
  }
}
