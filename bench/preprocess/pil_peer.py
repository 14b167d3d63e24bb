"""Peer for bench/preprocess/run.ts: torchvision's Resize + CenterCrop on an already-decoded PIL image (PIL's C
resample), median milliseconds. Args: width height reps. Prints one JSON line."""
import json
import sys
import time

import numpy as np
from PIL import Image
from torchvision import transforms as T

w, h, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
x = np.arange(w, dtype=np.int64)[None, :].repeat(h, 0)
y = np.arange(h, dtype=np.int64)[:, None].repeat(w, 1)
img = Image.fromarray(np.stack([((x * x + y * y) >> 6) % 256, (x ^ y) & 255, (x + 2 * y) % 256], -1).astype(np.uint8), 'RGB')
recipes = {'crop': T.Compose([T.Resize(256), T.CenterCrop(224)]), 'fill': T.Resize((224, 224))}
out = {}
for name, f in recipes.items():
    f(img)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f(img)
        times.append((time.perf_counter() - t) * 1000)
    out[name] = float(np.median(times))
print(json.dumps(out))
