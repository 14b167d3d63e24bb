// vision-studio cam --image FILE --model M [--method ...] [--class INDEX] [--layer NAME] --out FILE [--json]
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../../engine/engine';
import { loadLabels } from '../../models/labels';
import { computeCam } from '../../techniques/cam/cam';
import { camCaption, camPng } from '../../techniques/cam/export';
import { CAM_METHODS, type CamMethod } from '../../techniques/cam/methods';
import { COLORMAPS, type ColormapName } from '../../techniques/shared/colormap';
import { DEFAULT_OVERLAY, OVERLAY_MODES, type OverlayMode } from '../../techniques/shared/overlay';
import { EXIT, UsageError, type CliIO } from '../io';
import { checkOutPath } from '../../util/out-path';
import { logCliRun } from '../log-run';
import { readInputFile, resolveCliModel } from '../model-input';
import { modelSha256 } from '../../techniques/shared/provenance';
import { encodeNpy } from '../../util/npy';

export const camHelp = `Usage: vision-studio cam --image FILE --model ID|PATH [--method cam|gradcam|gradcam++|hirescam|scorecam]
                        [--class INDEX] [--layer NAME] --out FILE.png [--json]
                        [--colormap jet|viridis|inferno|gray] [--opacity 0.5] [--threshold 0] [--mode blended|side-by-side|mask-only]
                        [--aug-smooth] [--eigen-smooth]

Class activation map of a photo for a class (default: the top-1), over the photo at its resolution.
  --method     gradcam (default), cam (GAP + linear heads only), gradcam++, hirescam, scorecam (gradient-free, slower)
  --class      output index of the class (default: the model's top-1)
  --layer      the feature map: a readable name from 'vision-studio layers' (relu5_2, layer4) or a tensor name
               (default: suggested from the graph: the last map of at least 7×7 before global pooling)
  --aug-smooth    average over horizontal flips × brightness 0.9/1/1.1 (6 passes)
  --eigen-smooth  first principal component of the weighted activations instead of their sum
  --out        PNG to write, with provenance in its text chunks
  --raw        also write the map as a float32 .npy [H, W] at the photo's resolution (NaN outside the model's view)
  --no-caption, --no-colorbar   leave the caption or the colour bar off the PNG
  --json       print {"file","method","layer","class":{"index","label","probability"},"peak":{"x","y"},"out","raw"};
               the peak is in the original image's pixels`;

export async function camCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      image: { type: 'string' },
      model: { type: 'string' },
      method: { type: 'string', default: 'gradcam' },
      class: { type: 'string' },
      layer: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      colormap: { type: 'string', default: 'jet' },
      opacity: { type: 'string', default: '0.5' },
      threshold: { type: 'string', default: '0' },
      mode: { type: 'string', default: 'blended' },
      'aug-smooth': { type: 'boolean', default: false },
      'eigen-smooth': { type: 'boolean', default: false },
      raw: { type: 'string' },
      'no-caption': { type: 'boolean', default: false },
      'no-colorbar': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (io.out(camHelp), EXIT.ok);
  if (!values.image) throw new UsageError('--image FILE is required');
  if (!values.out) throw new UsageError('--out FILE.png is required');
  checkOutPath(values.out);
  const method = values.method as CamMethod;
  if (!CAM_METHODS.includes(method)) throw new UsageError(`--method takes one of ${CAM_METHODS.join(', ')}`);
  if (!COLORMAPS.includes(values.colormap as ColormapName)) throw new UsageError(`--colormap takes one of ${COLORMAPS.join(', ')}`);
  if (!OVERLAY_MODES.includes(values.mode as OverlayMode)) throw new UsageError(`--mode takes one of ${OVERLAY_MODES.join(', ')}`);
  const classIndex = values.class === undefined ? undefined : Number(values.class);
  if (classIndex !== undefined && (!Number.isInteger(classIndex) || classIndex < 0))
    throw new UsageError('--class takes a class index (0, 1, ...)');
  const opacity = unit(values.opacity!, '--opacity');
  const threshold = unit(values.threshold!, '--threshold');
  const bytes = await readInputFile(values.image);
  const engine = new Engine({ transport: 'cli' });
  try {
    const meta = await resolveCliModel(engine.services.models, values.model);
    const source = path.basename(values.image);
    let r!: Awaited<ReturnType<typeof computeCam>>;
    await logCliRun(
      engine,
      io,
      {
        kind: 'explain-cam',
        label: `${method} on ${source}`,
        modelId: meta.id,
        modelSha256: modelSha256(meta),
        params: {
          file: source,
          method,
          classIndex,
          layer: values.layer,
          augSmooth: values['aug-smooth'],
          eigenSmooth: values['eigen-smooth'],
          colormap: values.colormap,
          opacity,
          threshold,
          mode: values.mode,
        },
        inputs: [{ name: source, bytes }],
      },
      async () => {
        r = await computeCam(meta, loadLabels(meta.labels), values.image!, bytes, {
          method,
          classIndex,
          layer: values.layer,
          augSmooth: values['aug-smooth'],
          eigenSmooth: values['eigen-smooth'],
        });
        const overlay = {
          ...DEFAULT_OVERLAY,
          colormap: values.colormap as ColormapName,
          opacity,
          threshold,
          mode: values.mode as OverlayMode,
          colorbar: !values['no-colorbar'],
          label: values['no-caption'] ? undefined : camCaption(r),
        };
        // The map itself, for scripts: float32 [H, W] at the photo's resolution, NaN where the model did not look.
        if (values.raw) await fs.writeFile(values.raw, encodeNpy({ data: r.full, shape: [r.image.height, r.image.width] }));
        const png = await camPng(r, meta, overlay, source, {
          augSmooth: values['aug-smooth'],
          eigenSmooth: values['eigen-smooth'],
        });
        await fs.writeFile(values.out!, png);
        // The run keeps a compact result (class, layer, peak) and the PNG as its output image.
        return { class: r.class, layer: r.layer, peak: r.peak, png };
      },
    );
    if (values.json) {
      io.out(
        JSON.stringify({
          file: values.image,
          method,
          layer: r.layer,
          class: r.class,
          peak: r.peak,
          out: values.out,
          raw: values.raw ?? null,
        }),
      );
    } else {
      io.out(
        `${values.image}: ${r.class.label} (${(r.class.probability * 100).toFixed(1)}%), ${method} on ${r.layer}, peak at (${r.peak.x}, ${r.peak.y})`,
      );
      io.out(`wrote ${values.out}${values.raw ? ` and ${values.raw}` : ''}`);
    }
    return EXIT.ok;
  } finally {
    await engine.dispose();
  }
}

function unit(s: string, flag: string): number {
  const v = Number(s);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new UsageError(`${flag} takes a number from 0 to 1`);
  return v;
}
