// Graph shapes of the contract (graph.*): the architecture view: a model as a graph with shapes, costs and receptive fields (#12). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
import { z } from 'zod';

export const GraphMethods = {} satisfies Record<`graph.${string}`, { params: z.ZodType; result: z.ZodType }>;
