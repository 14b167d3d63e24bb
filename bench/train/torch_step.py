#!/usr/bin/env python3
"""PyTorch peer of bench/train/step.ts: forward, cross-entropy and backward of every parameter.
Usage: torch_step.py ARCH N CHANNELS SIZE THREADS REPS; prints {"ms": median, "min": min, "cpu": median CPU ms}
as its last line (OpenMP threads may spin briefly after a parallel region, which CPU time counts)."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
    def __init__(self, c, size, k=10):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 6, 5, padding=2 if size == 28 else 0)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, k)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))


class Block(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.pad = (planes - cin) // 2 if stride != 1 or cin != planes else None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))  # option A
        return F.relu(y + s)


class ResNet20(nn.Module):
    def __init__(self, c, k=10):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for s, planes in enumerate([16, 32, 64]):
            for i in range(3):
                blocks.append(Block(cin, planes, 2 if s > 0 and i == 0 else 1))
                cin = planes
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, k)

    def forward(self, x):
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def main():
    arch, n, c, size, threads, reps = sys.argv[1], *map(int, sys.argv[2:7])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = (LeNet5(c, size) if arch == 'lenet5' else ResNet20(c)).train()
    x = torch.rand(n, c, size, size)
    y = torch.randint(0, 10, (n,))
    times, cpu = [], []
    for i in range(reps + 3):
        t, c = time.perf_counter(), time.process_time()
        net.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y).backward()
        if i >= 3:
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    times.sort()
    cpu.sort()
    print(json.dumps({'ms': times[len(times) // 2], 'min': times[0], 'cpu': cpu[len(cpu) // 2]}))


if __name__ == '__main__':
    main()
