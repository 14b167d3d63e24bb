// Shared by the run-log integration tests: a tiny real ONNX classifier and small real PNGs.
import sharp from 'sharp';

export { tinyNchw } from '../models/tiny-onnx';

export async function pngs(n: number, size = 24): Promise<{ name: string; bytes: Uint8Array }[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => ({
      name: `img${i}.png`,
      bytes: new Uint8Array(
        await sharp({ create: { width: size, height: size, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: 128 } } })
          .png()
          .toBuffer(),
      ),
    })),
  );
}
