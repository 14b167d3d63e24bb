// Turns a finished optimisation into the CreateResult every tool returns (file bytes with provenance,
// loss summary, optional time-lapse) and says when the recommended model is not the one in use.
import { encodeResult, timelapseGif, type CreateProvenance } from './export';
import type { CreateResult, CreateTool } from './params';
import type { Tracker } from './progress';

export interface Finished {
  tool: CreateTool;
  rgb: Uint8Array;
  width: number;
  height: number;
  track: Tracker;
  prov: CreateProvenance;
  format: 'png' | 'jpeg';
  exportSize?: number;
  timelapse: boolean;
  parts?: CreateResult['parts'];
  strip?: CreateResult['strip'];
  /** What the user should know about this run (a size the model imposed). */
  notes?: string[];
}

export async function finish(f: Finished): Promise<CreateResult> {
  await f.track.flush();
  const bytes = await encodeResult(f.rgb, f.width, f.height, f.prov, f.format, f.exportSize);
  const last = f.track.frames[f.track.frames.length - 1];
  if (f.timelapse && (!last || last.rgb !== f.rgb)) f.track.frames.push({ rgb: f.rgb, width: f.width, height: f.height });
  const gif = f.timelapse && f.track.frames.length > 0 ? new Uint8Array(await timelapseGif(f.track.frames)) : undefined;
  const losses = f.track.losses;
  return {
    tool: f.tool,
    bytes: new Uint8Array(bytes),
    mime: f.format === 'jpeg' ? 'image/jpeg' : 'image/png',
    width: f.exportSize ? Math.round((f.width * f.exportSize) / Math.max(f.width, f.height)) : f.width,
    height: f.exportSize ? Math.round((f.height * f.exportSize) / Math.max(f.width, f.height)) : f.height,
    steps: f.track.step,
    lossStart: losses[0] ?? NaN,
    lossEnd: losses[losses.length - 1] ?? NaN,
    ms: Math.round(f.track.ms),
    parts: f.parts ?? {},
    strip: f.strip,
    gif,
    layers: f.prov.layers,
    notes: [...(f.notes ?? []), ...notes(f.tool, f.prov.meta.family, f.prov.meta.name)],
  };
}

function notes(tool: CreateTool, family: string, name: string): string[] {
  if ((tool === 'style' || tool === 'texture') && !/vgg/i.test(family + name))
    return [
      `VGG19 is the recommended model for ${tool === 'style' ? 'style transfer' : 'textures'} (Gatys et al.); download it in the Models panel. This run used ${name}.`,
    ];
  return [];
}
