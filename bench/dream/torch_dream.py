#!/usr/bin/python3
"""PyTorch peer for bench/dream/run.ts: DeepDream as google/deepdream and our implementation do it, on
torchvision VGG19 (random weights, seed 0): objective mean(y^2) of one layer, octaves (count, scale 1.4)
with the detail carried up, jitter by rolling, step / mean|g| in 0..255 units, clamp to the pixel range.

Usage: torch_dream.py --image F --width W --height H --layer-index I --steps K --octaves N --threads T --cache DIR
Prints one JSON line: {"ms", "loss_start", "loss_end", "peak_rss_mb", "steps"}.
"""
import argparse, json, os, resource, time
import numpy as np
import torch, torch.nn.functional as F, torchvision
from PIL import Image

p = argparse.ArgumentParser()
p.add_argument('--image'); p.add_argument('--width', type=int); p.add_argument('--height', type=int)
p.add_argument('--layer-index', type=int, default=22)
p.add_argument('--steps', type=int, default=10); p.add_argument('--octaves', type=int, default=4)
p.add_argument('--scale', type=float, default=1.4); p.add_argument('--jitter', type=int, default=32)
p.add_argument('--step-size', type=float, default=1.5)
p.add_argument('--threads', type=int, default=os.cpu_count()); p.add_argument('--cache', required=True)
a = p.parse_args()
torch.manual_seed(0)
torch.set_num_threads(a.threads)

def vgg19_features():
    """torchvision VGG19's conv stack with torchvision's own init (seed 0), built without the 500 MB
    classifier head that vgg19() would allocate and that would inflate the peer's peak memory."""
    from torchvision.models.vgg import cfgs, make_layers
    torch.manual_seed(0)
    f = make_layers(cfgs['E'])
    for m in f.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            torch.nn.init.constant_(m.bias, 0)
    return f

net = vgg19_features()[:a.layer_index + 1].eval()
for m in net.modules():
    if isinstance(m, torch.nn.ReLU):
        m.inplace = False
for q in net.parameters():
    q.requires_grad_(False)
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
im = Image.open(a.image).convert('RGB').resize((a.width, a.height), Image.BILINEAR)
base = (torch.from_numpy(np.asarray(im, dtype=np.float32) / 255.0).permute(2, 0, 1)[None] - MEAN) / STD
lo, hi = (0 - MEAN) / STD, (1 - MEAN) / STD
k = 1 / (255.0 * STD)  # model units per pixel unit

sizes = []
for o in range(a.octaves - 1, -1, -1):
    s = a.scale ** o
    sizes.append((max(32, round(a.height / s / 8) * 8), max(32, round(a.width / s / 8) * 8)))
sizes[-1] = (a.height, a.width)
losses = []
t0 = time.perf_counter()
detail = None
for (h, w) in sizes:
    ob = F.interpolate(base, size=(h, w), mode='bilinear', align_corners=False)
    img = ob.clone() if detail is None else ob + F.interpolate(detail, size=(h, w), mode='bilinear', align_corners=False)
    for _ in range(a.steps):
        jx, jy = np.random.randint(-a.jitter, a.jitter + 1, 2)
        x = torch.roll(img, shifts=(int(jy), int(jx)), dims=(2, 3)).requires_grad_(True)
        y = net(x)
        loss = y.pow(2).mean()
        loss.backward()
        g = torch.roll(x.grad, shifts=(-int(jy), -int(jx)), dims=(2, 3))
        with torch.no_grad():
            gp = g * k  # the gradient per pixel unit (0..255)
            img += a.step_size * k * k * g / (gp.abs().mean() + 1e-12)
            img.copy_(torch.max(torch.min(img, hi), lo))
        losses.append(loss.item())
    detail = img - ob
ms = (time.perf_counter() - t0) * 1000
print(json.dumps({'ms': ms, 'loss_start': losses[0], 'loss_end': losses[-1], 'steps': len(losses),
                  'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
