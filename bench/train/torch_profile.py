#!/usr/bin/env python3
"""PyTorch side of bench/train/profile.ts: one training step of the same model split into forward, backward
and optimiser (medians), and the autograd profiler's top ops by self CPU time.
Usage: torch_profile.py lenet|resnet|linear|mlp BATCH THREADS RUNS"""
import sys
import time

sys.dont_write_bytecode = True  # torch_train is imported from here: no __pycache__ beside the bench

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_train import LeNet5, ResNet20, he_init


def main():
    name, batch, threads, runs = sys.argv[1], *map(int, sys.argv[2:5])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    if name == 'lenet':
        net, x = LeNet5(1, 28), torch.randn(batch, 1, 28, 28)
    elif name == 'resnet':
        net, x = ResNet20(3), torch.randn(batch, 3, 32, 32)
    elif name == 'linear':
        net, x = nn.Linear(1280, 10), torch.rand(batch, 1280)
    else:
        net, x = nn.Sequential(nn.Linear(1280, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10)), torch.rand(batch, 1280)
    if name in ('lenet', 'resnet'):
        he_init(net)
    net.train()
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.Adam(net.parameters(), 1e-3) if name != 'resnet' else torch.optim.SGD(net.parameters(), 0.1, momentum=0.9)
    parts = {'forward+loss': [], 'backward': [], 'optimizer.step': []}

    def step(record):
        t0 = time.perf_counter()
        loss = F.cross_entropy(net(x), y)
        t1 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        loss.item()
        t3 = time.perf_counter()
        if record:
            for k, a, b in (('forward+loss', t0, t1), ('backward', t1, t2), ('optimizer.step', t2, t3)):
                parts[k].append((b - a) * 1000)

    for i in range(runs + 2):
        step(i >= 2)
    med = {k: sorted(v)[len(v) // 2] for k, v in parts.items()}
    total = sum(med.values())
    print(f'torch step ≈ {total:.2f} ms: ' + ', '.join(f'{k} {v:.2f} ms' for k, v in med.items()))
    n = max(5, runs // 2)
    with torch.autograd.profiler.profile() as prof:
        for _ in range(n):
            step(False)
    rows = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)[:12]
    print('  torch autograd profile, self CPU per step: ' + ', '.join(f'{e.key} {e.self_cpu_time_total / n / 1000:.2f} ms' for e in rows))


if __name__ == '__main__':
    main()
