"""torchvision's Resize(256) + CenterCrop(224) on PIL images, for tests/unit/image/torchvision-crop.test.ts.

Run: /usr/bin/python3 tests/reference/torchvision_center_crop.py   (writes tests/fixtures/preprocess/)

1. center-crop.json: for many source sizes, the intermediate size and the crop offset torchvision really uses,
   found by searching where the CenterCrop output sits inside the Resize output (pixel-exact), not by re-reading its
   formula. 4:3 sizes such as 400x300 give (341 - 224) / 2 = 58.5, where Python's round gives 58.
2. tv-crop-<w>x<h>.png: torchvision's 224x224 crop of a striped test image (the same integer formula as
   stripes() in the test), to compare the studio's pixels against: the stripes make a one-pixel shift obvious.
"""
import json
import os

import numpy as np
import torchvision
from PIL import Image
from torchvision import transforms

out = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'preprocess')
os.makedirs(out, exist_ok=True)
resize, crop = transforms.Resize(256), transforms.CenterCrop(224)


def stripes(w, h):
    """Vertical bars in red (x offset), horizontal bars in green (y offset), a ramp in blue."""
    x = np.arange(w)[None, :].repeat(h, 0)
    y = np.arange(h)[:, None].repeat(w, 1)
    r = np.where((x // 4) % 2 == 0, 230, 25)
    g = np.where((y // 5) % 2 == 0, 220, 35)
    b = (x + 2 * y) % 256
    return Image.fromarray(np.stack([r, g, b], -1).astype(np.uint8), 'RGB')


def random_image(w, h, seed):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8), 'RGB')


def offset(mid, cropped):
    """Where `cropped` sits inside `mid`: the unique pixel-exact match."""
    m, c = np.asarray(mid), np.asarray(cropped)
    hits = [(l, t) for t in range(m.shape[0] - c.shape[0] + 1) for l in range(m.shape[1] - c.shape[1] + 1)
            if np.array_equal(m[t:t + c.shape[0], l:l + c.shape[1]], c)]
    assert len(hits) == 1, hits
    return hits[0]


cases = []
for i, (w, h) in enumerate([(400, 300), (300, 400), (640, 480), (480, 640), (500, 375), (1024, 768), (333, 250),
                            (401, 300), (257, 256), (256, 257), (999, 500), (300, 300), (224, 224), (1000, 751)]):
    mid = resize(random_image(w, h, i))
    left, top = offset(mid, crop(mid))
    cases.append({'src': [w, h], 'mid': list(mid.size), 'left': left, 'top': top})

for w, h in [(400, 300), (300, 400)]:
    crop(resize(stripes(w, h))).save(os.path.join(out, f'tv-crop-{w}x{h}.png'))

with open(os.path.join(out, 'center-crop.json'), 'w') as f:
    json.dump({'torchvision': torchvision.__version__, 'resize': 256, 'crop': 224, 'cases': cases}, f, indent=1)
    f.write('\n')
print(json.dumps(cases))
