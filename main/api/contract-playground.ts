// Playground shapes of the contract (playground.*): the optimiser playground: loss surfaces and a slice of a model's loss (#11). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
import { z } from 'zod';

/**
 * A slice of a trained model's loss (main/playground/model-slice.ts): either a training run of the log (its
 * exported model, on its own validation split) or a model id with a labelled dataset (a managed id or folder).
 */
export const ModelSliceParams = z
  .object({
    runId: z.string().min(1).max(200).optional(),
    modelId: z.string().min(1).optional(),
    dataset: z.string().min(1).max(4096).optional(),
    /** Samples per side; odd keeps (0, 0), the trained weights, on a grid node. */
    grid: z.number().int().min(3).max(61).default(21),
    /** α and β run over [−span, span] (in filter-normalised units: 1 moves every filter by its own norm). */
    span: z.number().gt(0).max(10).default(1),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    /** Images the loss averages over. */
    images: z.number().int().min(1).max(2048).default(256),
  })
  .refine((p) => !!p.runId || (!!p.modelId && !!p.dataset), { message: 'give runId, or modelId with dataset' });
export type ModelSliceParams = z.input<typeof ModelSliceParams>;

/** The `done` result of playground.modelSlice: loss[j][i] = L(θ + alphas[i]·δ + betas[j]·η). */
export const ModelSliceResult = z.object({
  alphas: z.array(z.number()),
  betas: z.array(z.number()),
  loss: z.array(z.array(z.number())),
  model: z.object({ id: z.string(), name: z.string() }),
  dataset: z.string(),
  seed: z.number(),
  images: z.number().int(),
  weights: z.object({ tensors: z.number().int(), values: z.number().int() }),
  ms: z.number(),
});
export type ModelSliceResult = z.infer<typeof ModelSliceResult>;

export const PlaygroundMethods = {
  /** A job → ModelSliceResult. */
  'playground.modelSlice': { params: ModelSliceParams, result: z.object({ jobId: z.string() }) },
} satisfies Record<`playground.${string}`, { params: z.ZodType; result: z.ZodType }>;
