// Explain shapes of the contract (explain.*). Node-free: the renderer imports it.
import { z } from 'zod';
import { Bytes, FilePayload, TopClass } from './contract-shapes';

// ---------- explain: CAM family, class visualisation, adversarial examples ----------

export const CamMethod = z.enum(['cam', 'gradcam', 'gradcam++', 'hirescam', 'scorecam']);
export type CamMethod = z.infer<typeof CamMethod>;
export const Colormap = z.enum(['jet', 'viridis', 'inferno', 'gray']);
export const OverlayParams = z.object({
  colormap: Colormap.default('jet'),
  /** Weight of the heat map in the blend. */
  opacity: z.number().min(0).max(1).default(0.5),
  /** Map values below this are left uncoloured. */
  threshold: z.number().min(0).max(1).default(0),
  mode: z.enum(['blended', 'side-by-side', 'mask-only']).default('blended'),
  colorbar: z.boolean().default(true),
  /** Class + probability caption on the image. */
  caption: z.boolean().default(true),
});
export type OverlayParams = z.infer<typeof OverlayParams>;
const Point = z.object({ x: z.number(), y: z.number() });

/** The `done` result of an explain.cam job. `png` is the overlay at the photo's resolution, with provenance chunks. */
export const CamJobResult = z.object({
  png: Bytes,
  file: z.string(),
  model: z.string(),
  method: CamMethod,
  layer: z.string(),
  layerReason: z.string(),
  suggestedLayer: z.string(),
  class: TopClass,
  top: z.array(TopClass),
  /** Hottest point in the photo's pixels. */
  peak: Point,
  width: z.number().int(),
  height: z.number().int(),
  ms: z.number(),
});
export type CamJobResult = z.infer<typeof CamJobResult>;

export const ExplainLayer = z.object({
  tensor: z.string(),
  name: z.string(),
  op: z.string(),
  shape: z.array(z.union([z.number(), z.string()])),
});
export type ExplainLayer = z.infer<typeof ExplainLayer>;

export const VisualizeParams = z.object({
  modelId: z.string(),
  classIndex: z.number().int().min(0),
  steps: z.number().int().min(1).max(5000).optional(),
  learningRate: z.number().min(0).max(255).optional(),
  l2Decay: z.number().min(0).max(1).optional(),
  jitter: z.number().int().min(0).max(64).optional(),
  blurEvery: z.number().int().min(0).max(1000).optional(),
  blurSigma: z.number().min(0).max(10).optional(),
  start: z.enum(['grey', 'noise']).optional(),
  seed: z.number().int().min(0).optional(),
});
export const VisualizeJobResult = z.object({
  png: Bytes,
  model: z.string(),
  class: z.object({ index: z.number().int(), label: z.string() }),
  logit: z.number(),
  probability: z.number(),
  top: z.array(TopClass),
  steps: z.number().int(),
  ms: z.number(),
});
export type VisualizeJobResult = z.infer<typeof VisualizeJobResult>;

const EIGHT_GREY_LEVELS = 8 / 255;
export const AdversarialParams = z.object({
  image: FilePayload,
  modelId: z.string(),
  method: z.enum(['fgsm', 'pgd']).default('fgsm'),
  /** L∞ budget in [0, 1] pixel units (8/255 ≈ 0.031). */
  epsilon: z.number().min(0).max(1).default(EIGHT_GREY_LEVELS),
  steps: z.number().int().min(1).max(1000).default(10),
  stepSize: z.number().min(0).max(1).optional(),
  /** Class index to aim for; absent = untargeted. */
  target: z.number().int().min(0).optional(),
  randomStart: z.boolean().default(false),
  seed: z.number().int().min(0).optional(),
});
export const AdversarialJobResult = z.object({
  /** The adversarial image at the photo's resolution, with provenance. */
  png: Bytes,
  /** The adversarial image at the model's input size (what the attack optimised), with provenance. */
  modelPng: Bytes,
  /** What the model makes of the photo-resolution image (its own preprocessing), and whether it is fooled. */
  photo: z.object({ width: z.number().int(), height: z.number().int(), adversarial: z.array(TopClass), success: z.boolean() }),
  /** original | adversarial | perturbation ×10 | Grad-CAM before | after. */
  panel: Bytes,
  method: z.enum(['fgsm', 'pgd']),
  epsilon: z.number(),
  steps: z.number().int(),
  stepSize: z.number(),
  target: z.number().int().nullable(),
  original: z.array(TopClass),
  adversarial: z.array(TopClass),
  success: z.boolean(),
  linf: z.number(),
  smallestFlipEpsilon: z.number().nullable(),
  sweep: z.array(z.object({ epsilon: z.number(), top1: TopClass })),
  ms: z.number(),
});
export type AdversarialJobResult = z.infer<typeof AdversarialJobResult>;
