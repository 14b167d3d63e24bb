#!/usr/bin/env node
// Turns ../shared/reference/onnx-model-zoo.json (facts gathered from onnx/models) into resources/catalog.json,
// which ships with the app: the app never reads ../shared at run time.
// Usage: node scripts/gen-catalog.mjs [path/to/onnx-model-zoo.json]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = process.argv[2] ?? path.resolve(root, '../shared/reference/onnx-model-zoo.json');
const out = path.join(root, 'resources', 'catalog.json');

// Which zoo files we offer, with display names and what a user should know. Undocumented recipes
// (caffe2 VGG19/ResNet50, Inception v2), possibly random timm weights (SE-ResNet) and the resnet50-v1-12
// sha conflict are left out on purpose.
// Notes are for a person choosing a model; what we know about a file's provenance (sha256 only from the hub
// manifest for VGG19; Caffe BGR recipes from the Intel eval scripts; DenseNet's [1,1000,1,1] output, which the
// engine squeezes itself) stays here and in ../shared/reference, not on screen.
const PICKS = {
  'mobilenetv2-12': { name: 'MobileNetV2', notes: 'Small and fast (14 MB): classifies and explains in a blink.' },
  'squeezenet1.1-7': { name: 'SqueezeNet 1.1', notes: 'The smallest (5 MB); less accurate than MobileNetV2.' },
  'resnet18-v1-7': { name: 'ResNet-18 v1', notes: 'A good balance of speed and accuracy; clear Grad-CAM maps.' },
  'resnet18-v2-7': { name: 'ResNet-18 v2' },
  'resnet50-v1-7': { name: 'ResNet-50 v1', notes: 'Accurate and widely used; the usual choice for explanations.' },
  'resnet50-v2-7': { name: 'ResNet-50 v2' },
  'resnet101-v1-7': { name: 'ResNet-101 v1' },
  'resnet152-v1-7': { name: 'ResNet-152 v1' },
  'vgg16-12': { name: 'VGG16', notes: 'A plain stack of convolutions: good for DeepDream, inversion and texture. Large (528 MB).' },
  'vgg16-bn-7': { name: 'VGG16 with batch norm' },
  'vgg19-7': { name: 'VGG19', notes: 'The network of the style-transfer and texture papers: the best choice for Create. Large (548 MB).' },
  'googlenet-12': { name: 'GoogLeNet', notes: 'The network of the original DeepDream pictures.' },
  'inception-v1-12': { name: 'Inception v1', notes: 'GoogLeNet as trained by Caffe; dreams like the original DeepDream.' },
  'bvlcalexnet-12': { name: 'AlexNet (BVLC)', notes: 'The 2012 ImageNet winner: a historic baseline.' },
  'caffenet-12': { name: 'CaffeNet', notes: 'A close variant of AlexNet.' },
  'zfnet512-12': { name: 'ZFNet-512', notes: 'AlexNet refined by Zeiler & Fergus (2013).' },
  'densenet-12': {
    name: 'DenseNet-121',
    notes: 'Its preprocessing is not documented, so its answers are less reliable (about 61% top-1 here); prefer ResNet-50.',
  },
  'shufflenet-v2-12': { name: 'ShuffleNet V2', notes: 'Small and fast, built for phones.' },
  'efficientnet-lite4-11': { name: 'EfficientNet-Lite4', notes: 'Accurate for its size, built for phones.' },
};

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** Maps the zoo's prose-ish recipe to the contract's Preprocessing; throws on anything it does not understand. */
function preprocessing(m) {
  const p = m.preprocessing;
  const crop = p.crop ? Number(/(\d+)/.exec(p.crop)?.[1]) : null;
  // "shorter side to 256", "short side -> 256", "Resize(256)", "direct resize to 256x256"
  const resizeTo = Number(/(?:to|->|Resize\()\s*(\d+)/.exec(p.resize ?? '')?.[1]);
  let resize;
  if (!p.resize) throw new Error(`${m.id}: no resize recipe`);
  if (/shorter|short side|keep aspect/i.test(p.resize)) resize = 'shorter-then-crop';
  else if (/direct resize/i.test(p.resize)) resize = crop ? 'fill-then-crop' : 'fill';
  else throw new Error(`${m.id}: unknown resize "${p.resize}"`);
  if (resize !== 'fill' && !(crop && resizeTo >= crop)) throw new Error(`${m.id}: crop/resize sizes missing`);

  if (Array.isArray(p.mean_subtracted_before_swap_RGB_order)) {
    // Caffe family: 0..255 input, means given in R,G,B order and subtracted before the swap to BGR,
    // so in the model's (BGR) channel order they are reversed. No std.
    if (!/^BGR/.test(p.color_order)) throw new Error(`${m.id}: expected BGR`);
    const [r, g, b] = p.mean_subtracted_before_swap_RGB_order;
    return {
      channelOrder: 'BGR',
      layout: p.layout,
      scale: 1,
      mean: [b, g, r],
      std: [1, 1, 1],
      resize,
      ...(resize !== 'fill' && { resizeTo }),
    };
  }
  if (p.color_order !== 'RGB' || !Array.isArray(p.mean) || !Array.isArray(p.std)) throw new Error(`${m.id}: unsupported recipe`);
  // 0..1 recipes keep the 0..1 mean/std with scale 1/255; 0..255 recipes (ResNet, EfficientNet) keep scale 1.
  const unit = /^0-1/.test(p.input_range ?? '');
  const scale = unit ? 1 / 255 : 1;
  if (unit && (p.mean.some((v, i) => v !== IMAGENET_MEAN[i]) || p.std.some((v, i) => v !== IMAGENET_STD[i])))
    throw new Error(`${m.id}: unexpected 0-1 mean/std`);
  return { channelOrder: 'RGB', layout: p.layout, scale, mean: p.mean, std: p.std, resize, ...(resize !== 'fill' && { resizeTo }) };
}

function inputSize(m) {
  const s = m.input_shape;
  return m.preprocessing.layout === 'NHWC' ? [s[1], s[2]] : [s[2], s[3]];
}

const zoo = JSON.parse(fs.readFileSync(src, 'utf8'));
const byId = new Map(zoo.models.map((m) => [m.id, m]));
const models = Object.entries(PICKS).map(([id, pick]) => {
  const m = byId.get(id);
  if (!m) throw new Error(`${id}: not in ${src}`);
  if (!/^[0-9a-f]{64}$/.test(m.lfs_sha256 ?? '') || !(m.size_bytes > 0)) throw new Error(`${id}: missing sha256/size`);
  if (/CONFLICT/.test(m.sha_status)) throw new Error(`${id}: sha conflict`);
  // The zoo's own notes are provenance for us, not for users: only our curated line ships.
  const notes = pick.notes;
  return {
    id,
    name: pick.name,
    family: m.family,
    url: m.download_url_working_form,
    sizeBytes: m.size_bytes,
    sha256: m.lfs_sha256,
    license: m.license,
    opset: m.opset,
    inputName: m.input_name,
    outputName: m.output_name,
    inputSize: inputSize(m),
    numClasses: m.num_classes,
    // mobilenetv2-12 has no recorded basis; its README (MXNet family) says to apply softmax.
    outputIsProbabilities: m.output_is_probabilities === true,
    preprocessing: preprocessing(m),
    labels: 'imagenet1k',
    labelOffset: 0,
    ...(notes && { notes }),
  };
});

const catalog = {
  about: 'Generated by scripts/gen-catalog.mjs from ../shared/reference/onnx-model-zoo.json. Do not edit by hand.',
  source: 'onnx/models (ONNX Model Zoo), manifest @' + zoo.manifest_commit,
  models,
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(catalog, null, 2) + '\n');
console.log(`wrote ${models.length} models to ${path.relative(root, out)}`);
