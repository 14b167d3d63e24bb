// Projector shapes of the contract (projector.*): the embedding projector: a folder's embeddings laid out by PCA, UMAP or t-SNE (#11). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
import { z } from 'zod';
import { Bytes } from './contract-shapes';
import { SkippedFile } from './contract-train';

export const ProjectionMethod = z.enum(['pca', 'umap', 'tsne']);
export type ProjectionMethod = z.infer<typeof ProjectionMethod>;

/** A managed dataset id (train.datasetCreate) or an absolute folder: the same references Train takes. */
const DatasetRef = z.string().min(1).max(4096);
const SetId = z.string().min(1).max(100);

export const ProjectorEmbedParams = z.object({
  dataset: DatasetRef,
  modelId: z.string().min(1),
  /** Larger folders are thinned evenly (every k-th image of the sorted list) to this many images. */
  maxImages: z.number().int().min(10).max(100_000).default(20_000),
  /** Make the thumbnail atlas (the CLI does not need it). */
  thumbnails: z.boolean().default(true),
});
export type ProjectorEmbedParams = z.infer<typeof ProjectorEmbedParams>;

export const AtlasInfo = z.object({
  /** Cell size in pixels. */
  thumb: z.number().int(),
  perRow: z.number().int(),
  perPage: z.number().int(),
  pages: z.array(z.object({ width: z.number().int(), height: z.number().int(), count: z.number().int() })),
});
export type AtlasInfo = z.infer<typeof AtlasInfo>;

/** The `done` result of projector.embed: one entry per image in `files` order (images that failed are left out). */
export const ProjectorSet = z.object({
  setId: SetId,
  model: z.object({ id: z.string(), name: z.string() }),
  dataset: z.string(),
  root: z.string(),
  /** Class folder names (sorted); `labels[i]` indexes this. */
  classes: z.array(z.string()),
  files: z.array(z.string()),
  labels: z.array(z.number().int()),
  /** The model's top class per image as an index into `predictedClasses`, and its softmax probability. */
  predicted: z.array(z.number().int()).nullable(),
  predictedClasses: z.array(z.string()),
  confidence: z.array(z.number()).nullable(),
  /** Embedding size and where it is taken ("the input of the classifier Gemm …"). */
  dim: z.number().int(),
  embedding: z.string(),
  /** Images found in the folder before thinning. */
  found: z.number().int(),
  skipped: z.array(SkippedFile),
  /** Embeddings read from the cache shared with transfer learning. */
  cached: z.number().int(),
  atlas: AtlasInfo.nullable(),
  ms: z.number(),
});
export type ProjectorSet = z.infer<typeof ProjectorSet>;

export const ProjectParams = z.object({
  setId: SetId,
  method: ProjectionMethod,
  dims: z.union([z.literal(2), z.literal(3)]).default(2),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  /** t-SNE's perplexity (30) and iterations (1000). */
  perplexity: z.number().min(2).max(100).optional(),
  iterations: z.number().int().min(50).max(5000).optional(),
  /** UMAP's neighbourhood size (15) and minimum distance (0.1). */
  neighbors: z.number().int().min(2).max(200).optional(),
  minDist: z.number().min(0).max(1).optional(),
});
export type ProjectParams = z.infer<typeof ProjectParams>;

/** The `done` result of projector.project. */
export const ProjectionResult = z.object({
  setId: SetId,
  method: ProjectionMethod,
  dims: z.union([z.literal(2), z.literal(3)]),
  /** n × dims little-endian float32, in the set's `files` order. */
  coords: Bytes,
  /** PCA: the share of variance along each axis. */
  varianceRatio: z.array(z.number()).nullable(),
  /** Share of images whose 5 nearest neighbours in the layout are mostly of their own folder. */
  knnAccuracy: z.number(),
  ms: z.number(),
});
export type ProjectionResult = z.infer<typeof ProjectionResult>;

const Neighbor = z.object({ index: z.number().int(), similarity: z.number() });

export const ProjectorMethods = {
  /** A job: embeddings (shared cache with transfer learning), predictions and the thumbnail atlas → ProjectorSet. */
  'projector.embed': { params: ProjectorEmbedParams, result: z.object({ jobId: z.string() }) },
  /** One JPEG page of a set's thumbnail atlas. */
  'projector.atlasPage': {
    params: z.object({ setId: SetId, page: z.number().int().min(0) }),
    result: z.object({ mime: z.string(), bytes: Bytes }),
  },
  /** A job: PCA, UMAP or t-SNE of a set's embeddings → ProjectionResult. */
  'projector.project': { params: ProjectParams, result: z.object({ jobId: z.string() }) },
  /** The k images most like image `index` (cosine similarity of the embeddings, not of the layout). */
  'projector.neighbors': {
    params: z.object({ setId: SetId, index: z.number().int().min(0), k: z.number().int().min(1).max(100).default(12) }),
    result: z.object({ neighbors: z.array(Neighbor) }),
  },
  /** The bytes of one image of a set (preview, open in Classify). */
  'projector.image': {
    params: z.object({ setId: SetId, index: z.number().int().min(0) }),
    result: z.object({ name: z.string(), mime: z.string(), bytes: Bytes }),
  },
  /**
   * Copies images of a set into a managed dataset as class `label` (the given one, e.g. Train's, or a new one):
   * a lasso selection becomes a training class.
   */
  'projector.toTrainingClass': {
    params: z.object({
      setId: SetId,
      indices: z.array(z.number().int().min(0)).min(1).max(100_000),
      label: z.string().min(1).max(200),
      dataset: z.string().max(200).optional(),
    }),
    result: z.object({ dataset: z.string(), added: z.number().int(), skipped: z.array(SkippedFile) }),
  },
} satisfies Record<`projector.${string}`, { params: z.ZodType; result: z.ZodType }>;
