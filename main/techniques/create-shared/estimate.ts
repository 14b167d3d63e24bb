// A pre-run estimate of time and peak memory, from the graph alone: convolution MACs up to the deepest
// layer the tool uses (scaled from the native size to the working size), evaluations the schedule needs,
// and activations + optimiser state for memory. Calibrated on this project's 2-core runs (see bench/).
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

export interface EstimateInput {
  tool: CreateTool;
  size: number;
  steps: number;
  layers: string[];
  octaves?: number;
  scales?: number[];
}

/** Sustained forward+backward throughput per core (MAC/s): VGG19 style transfer measured ~7.6 on a busy 2-core Xeon. */
const MACS_PER_CORE = 8e9;
const BASE_MB = 220;

export function estimate(meta: ModelMeta, e: EstimateInput): { seconds: number; peakMb: number; note: string } {
  const cm = createModel(meta);
  const names = e.layers.length > 0 ? e.layers : defaults(cm, e.tool);
  const deepest = Math.max(...names.map((n) => cm.layers.indexOf(layer(cm, n))));
  const [nh, nw] = meta.inputSize;
  let macs = 0;
  let acts = 0;
  cm.layers.slice(0, deepest + 1).forEach((l) => {
    const shape = l.shape.map((d) => (typeof d === 'number' ? d : 1));
    const elems = shape.reduce((a, b) => a * b, 1);
    acts += elems;
    if (l.op !== 'Conv') return;
    const node = cm.ir.graph.nodes.find((n) => n.outputs[0] === l.tensor);
    const w = node ? cm.ir.graph.initializers.get(node.inputs[1]) : undefined;
    if (w) macs += (elems / shape[1]) * w.dims.reduce((a, b) => a * Number(b), 1);
  });
  const px = (s: number) => (s * s * 0.75) / (nh * nw); // a 4:3 photo at longer side s
  let evals = 0; // in units of "one evaluation at the working size"
  let maxPx = px(e.size);
  if (e.tool === 'dream') {
    const oct = e.octaves ?? 4;
    for (let k = 0; k < oct; k++) evals += e.steps / Math.pow(1.4, 2 * k);
  } else if (e.tool === 'style' && e.scales?.length) {
    maxPx = px(Math.max(...e.scales));
    for (const s of e.scales) evals += (e.steps * 1.3 + 4) * (px(s) / px(e.size));
  } else evals = e.steps * 1.3 * (e.tool === 'invert' ? names.length : 1) + 2;
  const threads = Math.min(defaultThreads(), os.availableParallelism());
  const seconds = (3 * macs * px(e.size) * evals) / (MACS_PER_CORE * threads) + 1;
  const n = 3 * e.size * e.size * 0.75 * (maxPx / px(e.size));
  const lbfgs = e.tool === 'dream' ? 0 : 2 * 10 * n * 8; // history m = 10, float64
  const peakMb = BASE_MB + (acts * maxPx * 4 * 2 + lbfgs + n * 4 * 8) / 2 ** 20 + (cm.ir.graph.initializers.size ? modelMb(cm) : 0);
  return { seconds: Math.round(seconds), peakMb: Math.round(peakMb), note: `${names.join(', ')} on ${meta.name}, ${threads} threads` };
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
