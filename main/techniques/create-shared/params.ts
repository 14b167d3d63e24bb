// Parameters of the four create tools, with the literature's defaults. Node-free (zod only): the contract
// and the renderer's parameter panel import it, the engine parses requests with it.
import { z } from 'zod';

const Image = z.object({
  name: z.string().min(1).max(4096),
  bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes' }),
});

export const Common = z.object({
  modelId: z.string(),
  /** Longer side of the working image, in pixels. */
  size: z.number().int().min(32).max(2048).default(256),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  /** Steps between live previews. */
  previewEvery: z.number().int().min(0).max(1000).default(5),
  /** Also return a time-lapse GIF of the previews. */
  timelapse: z.boolean().default(false),
  /** Export: longer side of the written file (default: the working size) and format. */
  exportSize: z.number().int().min(32).max(8192).optional(),
  format: z.enum(['png', 'jpeg']).default('png'),
});

export const Optimiser = z.enum(['lbfgs', 'adam']);

export const DreamParams = Common.extend({
  image: Image,
  /** Layers whose activations are amplified (default: a wide middle layer). */
  layers: z.array(z.string()).default([]),
  /** Amplify one channel of the (first) layer instead of all of it. */
  channel: z.number().int().min(0).optional(),
  /** google/deepdream: 4 octaves, scale 1.4, 10 steps per octave, step 1.5 (pixel units), jitter 32. */
  octaves: z.number().int().min(1).max(10).default(4),
  octaveScale: z.number().min(1).max(3).default(1.4),
  steps: z.number().int().min(1).max(1000).default(10),
  stepSize: z.number().positive().max(100).default(1.5),
  jitter: z.number().int().min(0).max(256).default(32),
  /** Guided dream: amplify what looks most like this image's features. */
  guide: Image.optional(),
  /** Gradients are computed in tiles of this size with a random shift when the image is larger. */
  tile: z.number().int().min(64).max(2048).default(512),
});
export type DreamParams = z.output<typeof DreamParams>;

export const InvertParams = Common.extend({
  image: Image,
  /** One layer, or several for a strip shallow → deep (default: the style layers + content layer). */
  layers: z.array(z.string()).default([]),
  steps: z.number().int().min(1).max(5000).default(200),
  optimiser: Optimiser.default('lbfgs'),
  /**
   * Mahendran & Vedaldi 2015: α = 6, β = 2, B = 80, B_V = B / 6.5; λTV rises ×10 per depth band as in the
   * paper (conv1–2 / conv3–4 / conv5+), but both λ are 1/100 and 1/1000 of the paper's 0.5 / 5 / 50 and 1:
   * with our normalisation the paper's values flatten a shallow inversion to grey (measured: 16 dB vs 27 dB).
   */
  alpha: z.number().min(1).max(12).default(6),
  beta: z.number().min(1).max(3).default(2),
  lambdaAlpha: z.number().min(0).default(1e-3),
  /** Default by the layer's stride: 0.005 (≤ 2), 0.05 (≤ 8), 0.5 beyond. */
  lambdaTV: z.number().min(0).optional(),
  learningRate: z.number().positive().default(2),
});
export type InvertParams = z.output<typeof InvertParams>;

export const TextureParams = Common.extend({
  sample: Image,
  /** Gatys et al. 2015: conv1_1, pool1, pool2, pool3, pool4. */
  layers: z.array(z.string()).default([]),
  layerWeights: z.array(z.number().min(0)).optional(),
  /** Output size (longer side is `size`); independent of the sample's size. */
  width: z.number().int().min(32).max(2048).optional(),
  height: z.number().int().min(32).max(2048).optional(),
  /** Size the sample is analysed at (longer side). */
  sampleSize: z.number().int().min(32).max(2048).default(256),
  steps: z.number().int().min(1).max(5000).default(100),
  optimiser: Optimiser.default('lbfgs'),
  learningRate: z.number().positive().default(10),
  /** Replace max pooling by average pooling (Gatys et al.: smoother gradients, better textures). */
  avgPool: z.boolean().default(false),
});
export type TextureParams = z.output<typeof TextureParams>;

