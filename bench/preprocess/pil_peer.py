"""Peer for bench/preprocess/run.ts: torchvision's Resize + CenterCrop on an already-decoded PIL image (PIL's C
resample), median wall and CPU milliseconds. Args: width height reps. Prints one JSON line."""
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
    wall, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        f(img)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    out[name] = {'wall': float(np.median(wall)), 'cpu': float(np.median(cpu))}
print(json.dumps(out))
