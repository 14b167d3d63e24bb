#!/usr/bin/python3
"""PyTorch peer for bench/style/run.ts: Gatys style transfer on torchvision VGG19 (random weights, seed 0)
with exactly our objective: content relu4_2 as mean((F-Fc)^2)/mean(Fc^2), style relu1_1..relu5_1 as
mean((G-A)^2)/(L*mean(A^2)) with G = F F^T/(C H W), TV (dx^2+dy^2 in 0..255 units)/(H W), ImageNet
normalisation, init from the content, Adam or L-BFGS for the same number of iterations.

Usage: torch_style.py --content F --style F --width W --height H --steps K --optimiser adam|lbfgs
                      --threads T --cache DIR [--export-only]
Prints one JSON line: {"onnx", "ms", "loss_start", "loss_end", "peak_rss_mb", "evaluations"}.
"""
import argparse, json, os, resource, time
import numpy as np
import torch, torchvision
from PIL import Image

p = argparse.ArgumentParser()
p.add_argument('--content'); p.add_argument('--style')
p.add_argument('--width', type=int, default=256); p.add_argument('--height', type=int, default=256)
p.add_argument('--steps', type=int, default=20)
p.add_argument('--optimiser', default='adam')
p.add_argument('--lr', type=float, default=5.0)
p.add_argument('--content-weight', type=float, default=1.0)
p.add_argument('--style-weight', type=float, default=100.0)
p.add_argument('--tv-weight', type=float, default=1e-3)
p.add_argument('--threads', type=int, default=os.cpu_count())
p.add_argument('--cache', required=True)
p.add_argument('--export-only', action='store_true')
a = p.parse_args()
torch.manual_seed(0)
torch.set_num_threads(a.threads)
os.makedirs(a.cache, exist_ok=True)

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


net = vgg19_features()[:30].eval()  # conv1_1 ... relu5_1
for m in net.modules():
    if isinstance(m, torch.nn.ReLU):
        m.inplace = False
for q in net.parameters():
    q.requires_grad_(False)
onnx_path = os.path.join(a.cache, 'vgg19_features_seed0.onnx')
if not os.path.exists(onnx_path):
    torch.onnx.export(net, torch.zeros(1, 3, 224, 224), onnx_path, input_names=['input'], output_names=['output'],
                      opset_version=13, dynamic_axes={'input': {0: 'N', 2: 'H', 3: 'W'}, 'output': {0: 'N'}})
if a.export_only:
    print(json.dumps({'onnx': onnx_path})); raise SystemExit

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
def load(f):
    im = Image.open(f).convert('RGB').resize((a.width, a.height), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(im, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
    return (x - MEAN) / STD

CONTENT, STYLE = [22], [1, 6, 11, 20, 29]
def feats(x):
    out = {}
    for i, layer in enumerate(net):
        x = layer(x)
        if i in CONTENT or i in STYLE:
            out[i] = x
    return out
def gram(f):
    # 2-D torch.mm as in PyTorch's neural-style tutorial: this build's batched matmul (f @ fᵀ on 3-D
    # tensors) runs at ~6 GFLOP/s and would make the peer several times slower than it need be.
    n, c, h, w = f.shape
    f = f.reshape(n * c, h * w)
    return torch.mm(f, f.t()) / (c * h * w)

content, style = load(a.content), load(a.style)
# Timed from here, like ours: the targets (content features, style Grams) are part of the work.
t0 = time.perf_counter()
with torch.no_grad():
    fc = feats(content)[22]
    fs = feats(style)
    grams = {i: gram(fs[i]) for i in STYLE}
wc = a.content_weight / fc.pow(2).mean()
ws = {i: a.style_weight / (len(STYLE) * grams[i].pow(2).mean()) for i in STYLE}
k = (255.0 * STD)  # pixel units per model unit
wtv = a.tv_weight / (a.width * a.height)

x = content.clone(memory_format=torch.contiguous_format).requires_grad_(True)
evals = [0]
def closure():
    evals[0] += 1
    if opt is not None:
        opt.zero_grad()
    f = feats(x)
    loss = wc * (f[22] - fc).pow(2).mean()
    for i in STYLE:
        loss = loss + ws[i] * (gram(f[i]) - grams[i]).pow(2).mean()
    px = x * k
    loss = loss + wtv * ((px[:, :, :, 1:] - px[:, :, :, :-1]).pow(2).sum() + (px[:, :, 1:, :] - px[:, :, :-1, :]).pow(2).sum())
    loss.backward()
    return loss

opt = None
if a.optimiser == 'adam':
    opt = torch.optim.Adam([x], lr=a.lr / 255.0 / 0.229)
else:
    opt = torch.optim.LBFGS([x], lr=1, max_iter=a.steps, history_size=10, line_search_fn='strong_wolfe')
losses = []
if a.optimiser == 'adam':
    for _ in range(a.steps):
        losses.append(opt.step(closure).item())
    with torch.no_grad():
        pass
else:
    first = []
    def wrapped():
        l = closure(); first.append(l.item()); return l
    opt.step(wrapped)
    losses = first
ms = (time.perf_counter() - t0) * 1000
end = closure().item()
print(json.dumps({'onnx': onnx_path, 'ms': ms, 'loss_start': losses[0], 'loss_end': end, 'evaluations': evals[0] - 1,
                  'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
