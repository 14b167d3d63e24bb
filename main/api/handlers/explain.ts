// explain.*: CAM overlays, class visualisation and adversarial examples, each run as a compute job whose
// `done` result carries PNG bytes (with provenance chunks). The last CAMs are kept so that changing only
// the colormap, opacity, threshold or mode re-renders without recomputing (Score-CAM takes seconds).
// Each job is logged as a run (parameters without image bytes, the photo as its input).
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import { requestedModel } from '../../engine/services';
import type { AdversarialJobResult, CamJobResult, ModelMeta, VisualizeJobResult } from '../contract';
import { StudioError } from '../contract';
import { loadLabels } from '../../models/labels';
import { listLayers } from '../../onnx/layers';
import { attack } from '../../techniques/adversarial/attack';
import { adversarialPanel, adversarialPng } from '../../techniques/adversarial/panel';
import { computeCam, type CamResult } from '../../techniques/cam/cam';
import { camCaption, camPng } from '../../techniques/cam/export';
import { analyseHead } from '../../techniques/cam/layers';
import { visualizeClass } from '../../techniques/classviz/visualize';
import { modelIR } from '../../techniques/shared/graph-index';
import { modelSha256, withProvenance } from '../../techniques/shared/provenance';

async function available(s: EngineServices, modelId: string): Promise<ModelMeta & { path: string }> {
  const meta = await requestedModel(s, modelId);
  if (!meta.path || meta.status !== 'available')
    throw new StudioError('model_missing', `${meta.name} is not on disk yet: download it from the Models panel.`);
  return meta as ModelMeta & { path: string };
}

// Two maps at photo resolution (a 24 MP photo makes a 96 MB map): enough to flip between two classes or methods.
const recentCams = new Map<string, CamResult>();
function remember(key: string, r: CamResult): void {
  recentCams.set(key, r);
  if (recentCams.size > 2) recentCams.delete(recentCams.keys().next().value as string);
}