export const StyleImage = z.object({ image: Image, weight: z.number().min(0).default(1) });

export const StyleParams = Common.extend({
  content: Image,
  styles: z.array(StyleImage).min(1).max(8),
  /** Gatys et al. 2016: content relu4_2, style relu1_1 … relu5_1 equally weighted. */
  contentLayer: z.string().optional(),
  styleLayers: z.array(z.string()).default([]),
  styleLayerWeights: z.array(z.number().min(0)).optional(),
  /** Relative weights, each term normalised by its target's magnitude (so they mean the same on any model). */
  contentWeight: z.number().min(0).default(1),
  styleWeight: z.number().min(0).default(100),
  tvWeight: z.number().min(0).default(1e-3),
  init: z.enum(['content', 'noise', 'style']).default('content'),
  optimiser: Optimiser.default('lbfgs'),
  steps: z.number().int().min(1).max(5000).default(200),
  learningRate: z.number().positive().default(5),
  /** Luminance-only transfer (Gatys et al. 2016b): keeps the content's colours. */
  preserveColor: z.boolean().default(false),
  /** Multi-scale schedule, e.g. [256, 512, 1024]: each scale starts from the previous result (default: [size]). */
  scales: z.array(z.number().int().min(32).max(2048)).max(5).default([]),
  avgPool: z.boolean().default(false),
});
export type StyleParams = z.output<typeof StyleParams>;

export const CreateTool = z.enum(['dream', 'invert', 'texture', 'style']);
export type CreateTool = z.infer<typeof CreateTool>;

export const CreateResult = z.object({
  tool: CreateTool,
  /** The exported file (PNG with provenance chunks, or JPEG). */
  bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array),
  mime: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  steps: z.number().int(),
  lossStart: z.number(),
  lossEnd: z.number(),
  /** What the run took, from the start of its job to its result. */
  ms: z.number(),
  /** The time estimated for these settings on this machine when the run began (seconds). */
  estimatedSeconds: z.number().optional(),
  /** How much other programs stretched it: its time ÷ what it would have taken on an idle machine. */
  stretch: z.number().optional(),
  /** Named loss terms at the start and the end (style / content, per octave objective, ...). */
  parts: z.record(z.string(), z.object({ start: z.number(), end: z.number() })),
  /** Inversion strip: one PNG per layer, shallow → deep. */
  strip: z.array(z.object({ layer: z.string(), bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array) })).optional(),
  gif: z.custom<Uint8Array>((v) => v instanceof Uint8Array).optional(),
  layers: z.array(z.string()),
  /** Shown to the user: e.g. that VGG19 is the recommended model and is not on disk. */
  notes: z.array(z.string()),
});
export type CreateResult = z.output<typeof CreateResult>;

export const EstimateParams = z.object({
  tool: CreateTool,
  modelId: z.string(),
  size: z.number().int().min(32).max(8192),
  steps: z.number().int().min(1).max(100_000),
  layers: z.array(z.string()).default([]),
  /** Dream: octaves (the steps are per octave). Style: the multi-scale schedule. */
  octaves: z.number().int().min(1).max(10).optional(),
  scales: z.array(z.number().int()).optional(),
  /** The images the run will send, as "name:bytes" (a rerun with the same ones reuses its sessions). */
  inputs: z.array(z.string().max(4200)).max(16).default([]),
});
export const Estimate = z.object({
  seconds: z.number(),
  peakMb: z.number(),
  note: z.string(),
  /** Runs of this model and tool here the figure learned from (0: from the graph alone). */
  runs: z.number().int(),
  /** How much longer than on an idle machine work takes now, with what other programs run (allowed for). */
  stretch: z.number(),
});
