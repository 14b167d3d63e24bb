"""BMP files written by PIL (an independent encoder) beside the PNG of the same pixels, for tests/unit/image/bmp.test.ts.

Run: /usr/bin/python3 tests/reference/pil_bmp_fixtures.py  (writes tests/fixtures/bmp/, a few KB in all)
PIL writes 1-bit, 8-bit palette, 24-bit and 32-bit (BGRA) BMPs, bottom-up with an INFO header. Each BMP's
expected pixels are PIL's own RGB conversion of what it wrote, saved as <name>.png.
"""
import os
from PIL import Image

out = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'bmp')
os.makedirs(out, exist_ok=True)

W, H = 13, 9  # odd width: every row needs padding at 24 bits and in the palettes
img = Image.new('RGB', (W, H))
img.putdata([((x * 19 + y * 7) % 256, (x * 5 + y * 29) % 256, (x * y * 11 + 40) % 256) for y in range(H) for x in range(W)])

cases = {
    'pil-rgb24': img,
    'pil-rgba32': img.convert('RGBA'),
    'pil-pal8': img.quantize(37),
    'pil-bw1': img.convert('1'),
}
for name, im in cases.items():
    path = os.path.join(out, name + '.bmp')
    im.save(path)
    Image.open(path).convert('RGB').save(os.path.join(out, name + '.png'))
    print(name, os.path.getsize(path), 'bytes')
