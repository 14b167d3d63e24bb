// The parameter panel's fields per tool: label, kind, bounds and a tooltip naming where the default comes from.
import type { CreateTool } from '../../../../main/techniques/create-shared/params';

export type Field =
  | { key: string; label: string; kind: 'number'; min: number; max: number; step?: number; tip: string; optional?: boolean }
  | { key: string; label: string; kind: 'text'; placeholder: string; tip: string }
  | { key: string; label: string; kind: 'select'; options: [string, string][]; tip: string }
  | { key: string; label: string; kind: 'check'; tip: string };

const DD = 'google/deepdream (Mordvintsev, Olah & Tyka 2015)';
const MV = 'Mahendran & Vedaldi 2015, "Understanding deep image representations by inverting them"';
const G15 = 'Gatys, Ecker & Bethge 2015, "Texture synthesis using convolutional neural networks"';
const G16 = 'Gatys, Ecker & Bethge 2016, "Image style transfer using convolutional neural networks"';
const OPT: [string, string][] = [
  ['lbfgs', 'L-BFGS'],
  ['adam', 'Adam'],
];

export const FIELDS: Record<CreateTool, Field[]> = {
  dream: [
    {
      key: 'layers',
      label: 'Layers',
      kind: 'text',
      placeholder: 'auto (a wide middle layer)',
      tip: `Comma-separated layer names (relu4_4, layer3, …). ${DD} used inception_4c.`,
    },
    {
      key: 'channel',
      label: 'Channel',
      kind: 'number',
      min: 0,
      max: 4096,
      tip: 'Amplify one channel of the first layer instead of all of it',
      optional: true,
    },
    { key: 'octaves', label: 'Octaves', kind: 'number', min: 1, max: 10, tip: `Scales from small to full size; 4 in ${DD}` },
    {
      key: 'octaveScale',
      label: 'Octave scale',
      kind: 'number',
      min: 1,
      max: 3,
      step: 0.1,
      tip: `Size ratio between octaves; 1.4 in ${DD}`,
    },
    { key: 'steps', label: 'Steps per octave', kind: 'number', min: 1, max: 1000, tip: `10 in ${DD}` },
    {
      key: 'stepSize',
      label: 'Step size',
      kind: 'number',
      min: 0.1,
      max: 20,
      step: 0.1,
      tip: `Grey levels per step, gradient normalised by its mean |g|; 1.5 in ${DD}`,
    },
    { key: 'jitter', label: 'Jitter', kind: 'number', min: 0, max: 128, tip: `Random shift per step in pixels; 32 in ${DD}` },
    {
      key: 'tile',
      label: 'Tile',
      kind: 'number',
      min: 64,
      max: 2048,
      tip: 'Images larger than this are processed in randomly shifted tiles (calc_grad_tiled)',
    },
  ],
  invert: [
    {
      key: 'layers',
      label: 'Layers',
      kind: 'text',
      placeholder: 'auto (strip: relu1_1 … relu5_1)',
      tip: `One layer, or several for a strip shallow → deep (${MV})`,
    },
    { key: 'steps', label: 'Steps per layer', kind: 'number', min: 1, max: 5000, tip: 'Optimiser iterations for each layer' },
    { key: 'optimiser', label: 'Optimiser', kind: 'select', options: OPT, tip: `${MV} used momentum SGD; L-BFGS converges in fewer steps` },
    {
      key: 'lambdaTV',
      label: 'λ TV',
      kind: 'number',
      min: 0,
      max: 100,
      step: 0.005,
      tip: `TV^β weight; blank = by depth (the paper's ×10 per band, scaled: see docs). β = 2 (${MV})`,
      optional: true,
    },
    { key: 'lambdaAlpha', label: 'λ α-norm', kind: 'number', min: 0, max: 10, step: 0.001, tip: `α-norm weight, α = 6, B = 80 (${MV})` },
  ],
  texture: [
    {
      key: 'layers',
      label: 'Gram layers',
      kind: 'text',
      placeholder: 'auto (conv1_1, pool1–pool4 or equiv.)',
      tip: `Layers whose Gram matrices are matched; conv1_1 and pool1–pool4 in ${G15}`,
    },
    {
      key: 'layerWeights',
      label: 'Layer weights',
      kind: 'text',
      placeholder: 'equal (e.g. 1,1,1,1,1)',
      tip: `One weight per Gram layer; equal in ${G15}`,
    },
    { key: 'steps', label: 'Steps', kind: 'number', min: 1, max: 5000, tip: `L-BFGS iterations (${G15})` },
    {
      key: 'sampleSize',
      label: 'Sample size',
      kind: 'number',
      min: 32,
      max: 2048,
      tip: 'Longer side the sample is analysed at; the output size is set above, independently',
    },
    {
      key: 'avgPool',
      label: 'Average pooling',
      kind: 'check',
      tip: `Replace max by average pooling: smoother gradients, better textures (${G15})`,
    },
    { key: 'optimiser', label: 'Optimiser', kind: 'select', options: OPT, tip: `L-BFGS as in ${G15}` },
  ],
  style: [
    { key: 'contentLayer', label: 'Content layer', kind: 'text', placeholder: 'auto (relu4_2 or equivalent)', tip: `relu4_2 in ${G16}` },
    {
      key: 'styleLayers',
      label: 'Style layers',
      kind: 'text',
      placeholder: 'auto (relu1_1 … relu5_1 or equiv.)',
      tip: `relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 equally weighted in ${G16}`,
    },
    {
      key: 'styleLayerWeights',
      label: 'Style layer weights',
      kind: 'text',
      placeholder: 'equal (e.g. 1,1,1,1,1)',
      tip: `One weight per style layer; ${G16} weighted them equally`,
    },
    {
      key: 'contentWeight',
      label: 'Content weight',
      kind: 'number',
      min: 0,
      max: 1e6,
      step: 0.1,
      tip: "α; each term is divided by its target's mean square, so weights mean the same on any model",
    },
    {
      key: 'styleWeight',
      label: 'Style weight',
      kind: 'number',
      min: 0,
      max: 1e6,
      step: 10,
      tip: `β; α/β = 1/100 by default (${G16} used 1e-3 with unnormalised terms)`,
    },
    {
      key: 'tvWeight',
      label: 'TV weight',
      kind: 'number',
      min: 0,
      max: 10,
      step: 0.001,
      tip: 'Total variation smoothing (Mahendran & Vedaldi 2015; Johnson et al. 2016)',
    },
    {
      key: 'init',
      label: 'Start from',
      kind: 'select',
      options: [
        ['content', 'Content'],
        ['noise', 'Noise'],
        ['style', 'Style'],
      ],
      tip: `${G16} compared noise, content and style inits`,
    },
    { key: 'optimiser', label: 'Optimiser', kind: 'select', options: OPT, tip: `L-BFGS as in ${G16}` },
    { key: 'steps', label: 'Steps per scale', kind: 'number', min: 1, max: 5000, tip: 'Optimiser iterations at each scale' },
    {
      key: 'preserveColor',
      label: 'Preserve colours',
      kind: 'check',
      tip: 'Luminance-only transfer (Gatys, Bethge, Hertzmann & Shechtman 2016, "Preserving color in neural artistic style transfer")',
    },
    {
      key: 'scales',
      label: 'Scales',
      kind: 'text',
      placeholder: 'e.g. 256,512,1024',
      tip: 'Multi-scale schedule: each scale starts from the previous result (blank: the working size only)',
    },
  ],
};

