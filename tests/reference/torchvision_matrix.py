#!/usr/bin/python3
"""Compatibility matrix, PyTorch side (not CI; Debian python3-torch, torchvision 0.14): exports torchvision
classifiers with random (seeded) weights as a new user would (torch.onnx.export, opset 17, dynamic batch)
and saves PyTorch autograd's input gradient of one class logit, for bench/compat/matrix.ts to compare with.

Usage: torchvision_matrix.py --dir DIR [--only name,...] [--size N]
Prints one JSON line per model:
  {"name", "onnx", "size", "x", "grad", "logits", "loss", "class"} or {"name", "error"}.
Files go to DIR (a temp folder: the exports are up to 330 MB each; never commit them)."""
import argparse, json, os
import numpy as np
import torch, torchvision

M = torchvision.models
# name, constructor, smallest convenient size (None: the model's fixed 224)
MODELS = [
    ('alexnet', lambda: M.alexnet(), 224),
    ('vgg11_bn', lambda: M.vgg11_bn(), 224),
    ('resnet18', lambda: M.resnet18(), 224),
    ('resnet50', lambda: M.resnet50(), 224),
    ('resnext50_32x4d', lambda: M.resnext50_32x4d(), 224),
    ('wide_resnet50_2', lambda: M.wide_resnet50_2(), 224),
    ('densenet121', lambda: M.densenet121(), 224),
    ('googlenet', lambda: M.googlenet(aux_logits=False, init_weights=True), 224),
    ('inception_v3', lambda: M.inception_v3(aux_logits=False, init_weights=True), 299),
    ('squeezenet1_1', lambda: M.squeezenet1_1(), 224),
    ('shufflenet_v2_x1_0', lambda: M.shufflenet_v2_x1_0(), 224),
    ('mobilenet_v2', lambda: M.mobilenet_v2(), 224),
    ('mobilenet_v3_small', lambda: M.mobilenet_v3_small(), 224),
    ('mnasnet1_0', lambda: M.mnasnet1_0(), 224),
    ('efficientnet_b0', lambda: M.efficientnet_b0(), 224),
    ('regnet_y_400mf', lambda: M.regnet_y_400mf(), 224),
    ('convnext_tiny', lambda: M.convnext_tiny(), 224),
    ('swin_t', lambda: M.swin_t(), 224),
    ('vit_b_16', lambda: M.vit_b_16(), 224),
]
CLASS = 3

p = argparse.ArgumentParser()
p.add_argument('--dir', required=True)
p.add_argument('--only', default='')
p.add_argument('--size', type=int, default=0, help='input size for every model that accepts it (default: its own)')
p.add_argument('--list', action='store_true', help='print the model names and exit')
a = p.parse_args()
if a.list:
    print(' '.join(n for n, _, _ in MODELS))
    raise SystemExit(0)
torch.set_num_threads(2)
os.makedirs(a.dir, exist_ok=True)
only = [s for s in a.only.split(',') if s]
for name, ctor, native in MODELS:
    if only and name not in only:
        continue
    try:
        torch.manual_seed(0)
        net = ctor().eval()
        for mod in net.modules():  # ViT's head starts at zero: its class gradient would be exactly 0
            if isinstance(mod, torch.nn.Linear) and not mod.weight.detach().abs().sum():
                torch.nn.init.normal_(mod.weight, std=0.02)
        size = a.size if a.size and name not in ('vit_b_16',) else native
        path = os.path.join(a.dir, f'{name}.onnx')
        if not os.path.exists(path):
            # Exported while the parameters still require grad: otherwise nn.MultiheadAttention takes its fused
            # inference path (aten::_native_multi_head_attention), which has no ONNX export.
            torch.onnx.export(net, torch.zeros(1, 3, size, size), path, input_names=['input'], output_names=['logits'],
                              opset_version=17, dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}},
                              training=torch.onnx.TrainingMode.EVAL)
        for q in net.parameters():
            q.requires_grad_(False)
        g = torch.Generator().manual_seed(1)
        x = torch.rand(1, 3, size, size, generator=g) * 2 - 1
        xi = x.clone().requires_grad_(True)
        y = net(xi)
        loss = y[:, CLASS].sum()
        loss.backward()
        base = os.path.join(a.dir, name)
        np.save(base + '_x.npy', x.numpy())
        np.save(base + '_grad.npy', xi.grad.numpy())
        np.save(base + '_logits.npy', y.detach().numpy())
        print(json.dumps({'name': name, 'onnx': path, 'size': size, 'x': base + '_x.npy', 'grad': base + '_grad.npy',
                          'logits': base + '_logits.npy', 'loss': loss.item(), 'class': CLASS}), flush=True)
    except Exception as e:  # report and go on: one exporter failure must not hide the others
        print(json.dumps({'name': name, 'error': str(e)[:300]}), flush=True)
