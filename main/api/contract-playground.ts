// Playground shapes of the contract (playground.*): the optimiser playground: loss surfaces and a slice of a model's loss (#11). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
import { z } from 'zod';

export const PlaygroundMethods = {} satisfies Record<`playground.${string}`, { params: z.ZodType; result: z.ZodType }>;
