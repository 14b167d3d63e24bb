#!/usr/bin/env python3
"""PyTorch autograd reference for the engine's input gradients (tests/unit/onnx/torch-input-grads.test.ts).

    /usr/bin/python3 tests/reference/torch_input_grads.py

Builds a small project-chosen CNN with the ops the studio's tools differentiate through (Conv with padding,
stride and groups, BatchNorm in inference mode, ReLU, LeakyReLU, MaxPool, AveragePool, global average pool,
Flatten, Gemm), seeded weights, exports it to tests/fixtures/gradient/small-cnn.onnx (opset 13; the named
intermediate tensors are extra outputs so the test can tap them), and writes
tests/fixtures/gradient/torch-input-grads.json: a seeded input and d(objective)/d(input) for the loss
builder's objectives (main/onnx/loss.ts), computed in float64 on the float32 weights.
"""
import base64
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, '..', 'fixtures', 'gradient')


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {'dims': list(t.shape), 'data': base64.b64encode(t.numpy().astype('<f4').tobytes()).decode()}


def enc64(t):
    t = t.detach().to(torch.float64).contiguous()
    return {'dims': list(t.shape), 'data': base64.b64encode(t.numpy().astype('<f8').tobytes()).decode()}


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 16, 3, padding=1, groups=4)
        self.conv4 = nn.Conv2d(16, 24, 1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        relu1 = F.relu(self.bn1(self.conv1(x)))
        pool1 = F.max_pool2d(relu1, 2)
        relu2 = F.leaky_relu(self.conv2(pool1), 0.1)
        relu3 = F.relu(self.conv3(relu2))
        pool3 = F.avg_pool2d(relu3, 2)
        relu4 = F.relu(self.conv4(pool3))
        logits = self.fc(torch.flatten(F.adaptive_avg_pool2d(relu4, 1), 1))
        return logits, relu1, relu2, relu3, relu4


def gram(y):
    n, c, h, w = y.shape
    f = y.reshape(n, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


def main():
    torch.manual_seed(0)
    net = SmallCnn()
    with torch.no_grad():  # non-trivial running statistics, so BN is not the identity
        net.bn1.running_mean.uniform_(-0.5, 0.5)
        net.bn1.running_var.uniform_(0.5, 2.0)
        net.bn1.weight.uniform_(0.5, 1.5)
        net.bn1.bias.uniform_(-0.2, 0.2)
    net.eval()
    os.makedirs(OUT, exist_ok=True)
    x32 = torch.rand(1, 3, 32, 32)
    torch.onnx.export(
        net, x32, os.path.join(OUT, 'small-cnn.onnx'), opset_version=13,
        input_names=['input'], output_names=['logits', 'relu1', 'relu2', 'relu3', 'relu4'],
        dynamic_axes={'input': {2: 'h', 3: 'w'}},
    )
    net64 = SmallCnn()
    net64.load_state_dict(net.state_dict())
    net64 = net64.double().eval()
    target = gram(net64(torch.rand(1, 3, 32, 32, dtype=torch.float64))[3]).detach()
    # The busiest channel of relu3 for this input (a dead ReLU channel would have a zero gradient).
    ch = int((net64(x32.double())[3] ** 2).sum((0, 2, 3)).argmax())
    objectives = {
        'class': ({'kind': 'class', 'tensor': 'logits', 'index': 3}, lambda o: o[0][:, 3].sum()),
        'crossentropy': ({'kind': 'crossentropy', 'tensor': 'logits', 'index': 7},
                         lambda o: -F.log_softmax(o[0], 1)[:, 7].sum()),
        'sumsq': ({'kind': 'sumsq', 'tensor': 'relu2'}, lambda o: (o[2] ** 2).sum()),
        'channel': ({'kind': 'channel', 'tensor': 'relu3', 'channel': ch}, lambda o: (o[3][:, ch] ** 2).sum()),
        'gram': ({'kind': 'gram', 'tensor': 'relu1'}, lambda o: (gram(o[1]) ** 2).sum()),
        'style': ({'kind': 'style', 'tensor': 'relu3'}, lambda o: ((gram(o[3]) - target) ** 2).mean()),
    }
    cases = {}
    for name, (spec, fn) in objectives.items():
        x = x32.double().clone().requires_grad_(True)
        loss = fn(net64(x))
        loss.backward()
        cases[name] = {'objective': spec, 'loss': loss.item(), 'grad': enc64(x.grad)}
    doc = {
        'generator': 'tests/reference/torch_input_grads.py',
        'torch': torch.__version__,
        'model': 'small-cnn.onnx',
        'input': enc(x32),
        'styleTarget': enc(target),
        'cases': cases,
    }
    with open(os.path.join(OUT, 'torch-input-grads.json'), 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
