// Activation explorer benchmark (not a CI test): one `activations.run` (session with every layer exposed, one
// forward pass, per-channel statistics, an 8-bit atlas per layer) against the peer measured in the same run on
// the same threads: the plain classification forward pass of the same model through the SessionCache, i.e.
// what the explorer costs over just classifying the photo. Cold = first run (builds the exposed session);
// warm = a new photo on the cached session.
//
// Usage: npx tsx bench/activations/run.ts [--reps 5] [--set main|all]
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { forgetPass } from '../../main/activations/forward';
import { exploreActivations } from '../../main/activations/explore';
import { releaseExposedModels } from '../../main/activations/session';
import { infer, prepareModel, preprocessImage } from '../../main/classify/classify';
import { resolveModelArg } from '../../main/cli/model-input';
import { SessionCache } from '../../main/runtime/sessions';
import { sharedPath } from '../../tests/helpers/shared-models';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' }, set: { type: 'string', default: 'main' } } });
const reps = Number(values.reps);
const set = values.set === 'all' ? 'all' : 'main';
const photos = ['cat.png', 'bird.png', 'dragonfly.png', 'sunflower.png', 'grace_hopper.png'].map((f) => ({
  name: f,
  bytes: new Uint8Array(fs.readFileSync(sharedPath('photos', f))),
}));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const params = { layers: set, maxChannels: 2048, maxSide: 4096, maxBytes: 48 << 20 } as const;

console.log(`threads ${process.env.VISION_STUDIO_THREADS ?? 'all cores'}, layer set '${set}', ${reps} reps, median ms`);
for (const name of ['mobilenet_v2_1.0_224', 'tiny_darknet_224']) {
  const meta = await resolveModelArg(sharedPath(`${name}.onnx`));
  const sessions = new SessionCache();
  const plain = await prepareModel(meta, sessions, []);
  await releaseExposedModels();
  let t = performance.now();
  const cold = await exploreActivations(meta, photos[0], params);
  const coldMs = performance.now() - t;
  const ours: number[] = [];
  const peer: number[] = [];
  const parts = { forward: [] as number[], pack: [] as number[] };
  for (let i = 0; i < reps; i++) {
    const photo = photos[(i + 1) % photos.length];
    forgetPass();
    t = performance.now();
    const r = await exploreActivations(meta, photo, params);
    ours.push(performance.now() - t);
    parts.forward.push(r.ms.forward);
    parts.pack.push(r.ms.pack);
    // The peer, interleaved so the load of a shared machine hits both alike: decode + preprocess + forward.
    t = performance.now();
    const pre = await preprocessImage(photo.name, photo.bytes, meta);
    await infer(plain, [pre.tensor]);
    peer.push(performance.now() - t);
  }
  const mb = (cold.bytes / 2 ** 20).toFixed(1);
  console.log(
    `${name}: ${cold.layers.length} layers, ${mb} MB of atlases${cold.capped ? ' (capped)' : ''} | cold ${coldMs.toFixed(0)} | warm ${median(ours).toFixed(0)} ` +
      `(forward with taps ${median(parts.forward).toFixed(0)}, stats + atlases ${median(parts.pack).toFixed(0)}) | ` +
      `plain classify ${median(peer).toFixed(0)} | ratio ${(median(ours) / median(peer)).toFixed(2)}×`,
  );
  await sessions.releaseAll();
}
await releaseExposedModels();
