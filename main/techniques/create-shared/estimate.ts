// A pre-run estimate of time and peak memory, from the graph alone: convolution MACs (direct and
// Winograd-lowered) and activation sizes up to the deepest layer the tool uses, scaled from the native
// size to the working size, times the evaluations the schedule needs; activations, optimiser state and
// weights (Winograd's 4× transformed copies included) for memory. Calibrated on this project's 2-core
// runs (bench/gradient/profile.ts and the Create benches, 2026-11-29).
import os from 'node:os';
import type { ModelMeta } from '../../api/contract';
import { defaultThreads } from '../../runtime/sessions';
import {
  createModel,
  defaultContentLayer,
  defaultDreamLayer,
  defaultInversionLayers,
  defaultStyleLayers,
  defaultTextureLayers,
  layer,
} from './model';
import type { CreateTool } from './params';
import { WINOGRAD_MIN_CHANNELS, winogradEligible } from '../../onnx/winograd';

export interface EstimateInput {
  tool: CreateTool;
  size: number;
  steps: number;
  layers: string[];
  octaves?: number;
  scales?: number[];
  /** The images as "name:bytes": a rerun with the same ones reuses its sessions. */
  inputs?: string[];
}

/**
 * One forward+backward evaluation on 2 threads, in ms per unit at the working size (fitted on VGG19 to
 * relu2_1/relu4_2/relu5_1 and Tiny Darknet at 224 px: 61, 170, 204 and 20 ms measured, within 3%):
 * per GMAC of directly run convolution, per GMAC (direct-equivalent) of Winograd-lowered convolution, and
 * per million activation elements (the memory-bound work: ReLU masks, pooling, layout changes).
 * The Winograd figure was lowered from 7.25 when 6×6 tiles and the two-GEMM output transform came in
 * (bench/dream and bench/style, 2026-11-29: DeepDream 384/768 px and style 256/512 px within ~15%).
 */
const MS_PER_DIRECT_GMAC = 6.5;
const MS_PER_WINOGRAD_GMAC = 6;
const MS_PER_MEGA_ACTIVATION = 2.47;
/** Session builds (graph, ORT load and constant folding) before anything was measured; measured here: 0.1–0.2 s. */
export const SETUP_SECONDS = 0.3;
/**
 * Evaluations per L-BFGS step in units of one network evaluation: the Armijo line search's extra ones and the
 * JavaScript work around each (priors, the two-loop recursion in float64, previews). Fitted with
 * bench/estimates on MobileNetV2 and Tiny Darknet (inversion, texture, style at 256 px, the load taken out:
 * 1.3 read them 1.5–1.8× short); DeepDream's plain ascent steps need no such allowance.
 */
const EVALS_PER_LBFGS_STEP = 2.1;
const BASE_MB = 220;

export interface GraphEstimate {
  /** The steps' time on an idle machine, seconds, from the graph alone. */
  stepSeconds: number;
  peakMb: number;
  note: string;
  threads: number;
}

