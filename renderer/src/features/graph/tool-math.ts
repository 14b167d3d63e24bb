// "The math" beside the tools that use it, as TeX with the current model's numbers in: the CAM family's
// channel weights and map in Explain (K channels of an H×W map at the chosen layer), the Gram matrices of the
// chosen style layers in Create, the cross-entropy with L1/L2 in Train (K classes). The TeX holds numbers and
// fixed symbols only; layer names go in the plain-text notes. Pure: unit-tested with KaTeX's throwOnError.
import type { MathBlock } from './math-tex';

export type CamMathMethod = 'gradcam' | 'gradcam++' | 'hirescam' | 'cam' | 'scorecam';

/** A layer's [C, H, W] from an activation shape [N, C, H, W] with numbers; null when it is not a known 4-D map. */
export function mapDims(shape: readonly (number | string)[] | null | undefined): [number, number, number] | null {
  if (!shape || shape.length !== 4 || shape.slice(1).some((d) => typeof d !== 'number')) return null;
  return [shape[1] as number, shape[2] as number, shape[3] as number];
}

const sumK = (K: number) => `\\sum_{k=1}^{${K}}`;
const sumIJ = (H: number, W: number) => `\\sum_{i=1}^{${H}}\\sum_{j=1}^{${W}}`;

/** The CAM method's weights α_k^c and the map L^c on a layer of K channels and H×W positions. */
export function camMath(method: CamMathMethod, dims: [number, number, number], layer: string): MathBlock[] {
  const [K, H, W] = dims;
  const Z = H * W;
  const grad = `\\frac{\\partial y^c}{\\partial A^k_{ij}}`;
  const where = `A^k \\in \\mathbb{R}^{${H}\\times ${W}},\\; k = 1,\\dots,${K}`;
  const map: MathBlock = {
    title: 'The map',
    tex: [`L^c = \\mathrm{ReLU}\\Big(${sumK(K)} \\alpha_k^c\\, A^k\\Big) \\in \\mathbb{R}^{${H}\\times ${W}}`],
    note: `Upsampled from ${H}×${W} to the photo and normalised to 0…1 for the overlay.`,
  };
  const layerNote = `A is the activation of ${layer} (${K} channels, ${H}×${W}); y is class c’s score before softmax.`;
  switch (method) {
    case 'cam':
      return [
        {
          title: 'Channel weights (CAM)',
          tex: [where, `\\alpha_k^c = w^c_k`],
          note: `${layerNote} w^c is the classifier's row for class c after global average pooling: no gradient needed.`,
        },
        map,
      ];
    case 'hirescam':
      return [
        {
          title: 'Element-wise weights (HiResCAM)',
          tex: [where, `L^c = \\mathrm{ReLU}\\Big(${sumK(K)} ${grad} \\odot A^k_{ij}\\Big)`],
          note: `${layerNote} The gradient is not averaged over the ${Z} positions, so the map shows what the score actually used.`,
        },
      ];
    case 'gradcam++':
      return [
        {
          title: 'Channel weights (Grad-CAM++)',
          tex: [
            where,
            `\\alpha_k^c = ${sumIJ(H, W)} a^{kc}_{ij}\\, \\mathrm{ReLU}\\Big(${grad}\\Big)`,
            `a^{kc}_{ij} = \\frac{g_{ij}^2}{2 g_{ij}^2 + \\sum_{a,b} A^k_{ab}\\, g_{ij}^3},\\quad g = ${grad}`,
          ],
          note: `${layerNote} With the exponential of the score, the 2nd and 3rd derivatives are powers of the first.`,
        },
        map,
      ];
    case 'scorecam':
      return [
        {
          title: 'Channel weights (Score-CAM)',
          tex: [where, `\\alpha_k^c = \\mathrm{softmax}_k\\Big(y^c\\big(X \\odot \\mathrm{norm}(\\mathrm{up}(A^k))\\big)\\Big)`],
          note: `${layerNote} One forward pass per channel (${K} of them) with the photo masked by the upsampled, 0…1-scaled map.`,
        },
        map,
      ];
    default:
      return [
        {
          title: 'Channel weights (Grad-CAM)',
          tex: [where, `\\alpha_k^c = \\frac{1}{Z} ${sumIJ(H, W)} ${grad}`, `Z = ${H}\\cdot ${W} = ${Z}`],
          note: layerNote,
        },
        map,
      ];
  }
}

