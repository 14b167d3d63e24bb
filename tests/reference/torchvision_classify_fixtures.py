"""torchvision's exact model inputs for tests/integration/classify/torchvision-preprocess.test.ts (#14).

Run: /usr/bin/python3 tests/reference/torchvision_classify_fixtures.py   (writes tests/fixtures/preprocess/tv/)

For every source image and recipe, the 224x224 uint8 RGB image torchvision hands to ToTensor(), as a lossless PNG:
  fill      T.Resize((224, 224))                      mobilenet_v2_1.0_224's sidecar ("no crop", whole photo)
  crop      T.Resize(256) + T.CenterCrop(224)         the ImageNet recipe (shorter side 256)
  fillcrop  T.Resize((256, 256)) + T.CenterCrop(224)  'fill-then-crop'
Resize on a PIL image is PIL's Image.resize(BILINEAR): a triangle filter widened by the downscale factor
(antialiased), uint8 fixed point (libImaging/Resample.c). Sources:
  photos   ../shared/models/photos/*.png, read by the test from there (not copied)
  pattern  synthetic images from an integer formula (pattern() below, repeated in the test), awkward sizes
  jpeg     one JPEG written here (4:2:0, quality 90), so decoding is compared too, not only resizing
The PNG files make the pixel comparison; the test then feeds both through the same ONNX session and compares
probabilities. manifest.json lists every case with PIL/torchvision versions.
"""
import json
import os

import numpy as np
import PIL
import torchvision
from PIL import Image
from torchvision import transforms as T

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, '..', 'fixtures', 'preprocess', 'tv')
photos = os.path.join(here, '..', '..', '..', 'shared', 'models', 'photos')
os.makedirs(out, exist_ok=True)

RECIPES = {
    'fill': T.Resize((224, 224)),
    'crop': T.Compose([T.Resize(256), T.CenterCrop(224)]),
    'fillcrop': T.Compose([T.Resize((256, 256)), T.CenterCrop(224)]),
}


def pattern(w, h):
    """Integer-only (bit-exact in any language): rings that get finer outwards (aliasing bait), an XOR
    checker of one-pixel detail, and a diagonal ramp."""
    x = np.arange(w, dtype=np.int64)[None, :].repeat(h, 0)
    y = np.arange(h, dtype=np.int64)[:, None].repeat(w, 1)
    r = ((x * x + y * y) >> 6) % 256
    g = np.where(((x ^ y) & 8) == 0, 200, 40) + (x * 7 + y * 3) % 16
    b = (x + 2 * y) % 256
    return Image.fromarray(np.stack([r, g, b], -1).astype(np.uint8), 'RGB')


cases = []


def add(source, name, img, recipes):
    for recipe in recipes:
        file = f'{name}.{recipe}.png'
        RECIPES[recipe](img).save(os.path.join(out, file), optimize=True)
        cases.append({'source': source, 'name': name, 'size': list(img.size), 'recipe': recipe, 'file': file})


for photo in ['bird', 'cat', 'dragonfly', 'grace_hopper', 'sunflower']:
    # torchvision's pil_loader: Image.open(f).convert('RGB'); no EXIF transpose, no ICC conversion.
    img = Image.open(os.path.join(photos, f'{photo}.png')).convert('RGB')
    add('photo', photo, img, ['fill', 'crop'])

# Awkward sizes: odd, 4:3 with a .5 crop offset, a 12 MP-like 3:2, extreme strips (upsampled on one axis,
# downsampled on the other), and one smaller than the input (pure upsampling).
# Not every recipe for every size: the fixtures stay under 1.5 MB.
for w, h, recipes in [(401, 299, ['crop', 'fillcrop']), (3000, 2000, ['fill', 'crop']), (1000, 230, ['fill', 'crop']),
                      (230, 1000, ['crop']), (7, 300, ['fill', 'crop']), (150, 113, ['fill'])]:
    add('pattern', f'pattern-{w}x{h}', pattern(w, h), recipes)

jpeg = os.path.join(out, 'pattern-400x300.jpg')
pattern(400, 300).save(jpeg, quality=90, subsampling=2)
add('jpeg', 'pattern-400x300.jpg', Image.open(jpeg).convert('RGB'), ['crop'])

with open(os.path.join(out, 'manifest.json'), 'w') as f:
    json.dump({'pil': PIL.__version__, 'torchvision': torchvision.__version__, 'cases': cases}, f, indent=1)
    f.write('\n')
total = sum(os.path.getsize(os.path.join(out, n)) for n in os.listdir(out))
print(f'{len(cases)} crops, {total / 1e6:.2f} MB in {out}')