export function explainHandlers(
  s: EngineServices,
): HandlerGroup<'explain.layers' | 'explain.cam' | 'explain.visualize' | 'explain.adversarial'> {
  return {
    'explain.layers': async ({ modelId }) => {
      const meta = await available(s, modelId);
      const { model, index } = modelIR(meta.path);
      const head = analyseHead(model, index, meta.outputName);
      let layers: ReturnType<typeof listLayers> = [];
      try {
        layers = listLayers(model, meta.inputSize);
      } catch {
        // A graph the layer lister cannot infer still gets its suggested layer.
      }
      const spatial = layers.filter((l) => l.shape.length === 4).map((l) => ({ tensor: l.tensor, name: l.name, op: l.op, shape: l.shape }));
      return { suggested: head.target, reason: head.reason, camAvailable: !!head.classifier, layers: spatial };
    },

    'explain.cam': async ({ image, modelId, method, classIndex, layer, topK, augSmooth, eigenSmooth, overlay }) => {
      const meta = await available(s, modelId);
      const labels = loadLabels(meta.labels);
      const jobId = s.jobs.start({
        kind: 'explain-cam',
        label: `${method} on ${image.name}`,
        record: {
          modelId: meta.id,
          modelSha256: modelSha256(meta),
          params: { file: image.name, method, classIndex, layer, topK, augSmooth, eigenSmooth, overlay },
          inputs: [image],
        },
        run: async (ctx): Promise<CamJobResult> => {
          const key = `${createHash('sha1').update(image.bytes).digest('hex')}|${meta.path}|${JSON.stringify(meta.preprocessing)}|${method}|${classIndex ?? 'top'}|${layer ?? ''}|${topK}|${augSmooth}|${eigenSmooth}`;
          let r = recentCams.get(key);
          if (!r) {
            r = await computeCam(
              meta,
              labels,
              image.name,
              image.bytes,
              { method, classIndex, layer, topK, augSmooth, eigenSmooth },
              { progress: (f, m) => ctx.progress(f * 0.95, m), throwIfCancelled: ctx.throwIfCancelled },
            );
            remember(key, r);
          }
          ctx.throwIfCancelled();
          const png = await camPng(r, meta, { ...overlay, label: overlay.caption ? camCaption(r) : undefined }, image.name, {
            augSmooth,
            eigenSmooth,
          });
          const { class: cls, top, peak, layerReason, suggestedLayer, ms } = r;
          return {
            png: new Uint8Array(png),
            file: image.name,
            model: meta.id,
            method,
            layer: r.layer,
            layerReason,
            suggestedLayer,
            class: cls,
            top,
            peak,
            width: r.image.width,
            height: r.image.height,
            ms,
          };
        },
      });
      return { jobId };
    },

    'explain.visualize': async (params) => {
      const meta = await available(s, params.modelId);
      const labels = loadLabels(meta.labels);
      const jobId = s.jobs.start({
        kind: 'explain-visualize',
        label: `Visualise class ${params.classIndex} with ${meta.name}`,
        record: { modelId: meta.id, modelSha256: modelSha256(meta), params, seed: params.seed ?? 0 },
        run: async (ctx): Promise<VisualizeJobResult> => {
          const r = await visualizeClass(meta, labels, params, {
            progress: ctx.progress,
            throwIfCancelled: ctx.throwIfCancelled,
            preview: (png, step) => ctx.preview('image/png', png, step),
            metric: (step, name, value) => ctx.metric(step, name, value),
          });
          const raw = await sharp(Buffer.from(r.image.rgb), { raw: { width: r.image.width, height: r.image.height, channels: 3 } })
            .png()
            .toBuffer();
          const { seed, ...parameters } = r.params;
          const png = withProvenance(raw, {
            technique: 'classviz',
            method: 'gradient-ascent',
            model: meta.id,
            modelSha256: modelSha256(meta),
            class: { index: r.classIndex, label: r.label },
            parameters,
            seed,
          });
          return {
            png: new Uint8Array(png),
            model: meta.id,
            class: { index: r.classIndex, label: r.label },
            logit: r.logit,
            probability: r.probability,
            top: r.top,
            steps: r.params.steps,
            ms: r.ms,
          };
        },
      });
      return { jobId };
    },

    'explain.adversarial': async (p) => {
      const meta = await available(s, p.modelId);
      const labels = loadLabels(meta.labels);
      const jobId = s.jobs.start({
        kind: 'explain-adversarial',
        label: `${p.method.toUpperCase()} on ${p.image.name}`,
        record: {
          modelId: meta.id,
          modelSha256: modelSha256(meta),
          params: { ...p, image: p.image.name },
          seed: p.seed,
          inputs: [p.image],
        },
        run: async (ctx): Promise<AdversarialJobResult> => {
          const r = await attack(
            meta,
            labels,
            p.image.name,
            p.image.bytes,
            { ...p },
            { progress: (f, m) => ctx.progress(f * 0.9, m), throwIfCancelled: ctx.throwIfCancelled },
          );
          ctx.progress(0.92, 'Grad-CAM before and after');
          const [png, modelPng, panel] = await Promise.all([
            adversarialPng(r, meta, p.image.name),
            adversarialPng(r, meta, p.image.name, 'model'),
            adversarialPanel(r, meta, labels, p.image.name),
          ]);
          const { method, epsilon, steps, stepSize, target, original, adversarial, success, linf, smallestFlipEpsilon, sweep, ms } = r;
          return {
            png: new Uint8Array(png),
            modelPng: new Uint8Array(modelPng),
            photo: { width: r.photo.image.width, height: r.photo.image.height, adversarial: r.photo.adversarial, success: r.photo.success },
            panel: new Uint8Array(panel),
            method,
            epsilon,
            steps,
            stepSize,
            target,
            original,
            adversarial,
            success,
            linf,
            smallestFlipEpsilon,
            sweep,
            ms,
          };
        },
      });
      return { jobId };
    },
  };
}
