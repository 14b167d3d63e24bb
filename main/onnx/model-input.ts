// Turns an image file (or a float32 NCHW .npy) into the tensor a model sees. Local stand-in until the
// shared image/preprocess module is wired in: swap the body of loadModelInput and nothing else changes.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { StudioError } from '../api/contract.js';
import { decodeNpy } from './npy.js';

export interface ModelInput {
  data: Float32Array;
  /** [1, 3, H, W] (or the .npy's own shape). */
  dims: number[];
}

interface SidecarPreprocessing {
  channelOrder: 'RGB' | 'BGR';
  scale: number;
  mean: number[];
  std: number[];
}

/** Preprocessing from `<model>.json` next to the .onnx (format of ../shared/models/*.json), else ImageNet/torchvision defaults. */
export function readSidecar(modelPath: string): { pre: SidecarPreprocessing; inputSize: [number, number] | null } {
  const side = modelPath.replace(/\.onnx$/i, '.json');
  const dflt: SidecarPreprocessing = { channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  if (!fs.existsSync(side)) return { pre: dflt, inputSize: null };
  try {
    const j = JSON.parse(fs.readFileSync(side, 'utf8'));
    const p = j.preprocessing ?? {};
    return {
      pre: {
        channelOrder: p.channel_order === 'BGR' ? 'BGR' : 'RGB',
        scale: typeof p.scale === 'number' ? p.scale : dflt.scale,
        mean: Array.isArray(p.mean) ? p.mean : dflt.mean,
        std: Array.isArray(p.std) ? p.std : dflt.std,
      },
      inputSize: Array.isArray(j.input_size) ? [j.input_size[0], j.input_size[1]] : null,
    };
  } catch (e) {
    throw new StudioError('bad_model', `unreadable sidecar ${path.basename(side)}: ${(e as Error).message}`);
  }
}

/**
 * The seam: image file → preprocessed NCHW float32 (resize "fill" to size×size, pixel·scale, then
 * (x − mean)/std per channel); a .npy is used as is.
 */
export async function loadModelInput(file: string, modelPath: string, size?: number): Promise<ModelInput> {
  if (file.toLowerCase().endsWith('.npy')) {
    const { data, shape } = decodeNpy(fs.readFileSync(file));
    if (shape.length !== 4) throw new StudioError('bad_request', `${file}: expected an NCHW array, got shape (${shape.join(', ')})`);
    return { data, dims: shape };
  }
  const { pre, inputSize } = readSidecar(modelPath);
  const h = size ?? inputSize?.[0] ?? 224;
  const w = size ?? inputSize?.[1] ?? 224;
  let raw: Buffer;
  try {
    raw = await sharp(file).removeAlpha().toColourspace('srgb').resize(w, h, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  } catch (e) {
    throw new StudioError('bad_image', `cannot read image ${file}: ${(e as Error).message}`);
  }
  const data = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) {
    const src = pre.channelOrder === 'BGR' ? 2 - c : c;
    for (let i = 0; i < h * w; i++) data[c * h * w + i] = (raw[i * 3 + src] * pre.scale - pre.mean[c]) / pre.std[c];
  }
  return { data, dims: [1, 3, h, w] };
}
