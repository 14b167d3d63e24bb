// Activations shapes of the contract (activations.*): the activation explorer: a photo's feature maps for every layer (#11). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
import { z } from 'zod';

export const ActivationsMethods = {} satisfies Record<`activations.${string}`, { params: z.ZodType; result: z.ZodType }>;
