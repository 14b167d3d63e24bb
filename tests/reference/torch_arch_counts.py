#!/usr/bin/env python3
"""PyTorch's own parameter and MAC counts for torchvision architectures, next to their ONNX topology
(tests/unit/onnx/arch-torch.test.ts).

    /usr/bin/python3 tests/reference/torch_arch_counts.py

For each model (random weights: counts depend on shapes only) this builds the torchvision module, counts
  params = sum of p.numel() over model.parameters()   (BatchNorm weight and bias; not its running statistics)
  MACs   = forward hooks at a 1x3x224x224 input:  Conv2d: output elements x C_in/groups x k_h x k_w;
           Linear: output elements x in_features   (bias additions, BatchNorm, pooling, ReLU count none)
exports it to ONNX at that size (static: VGG's adaptive pool exports only so; opset 13, BatchNorm kept as a node: no constant folding, TrainingMode.PRESERVE in eval)
and writes tests/fixtures/graph/<model>.json with the counts and the ONNX graph with the float weights'
data stripped (dims kept; small and integer constants keep their values). The test rebuilds the ONNX IR
from that and counts with the engine (main/onnx/arch/), so a 500 MB VGG16 costs ~10 KB of repository.
"""
import io
import json
import os

import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import numpy_helper

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, '..', 'fixtures', 'graph')
MODELS = ['vgg16', 'resnet18', 'resnet50', 'mobilenet_v2', 'densenet121', 'alexnet']
SIZE = 224


def torch_counts(model, size):
    rows = []

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            k = mod.kernel_size[0] * mod.kernel_size[1]
            macs = out.numel() * (mod.in_channels // mod.groups) * k
        else:  # nn.Linear
            macs = out.numel() * mod.in_features
        rows.append({'module': mod._vs_name, 'op': type(mod).__name__, 'params': sum(p.numel() for p in mod.parameters()), 'macs': macs})

    handles = []
    for name, mod in model.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            mod._vs_name = name
            handles.append(mod.register_forward_hook(hook))
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for h in handles:
        h.remove()
    params = sum(p.numel() for p in model.parameters())
    bn = sum(m.num_features for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    return {'params': params, 'macs': sum(r['macs'] for r in rows), 'batchNormChannels': bn, 'layers': rows}


def attr_json(a):
    v = onnx.helper.get_attribute_value(a)
    if a.type == onnx.AttributeProto.TENSOR:
        arr = numpy_helper.to_array(v)
        return {'tensor': {'dims': list(arr.shape), 'dataType': v.data_type, 'values': arr.flatten().tolist()}}
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, list):
        return [x.decode() if isinstance(x, bytes) else x for x in v]
    return v


def onnx_skeleton(model, size):
    buf = io.BytesIO()
    torch.onnx.export(
        model,
        torch.zeros(1, 3, size, size),
        buf,
        opset_version=13,
        do_constant_folding=False,
        training=torch.onnx.TrainingMode.PRESERVE,
        input_names=['input'],
        output_names=['logits'],
    )
    o = onnx.load_from_string(buf.getvalue())
    g = o.graph
    inits = []
    for t in g.initializer:
        arr = numpy_helper.to_array(t)
        keep = t.data_type != onnx.TensorProto.FLOAT or arr.size <= 16
        inits.append({'name': t.name, 'dims': list(t.dims), 'dataType': t.data_type, **({'values': arr.flatten().tolist()} if keep else {})})
    init_names = {t.name for t in g.initializer}

    def vi(v):
        dims = [d.dim_value if d.HasField('dim_value') else d.dim_param for d in v.type.tensor_type.shape.dim]
        return {'name': v.name, 'elemType': v.type.tensor_type.elem_type, 'shape': dims}

    return {
        'opset': o.opset_import[0].version,
        'inputs': [vi(v) for v in g.input if v.name not in init_names],
        'outputs': [vi(v) for v in g.output],
        'initializers': inits,
        'nodes': [
            {'name': n.name, 'op': n.op_type, 'inputs': list(n.input), 'outputs': list(n.output), 'attrs': {a.name: attr_json(a) for a in n.attribute}}
            for n in g.node
        ],
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    for name in MODELS:
        model = getattr(torchvision.models, name)(weights=None).eval()
        counts = torch_counts(model, SIZE)
        doc = {
            'model': name,
            'source': f'torchvision {torchvision.__version__} models.{name}(weights=None), torch {torch.__version__}',
            'size': SIZE,
            'torch': counts,
            'onnx': onnx_skeleton(model, SIZE),
        }
        path = os.path.join(OUT, f'{name}.json')
        with open(path, 'w') as f:
            json.dump(doc, f, separators=(',', ':'))
        print(f'{name}: params {counts["params"]:,}  MACs {counts["macs"]:,}  BN channels {counts["batchNormChannels"]:,}  -> {os.path.getsize(path):,} bytes')


if __name__ == '__main__':
    main()
