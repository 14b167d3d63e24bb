// Activations shapes of the contract (activations.*): the activation explorer: a photo's feature maps for every layer (#11). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
//
// The flow: `activations.run` is a compute job (the model's session with every layer exposed, one forward pass,
// per-channel statistics, one 8-bit atlas per layer) whose `done` result is the small summary below; the engine
// keeps the atlases, and the page fetches them layer by layer with `activations.atlas` (so the run log never
// stores megabytes of atlases, and the planes appear as they arrive). `activations.channel` returns one channel
// at full resolution, as floats and colour-mapped over the photo.
import { z } from 'zod';
import { Bytes, FilePayload } from './contract-shapes';
import { Colormap } from './contract-explain';

/** 'main': what a layer hands on (activations, pools, joins, linear bottlenecks); 'all': every spatial tensor. */
export const ActivationsLayerSet = z.enum(['main', 'all']);
export type ActivationsLayerSet = z.infer<typeof ActivationsLayerSet>;

export const ActivationsRunParams = z.object({
  image: FilePayload,
  modelId: z.string().min(1),
  layers: ActivationsLayerSet.default('main'),
  /** At most this many channels per layer go into its atlas (the first ones); statistics cover all of them. */
  maxChannels: z.number().int().min(1).max(8192).default(2048),
  /** Longest side of one atlas in texels (the renderer's texture limit). */
  maxSide: z.number().int().min(256).max(16384).default(4096),
  /** Total atlas bytes over all layers; larger maps are downsampled (box average) until they fit. */
  maxBytes: z
    .number()
    .int()
    .min(1 << 20)
    .max(512 << 20)
    .default(48 << 20),
});
export type ActivationsRunParams = z.input<typeof ActivationsRunParams>;

export const ActivationLayer = z.object({
  /** Readable name (conv3_2, relu4_1, layer3, or the tensor name), as every tool names layers. */
  name: z.string(),
  tensor: z.string(),
  op: z.string(),
  channels: z.number().int(),
  height: z.number().int(),
  width: z.number().int(),
  /** Channels in the atlas: the first `shown` of `channels`. */
  shown: z.number().int(),
  /** Each tile is the map box-averaged over downsample × downsample cells (1: full resolution). */
  downsample: z.number().int(),
  tileWidth: z.number().int(),
  tileHeight: z.number().int(),
  /** Tiles per row and rows of tiles; channel c sits at column c % cols, row ⌊c / cols⌋ (row 0 at the top). */
  cols: z.number().int(),
  rows: z.number().int(),
  atlasWidth: z.number().int(),
  atlasHeight: z.number().int(),
  /** Why this layer is not shown whole, or null. */
  capped: z.string().nullable(),
});
export type ActivationLayer = z.infer<typeof ActivationLayer>;

export const ActivationsResult = z.object({
  /** Names these activations for activations.atlas (valid while the engine keeps them: the latest run). */
  key: z.string(),
  file: z.string(),
  model: z.string(),
  /** The model's input size [height, width]. */
  inputSize: z.tuple([z.number().int(), z.number().int()]),
  layers: z.array(ActivationLayer),
  /** Total atlas bytes and the budget they were fitted into. */
  bytes: z.number().int(),
  maxBytes: z.number().int(),
  /** Some layer is shown downsampled or with fewer channels. */
  capped: z.boolean(),
  /** Milliseconds: building the session (0 when cached), the forward pass, the packing. */
  ms: z.object({ session: z.number(), forward: z.number(), pack: z.number() }),
});
export type ActivationsResult = z.infer<typeof ActivationsResult>;

export const ActivationAtlas = z.object({
  index: z.number().int(),
  /** atlasWidth × atlasHeight bytes, row-major, row 0 at the top; each channel scaled by its own min/max to 0..255. */
  atlas: Bytes,
  /** Float32 little-endian, 4 × channels: every channel's min, then max, then mean, then (population) std. */
  stats: Bytes,
});
export type ActivationAtlas = z.infer<typeof ActivationAtlas>;

export const ActivationChannelStats = z.object({ min: z.number(), max: z.number(), mean: z.number(), std: z.number() });
export type ActivationChannelStats = z.infer<typeof ActivationChannelStats>;

export const ActivationChannelParams = z.object({
  image: FilePayload,
  modelId: z.string().min(1),
  /** Readable name or tensor name. */
  layer: z.string().min(1),
  channel: z.number().int().min(0),
  colormap: Colormap.default('viridis'),
  opacity: z.number().min(0).max(1).default(0.6),
  /** The overlay's longer side (the photo is shrunk to it, never enlarged). */
  maxSide: z.number().int().min(64).max(8192).default(1600),
});
export type ActivationChannelParams = z.input<typeof ActivationChannelParams>;

export const ActivationChannelResult = z.object({
  layer: z.string(),
  tensor: z.string(),
  channel: z.number().int(),
  channels: z.number().int(),
  /** The feature map at full resolution: float32 little-endian, height × width, row 0 at the top. */
  map: Bytes,
  width: z.number().int(),
  height: z.number().int(),
  stats: ActivationChannelStats,
  /** The map (scaled by min/max, upsampled into the part of the photo the model sees) blended over the photo. */
  png: Bytes,
  pngWidth: z.number().int(),
  pngHeight: z.number().int(),
});
export type ActivationChannelResult = z.infer<typeof ActivationChannelResult>;

export const ActivationsMethods = {
  'activations.run': { params: ActivationsRunParams, result: z.object({ jobId: z.string() }) },
  'activations.atlas': {
    params: z.object({ key: z.string().min(1), layers: z.array(z.number().int().min(0)).min(1).max(64) }),
    result: z.object({ layers: z.array(ActivationAtlas) }),
  },
  'activations.channel': { params: ActivationChannelParams, result: ActivationChannelResult },
} satisfies Record<`activations.${string}`, { params: z.ZodType; result: z.ZodType }>;