export function graphEstimate(meta: ModelMeta, e: EstimateInput): GraphEstimate {
  const cm = createModel(meta);
  const names = e.layers.length > 0 ? e.layers : defaults(cm, e.tool);
  const deepest = Math.max(...names.map((n) => cm.layers.indexOf(layer(cm, n))));
  const [nh, nw] = meta.inputSize;
  let direct = 0; // multiply-adds of the forward pass at the native size
  let lowered = 0;
  let acts = 0;
  let loweredWeights = 0;
  cm.layers.slice(0, deepest + 1).forEach((l) => {
    const shape = l.shape.map((d) => (typeof d === 'number' ? d : 1));
    const elems = shape.reduce((a, b) => a * b, 1);
    acts += elems;
    if (l.op !== 'Conv') return;
    const node = cm.ir.graph.nodes.find((n) => n.outputs[0] === l.tensor);
    const w = node ? cm.ir.graph.initializers.get(node.inputs[1]) : undefined;
    if (!node || !w) return;
    const size = w.dims.reduce((a, b) => a * Number(b), 1);
    const macs = (elems / shape[1]) * size;
    if (winogradEligible(cm.ir.graph, node, WINOGRAD_MIN_CHANNELS)) {
      lowered += macs;
      loweredWeights += size;
    } else direct += macs;
  });
  // A 4:3 photo at longer side s; a texture is square.
  const aspect = e.tool === 'texture' ? 1 : 0.75;
  const px = (s: number) => (s * s * aspect) / (nh * nw);
  let evals = 0; // in units of "one evaluation at the working size"
  let maxPx = px(e.size);
  if (e.tool === 'dream') {
    const oct = e.octaves ?? 4;
    for (let k = 0; k < oct; k++) evals += e.steps / Math.pow(1.4, 2 * k);
  } else if (e.tool === 'style' && e.scales?.length) {
    maxPx = px(Math.max(...e.scales));
    for (const s of e.scales) evals += (e.steps * EVALS_PER_LBFGS_STEP + 4) * (px(s) / px(e.size));
  } else evals = e.steps * EVALS_PER_LBFGS_STEP * (e.tool === 'invert' ? names.length : 1) + 2;
  const threads = Math.min(defaultThreads(), os.availableParallelism());
  const msPerEval = (MS_PER_DIRECT_GMAC * direct) / 1e9 + (MS_PER_WINOGRAD_GMAC * lowered) / 1e9 + (MS_PER_MEGA_ACTIVATION * acts) / 1e6;
  const stepSeconds = (msPerEval * px(e.size) * evals * (2 / threads)) / 1000;
  const n = 3 * e.size * e.size * aspect * (maxPx / px(e.size));
  const lbfgs = e.tool === 'dream' ? 0 : 2 * 10 * n * 8; // history m = 10, float64
  // Forward and backward Winograd weights (4× or 7.1× each: 4×4 or 6×6 tiles) replace the 3×3 kernel
  // and its flipped copy.
  const winogradMb = (8 * loweredWeights * 4) / 2 ** 20;
  const peakMb =
    BASE_MB + (acts * maxPx * 4 * 2 + lbfgs + n * 4 * 8) / 2 ** 20 + (cm.ir.graph.initializers.size ? modelMb(cm) : 0) + winogradMb;
  return { stepSeconds, peakMb: Math.round(peakMb), note: `${layerNote(cm, e, names)}, ${threads} threads`, threads };
}

/** From the graph alone, as if on an idle machine never measured: the steps plus a typical setup. */
export function estimate(meta: ModelMeta, e: EstimateInput): { seconds: number; peakMb: number; note: string } {
  const g = graphEstimate(meta, e);
  return { seconds: Math.round((g.stepSeconds + SETUP_SECONDS) * 10) / 10, peakMb: g.peakMb, note: g.note };
}

/** The layers in words, each once: "content layer3; style layer1, layer2, layer3" for style, else in graph order. */
function layerNote(cm: ReturnType<typeof createModel>, e: EstimateInput, names: string[]): string {
  const once = (xs: string[]) => [...new Set(xs)].join(', ');
  if (e.tool === 'style' && e.layers.length === 0) return `content ${defaultContentLayer(cm)}; style ${once(defaultStyleLayers(cm))}`;
  return `layers ${once(names)}`;
}

function defaults(cm: ReturnType<typeof createModel>, tool: CreateTool): string[] {
  if (tool === 'dream') return [defaultDreamLayer(cm)];
  if (tool === 'invert') return defaultInversionLayers(cm);
  if (tool === 'texture') return defaultTextureLayers(cm);
  return [defaultContentLayer(cm), ...defaultStyleLayers(cm)];
}

function modelMb(cm: ReturnType<typeof createModel>): number {
  let bytes = 0;
  for (const t of cm.ir.graph.initializers.values()) bytes += t.dims.reduce((a, b) => a * Number(b), 1) * 4;
  return (2 * bytes) / 2 ** 20;
}
