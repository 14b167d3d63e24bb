// Projector shapes of the contract (projector.*): the embedding projector: a folder's embeddings laid out by PCA, UMAP or t-SNE (#11). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
import { z } from 'zod';

export const ProjectorMethods = {} satisfies Record<`projector.${string}`, { params: z.ZodType; result: z.ZodType }>;
