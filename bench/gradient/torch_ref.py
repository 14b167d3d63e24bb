#!/usr/bin/python3
"""PyTorch reference for bench/gradient/run.ts: exports a torchvision model with random (seeded) weights
to ONNX once (cached), then computes d(objective)/d(input) with autograd and times forward+backward.

Usage: torch_ref.py --model vgg19_relu5_1|resnet50 --size N --cache DIR --threads T [--serve] [--f64]
Prints one JSON line: {"onnx", "x", "grad", "loss", "torch_ms", "objective"}.
"""
import argparse, copy, json, os, time
import numpy as np
import torch, torchvision

p = argparse.ArgumentParser()
p.add_argument('--model', required=True)
p.add_argument('--size', type=int, required=True)
p.add_argument('--cache', required=True)
p.add_argument('--threads', type=int, default=os.cpu_count())
p.add_argument('--reps', type=int, default=5)
p.add_argument('--serve', action='store_true', help='after the JSON line, time one fwd+bwd per "run" line on stdin (interleaved timing)')
p.add_argument('--f64', action='store_true', help='also save the float64 autograd gradient (the conditioning baseline)')
a = p.parse_args()
torch.manual_seed(0)
torch.set_num_threads(a.threads)
os.makedirs(a.cache, exist_ok=True)

if a.model == 'vgg19_relu5_1':
    net = torchvision.models.vgg19().features[:30]  # conv1_1 ... relu5_1
    objective = {'kind': 'sumsq'}  # sum of squares of the output (relu5_1)
elif a.model == 'resnet50':
    net = torchvision.models.resnet50()
    objective = {'kind': 'class', 'index': 1}  # logit 1
else:
    raise SystemExit(f'unknown model {a.model}')
net.eval()
for q in net.parameters():
    q.requires_grad_(False)

onnx_path = os.path.join(a.cache, f'{a.model}.onnx')
if not os.path.exists(onnx_path):
    torch.onnx.export(net, torch.zeros(1, 3, 224, 224), onnx_path, input_names=['input'], output_names=['output'],
                      opset_version=13, dynamic_axes={'input': {0: 'N', 2: 'H', 3: 'W'}, 'output': {0: 'N'}})

def objective_of(y):
    return (y * y).sum() if objective['kind'] == 'sumsq' else y[:, objective['index']].sum()

g = torch.Generator().manual_seed(a.size)
x = torch.rand(1, 3, a.size, a.size, generator=g) * 2 - 1

def fwd_bwd():
    xi = x.clone().requires_grad_(True)
    loss = objective_of(net(xi))
    loss.backward()
    return loss.item(), xi.grad

loss, grad = fwd_bwd()  # warm-up
times = []
for _ in range(a.reps):
    t0 = time.perf_counter()
    fwd_bwd()
    times.append((time.perf_counter() - t0) * 1000)
tag = f'{a.model}_{a.size}'
np.save(os.path.join(a.cache, f'{tag}_x.npy'), x.numpy().astype(np.float32))
np.save(os.path.join(a.cache, f'{tag}_grad.npy'), grad.numpy().astype(np.float32))
extra = {}
if a.f64:
    net64 = copy.deepcopy(net).double()  # a copy: the float32 net keeps serving timed runs
    xi = x.double().clone().requires_grad_(True)
    objective_of(net64(xi)).backward()
    np.save(os.path.join(a.cache, f'{tag}_grad64.npy'), xi.grad.numpy().astype(np.float32))
    extra['grad64'] = os.path.join(a.cache, f'{tag}_grad64.npy')
print(json.dumps({**extra, 'onnx': onnx_path, 'x': os.path.join(a.cache, f'{tag}_x.npy'), 'grad': os.path.join(a.cache, f'{tag}_grad.npy'),
                  'loss': loss, 'torch_ms': float(np.median(times)), 'torch_min_ms': float(np.min(times)), 'objective': objective}), flush=True)
if a.serve:
    import sys
    for line in sys.stdin:
        if line.strip() != 'run':
            break
        t0 = time.perf_counter()
        fwd_bwd()
        print(json.dumps({'ms': (time.perf_counter() - t0) * 1000}), flush=True)