export interface GramLayer {
  name: string;
  /** [C, H, W] at the model's own input size, when known. */
  dims: [number, number, number] | null;
}

/** The Gram matrix of each chosen style layer and the style term that matches them (as main/onnx/loss.ts builds it). */
export function gramMath(layers: readonly GramLayer[], styleWeight: number): MathBlock[] {
  const known = layers.filter((l) => l.dims);
  const out: MathBlock[] = [
    {
      title: 'Gram matrix',
      tex: [`F^l \\in \\mathbb{R}^{C_l\\times H_l W_l}`, `G^l = \\frac{F^l {F^l}^{\\top}}{C_l H_l W_l} \\in \\mathbb{R}^{C_l\\times C_l}`],
      note: 'F^l is layer l’s activation with one row per channel; G^l[a, b] is how much channels a and b fire together, wherever they fire.',
    },
    {
      title: 'Style term',
      tex: [
        `L_{\\text{style}} = ${styleWeight} \\sum_{l=1}^{${Math.max(layers.length, 1)}} w_l\\, \\frac{\\operatorname{mean}\\big((G^l - \\hat G^l)^2\\big)}{\\operatorname{mean}\\big((\\hat G^l)^2\\big)}`,
      ],
      note: 'Ĝ^l is the style image’s Gram matrix; each layer’s term is divided by its target’s mean square, so the weight means the same on any model.',
    },
  ];
  for (const l of known) {
    const [C, H, W] = l.dims!;
    out.push({
      title: l.name,
      tex: [`G \\in \\mathbb{R}^{${C}\\times ${C}},\\quad C H W = ${C}\\cdot ${H}\\cdot ${W} = ${C * H * W}`],
      note: `${C} channels, ${H}×${W} at the model’s own input size (H and W scale with the image).`,
    });
  }
  return out;
}

/** Train's objective: cross-entropy over K classes (with label smoothing ε) plus the L1 and L2 penalties. */
export function trainMath(
  K: number | null,
  o: { labelSmoothing: number; l1: number; weightDecay: number; decoupled: boolean },
): MathBlock[] {
  const k = K ?? 'K';
  const eps = o.labelSmoothing;
  const q = eps > 0 ? `q_{nk} = ${1 - eps}\\,[k = y_n] + \\frac{${eps}}{${k}}` : `q_{nk} = [k = y_n]`;
  const l2 = o.weightDecay > 0 && !o.decoupled ? ` + \\frac{${o.weightDecay}}{2}\\sum_w w^2` : '';
  const l1 = o.l1 > 0 ? ` + ${o.l1}\\sum_w |w|` : '';
  const blocks: MathBlock[] = [
    {
      title: 'Cross-entropy',
      tex: [
        `p_{nk} = \\frac{e^{z_{nk}}}{\\sum_{j=1}^{${k}} e^{z_{nj}}},\\quad ${q}`,
        `\\mathrm{CE} = -\\frac{1}{N}\\sum_{n=1}^{N}\\sum_{k=1}^{${k}} q_{nk}\\log p_{nk}`,
      ],
      note: `z_n are the ${K ?? 'K'} logits of image n in a batch of N${K === null ? ' (K: the dataset’s class count, once a dataset is read)' : ''}; as torch.nn.CrossEntropyLoss${eps > 0 ? `(label_smoothing=${eps})` : ''}.`,
    },
    {
      title: 'Loss',
      tex: [`L = \\mathrm{CE}${l1}${l2 || (l1 ? '' : ' + \\frac{\\lambda_2}{2}\\sum_w w^2')}`],
      note:
        o.weightDecay > 0 && o.decoupled
          ? `Weight decay ${o.weightDecay} is applied by the optimiser itself (decoupled, as AdamW), not through the loss.`
          : o.weightDecay > 0
            ? `λ2 = ${o.weightDecay} is torch’s weight_decay: the gradient of λ2/2·Σw² adds λ2·w to each penalised weight’s gradient.`
            : 'Weight decay is 0 now: with λ2 > 0 the loss gains λ2/2·Σw² over the trained weights.',
    },
  ];
  return blocks;
}