export const COMMON: Field[] = [
  { key: 'size', label: 'Working size', kind: 'number', min: 32, max: 2048, tip: 'Longer side in pixels while optimising' },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2147483647, tip: 'Same seed, same image, bit for bit' },
  { key: 'previewEvery', label: 'Preview every', kind: 'number', min: 0, max: 100, tip: 'Steps between live previews' },
  {
    key: 'exportSize',
    label: 'Export size',
    kind: 'number',
    min: 32,
    max: 8192,
    tip: 'Longer side of the exported file (blank: the working size)',
    optional: true,
  },
  {
    key: 'format',
    label: 'Format',
    kind: 'select',
    options: [
      ['png', 'PNG'],
      ['jpeg', 'JPEG'],
    ],
    tip: 'PNG keeps model, layers, parameters, seed and app version in its text chunks',
  },
  { key: 'timelapse', label: 'Time-lapse GIF', kind: 'check', tip: 'Also make an animated GIF of the previews' },
];

export const DEFAULTS: Record<CreateTool, Record<string, unknown>> = {
  dream: { layers: '', channel: undefined, octaves: 4, octaveScale: 1.4, steps: 10, stepSize: 1.5, jitter: 32, tile: 512 },
  invert: { layers: '', steps: 200, optimiser: 'lbfgs', lambdaTV: undefined, lambdaAlpha: 0.001 },
  texture: { layers: '', layerWeights: '', steps: 100, sampleSize: 256, avgPool: false, optimiser: 'lbfgs' },
  style: {
    contentLayer: '',
    styleLayers: '',
    styleLayerWeights: '',
    contentWeight: 1,
    styleWeight: 100,
    tvWeight: 0.001,
    init: 'content',
    optimiser: 'lbfgs',
    steps: 200,
    preserveColor: false,
    scales: '',
  },
};
export const COMMON_DEFAULTS: Record<string, unknown> = {
  size: 256,
  seed: 0,
  previewEvery: 5,
  exportSize: undefined,
  format: 'png',
  timelapse: false,
};
