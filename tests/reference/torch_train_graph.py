#!/usr/bin/env python3
"""PyTorch reference for the training graphs (tests/unit/train/graph/torch-reference.test.ts).

    /usr/bin/python3 tests/reference/torch_train_graph.py

writes tests/fixtures/train/torch-train-graph.json: for LeNet-5 and a small BN + dropout net, seeded
weights (torch's default layer init), inputs, labels and dropout keep-masks, and what one training step
computes from them: loss (cross-entropy with label smoothing, L1 and L2 penalties), correct count, every
parameter's gradient, and each BatchNorm's batch statistics and running statistics after torch's update.
The step is computed in float64 on the float32 weights (the reference, not a float32 peer); tensors are
written as base64 float32, little-endian.
"""
import base64
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'train', 'torch-train-graph.json')


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {'dims': list(t.shape), 'data': base64.b64encode(t.numpy().astype('<f4').tobytes()).decode()}


class LeNet5(nn.Module):
    """As main/train/models/lenet.ts at 28 px: conv1 padded by 2, dropout before fc3."""

    def __init__(self, classes, p):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)
        self.p = p

    def forward(self, x, masks):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        x = F.relu(self.fc2(x))
        x = x * masks['dropout'] / (1 - self.p)  # F.dropout with this keep-mask
        return self.fc3(x)


class BnNet(nn.Module):
    """conv3×3(4) → BN → ReLU → pool → conv3×3(6) → BN → ReLU → pool → flatten → dropout → fc."""

    def __init__(self, classes, p):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(6)
        self.fc = nn.Linear(24, classes)
        self.p = p

    def forward(self, x, masks):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = x.flatten(1) * masks['dropout'] / (1 - self.p)
        return self.fc(x)


def case(net, x, labels, masks, smoothing, l1, l2):
    weights = {k: v.clone() for k, v in net.state_dict().items() if not k.endswith('num_batches_tracked')}
    penalised = [n for n, p in net.named_parameters() if p.dim() > 1]  # conv and linear weights
    net = net.double().train()
    bn_in = {}
    for name, m in net.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            m.register_forward_hook(lambda mod, inp, out, name=name: bn_in.__setitem__(name, inp[0].detach()))
    logits = net(x.double(), {k: v.double() for k, v in masks.items()})
    ce = F.cross_entropy(logits, labels, label_smoothing=smoothing)
    params = dict(net.named_parameters())
    penalty = sum(l1 * params[n].abs().sum() + l2 / 2 * (params[n] ** 2).sum() for n in penalised)
    loss = ce + penalty
    loss.backward()
    bn = {}
    for name, m in net.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            t = bn_in[name]
            bn[name] = {
                'mean': enc(t.mean((0, 2, 3))),
                'var': enc(t.var((0, 2, 3), unbiased=False)),
                'varUnbiased': enc(t.var((0, 2, 3), unbiased=True)),
                'runningMean': enc(m.running_mean),
                'runningVar': enc(m.running_var),
            }
    return {
        'input': enc(x),
        'labels': labels.tolist(),
        'labelSmoothing': smoothing,
        'l1': l1,
        'l2': l2,
        'penalised': penalised,
        'masks': {k: enc(v) for k, v in masks.items()},
        'weights': {k: enc(v) for k, v in weights.items()},
        'loss': loss.item(),
        'ce': ce.item(),
        'correct': int((logits.argmax(1) == labels).sum()),
        'grads': {n: enc(p.grad) for n, p in net.named_parameters()},
        'bn': bn,
    }


def main():
    torch.manual_seed(2024)
    lenet = LeNet5(10, 0.5)
    x = torch.rand(8, 1, 28, 28)
    labels = torch.randint(0, 10, (8,))
    masks = {'dropout': torch.bernoulli(torch.full((8, 84), 0.5))}
    cases = {'lenet5': case(lenet, x, labels, masks, smoothing=0.1, l1=0.0, l2=1e-3)}

    torch.manual_seed(7)
    bnnet = BnNet(5, 0.25)
    x = torch.randn(6, 3, 8, 8) * 2 + 0.5
    labels = torch.randint(0, 5, (6,))
    masks = {'dropout': torch.bernoulli(torch.full((6, 24), 0.75))}
    cases['bn_net'] = case(bnnet, x, labels, masks, smoothing=0.0, l1=1e-3, l2=0.0)

    doc = {'generator': 'tests/reference/torch_train_graph.py', 'torch': torch.__version__, 'cases': cases}
    with open(OUT, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
    print(f'wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
