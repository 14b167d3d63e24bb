#!/usr/bin/python3
"""Catalog-style robustness check for bench/gradient/zoo.ts: exports torchvision architectures with random
(seeded) weights at older opsets (as the ONNX model zoo has them), and saves PyTorch's input gradient of
one class logit. Usage: zoo_ref.py --cache DIR --size N [--only name,...]
Prints one JSON line per model: {"name", "onnx", "opset", "x", "grad", "loss"} or {"name", "error"}."""
import argparse, json, os
import numpy as np
import torch, torchvision

p = argparse.ArgumentParser()
p.add_argument('--cache', required=True)
p.add_argument('--size', type=int, default=224)
p.add_argument('--only', default='')
a = p.parse_args()
torch.set_num_threads(2)
M = torchvision.models
ZOO = [  # name, constructor, opset
    ('alexnet', lambda: M.alexnet(), 9),
    ('squeezenet1_1', lambda: M.squeezenet1_1(), 9),
    ('vgg11_bn', lambda: M.vgg11_bn(), 7),
    ('resnet18', lambda: M.resnet18(), 11),
    ('googlenet', lambda: M.googlenet(aux_logits=False, init_weights=True), 11),
    ('densenet121', lambda: M.densenet121(), 12),
    ('shufflenet_v2_x1_0', lambda: M.shufflenet_v2_x1_0(), 11),
    ('mobilenet_v2', lambda: M.mobilenet_v2(), 12),
    ('efficientnet_b0', lambda: M.efficientnet_b0(), 13),
]
os.makedirs(a.cache, exist_ok=True)
for name, ctor, opset in ZOO:
    if a.only and name not in a.only.split(','):
        continue
    try:
        torch.manual_seed(0)
        net = ctor().eval()
        for q in net.parameters():
            q.requires_grad_(False)
        path = os.path.join(a.cache, f'zoo_{name}_op{opset}.onnx')
        if not os.path.exists(path):
            # Batch and spatial dims stay static for models whose exporters bake them in.
            torch.onnx.export(net, torch.zeros(1, 3, a.size, a.size), path, input_names=['input'], output_names=['logits'],
                              opset_version=opset, training=torch.onnx.TrainingMode.EVAL)
        g = torch.Generator().manual_seed(1)
        x = torch.rand(1, 3, a.size, a.size, generator=g) * 2 - 1
        xi = x.clone().requires_grad_(True)
        y = net(xi)
        loss = y[:, 3].sum()
        loss.backward()
        np.save(os.path.join(a.cache, f'zoo_{name}_x.npy'), x.numpy())
        np.save(os.path.join(a.cache, f'zoo_{name}_grad.npy'), xi.grad.numpy())
        print(json.dumps({'name': name, 'onnx': path, 'opset': opset, 'x': os.path.join(a.cache, f'zoo_{name}_x.npy'),
                          'grad': os.path.join(a.cache, f'zoo_{name}_grad.npy'), 'loss': loss.item()}), flush=True)
    except Exception as e:  # report and go on: one exporter failure must not hide the others
        print(json.dumps({'name': name, 'error': str(e)[:300]}), flush=True)
