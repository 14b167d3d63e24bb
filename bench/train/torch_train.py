#!/usr/bin/env python3
"""PyTorch peer of bench/train/run.ts, kept alive for the whole run so that its work interleaves with ours
(epoch by epoch, or a few steps at a time) on this shared machine: one JSON command per stdin line, one JSON
answer per stdout line.

  {"cmd": "info"}                                   torch version, threads, BLAS library, best matmul GFLOP/s
  {"cmd": "lenet", "mean": m, "std": s, "seed": k, "limit": n, "batch": 64, "lr": 1e-3}    LeNet-5 on Fashion-MNIST
  {"cmd": "head", "dir": d, "kind": "linear"|"mlp", "hidden": 256, "dropout": 0.5, "batch": 64, "lr": 1e-3, "seed": k}
  {"cmd": "steps", "n": 50}       up to n steps of the current epoch (n = 0: the rest): {"ms": [per step], "done"}
  {"cmd": "eval"}                 test/validation accuracy: {"ms", "acc"}
  {"cmd": "resnet", "batch": 128, "lr": 0.1, "momentum": 0.9, "seed": k}
  {"cmd": "resnet_steps", "n": 5} {"ms": [per step]}

Every model mirrors main/train/models/*.ts: same layers, padding and initialisers (the studio's 'he' scheme,
kaiming_normal_(fan_in, relu) and zero biases, for LeNet-5 and ResNet-20; torch's own Linear default for the
heads, as the studio's 'torch-default'). Fashion-MNIST is read from Debian's IDX files into one uint8 tensor,
and each batch is indexed and normalised from it: no DataLoader, torch's fastest honest input path.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FMNIST = os.environ.get('VISION_STUDIO_FASHION_MNIST', '/usr/share/datasets/fashion-mnist')


def read_idx(name):
    path = os.path.join(FMNIST, name)
    raw = open(path + '.gz' if os.path.exists(path + '.gz') else path, 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(rank)]
    return torch.from_numpy(np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).copy()).reshape(dims)


def he_init(m):
    # The studio's 'he' scheme (main/train/models/init.ts): every Conv and Linear weight N(0, 2/fan_in), biases 0.
    for mod in m.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(mod.weight, mode='fan_in', nonlinearity='relu')
            if mod.bias is not None:
                nn.init.zeros_(mod.bias)


class LeNet5(nn.Module):
    """main/train/models/lenet.ts: conv5×5 6 (pad 2 at 28 px) → ReLU → maxpool2 → conv5×5 16 → ReLU → maxpool2
    → fc120 → ReLU → fc84 → ReLU → fc K (no dropout by default)."""

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
    """main/train/models/resnet.ts basicBlock; the option-A shortcut (ours: a fixed 0/1 1×1 stride-2 conv) is
    written the usual torch way, x[:, :, ::2, ::2] zero-padded by C/2 channels on each side: the same values."""

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.pad = (planes - cin) // 2 if stride != 1 or cin != planes else None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
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


def ms_since(t):
    return (time.perf_counter() - t) * 1000


class Peer:
    def info(self, _):
        b = torch.randn(1024, 1024)
        b @ b
        best = 0.0
        for _ in range(5):
            t = time.perf_counter()
            b @ b
            best = max(best, 2 * 1024 ** 3 / (time.perf_counter() - t) / 1e9)
        blas = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower() and '/' in l})
        return {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas, 'gflops': best}

    # ---- epochs in chunks: the driver asks for n steps at a time so that ours and torch's alternate ----
    def steps(self, a):
        """Up to n steps of the current epoch (a new one starts if none is running); n = 0: to its end."""
        n, out, done = a.get('n', 0), [], False
        if self.epoch is None:
            self.epoch = self._epoch()
        while n == 0 or len(out) < n:
            try:
                out.append(next(self.epoch))
            except StopIteration:
                self.epoch, done = None, True
                break
        return {'ms': out, 'done': done}

    def _epoch(self):
        """Yields each step's ms (the first includes the shuffle); inputs through self.batch_of(indices)."""
        t = time.perf_counter()
        self.net.train()
        perm = torch.randperm(len(self.y))
        for i in range(0, len(perm), self.batch):
            idx = perm[i:i + self.batch]
            xb = self.batch_of(idx)
            yb = self.y[idx]
            loss = F.cross_entropy(self.net(xb), yb)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            loss.item()
            yield ms_since(t)
            t = time.perf_counter()

    def eval(self, _):
        t = time.perf_counter()
        self.net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(self.ty), 64):
                xb = self.val_batch(i, i + 64)
                correct += int((self.net(xb).argmax(1) == self.ty[i:i + 64]).sum())
        return {'ms': ms_since(t), 'acc': correct / len(self.ty)}

    # ---- LeNet-5 on Fashion-MNIST ----
    def lenet(self, a):
        torch.manual_seed(a['seed'])
        n = a.get('limit') or None
        self.x = read_idx('train-images-idx3-ubyte')[:n].unsqueeze(1).contiguous()  # uint8 [N,1,28,28]
        self.y = read_idx('train-labels-idx1-ubyte')[:n].long()
        self.tx = read_idx('t10k-images-idx3-ubyte').unsqueeze(1).contiguous()
        self.ty = read_idx('t10k-labels-idx1-ubyte').long()
        scale, shift = 1 / (255 * a['std']), -a['mean'] / a['std']
        # The uint8 rows of the batch, to float and normalised in place: one gather and two passes.
        self.batch_of = lambda idx: self.x[idx].float().mul_(scale).add_(shift)
        self.val_batch = lambda i, j: self.tx[i:j].float().mul_(scale).add_(shift)
        self.net = LeNet5(1, 28)
        he_init(self.net)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=a['lr'])
        self.batch, self.epoch = a['batch'], None
        return {'params': sum(p.numel() for p in self.net.parameters()), 'train': len(self.y), 'test': len(self.ty)}

    # ---- ResNet-20, random data ----
    def resnet(self, a):
        torch.manual_seed(a['seed'])
        self.net = ResNet20(3).train()
        he_init(self.net)
        self.opt = torch.optim.SGD(self.net.parameters(), lr=a['lr'], momentum=a['momentum'])
        self.rx = torch.randn(a['batch'], 3, 32, 32)
        self.ry = torch.randint(0, 10, (a['batch'],))
        return {'params': sum(p.numel() for p in self.net.parameters())}

    def resnet_steps(self, a):
        times = []
        for _ in range(a['n']):
            t = time.perf_counter()
            loss = F.cross_entropy(self.net(self.rx), self.ry)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            loss.item()
            times.append(ms_since(t))
        return {'ms': times}

    # ---- transfer heads on the same embeddings ----
    def head(self, a):
        torch.manual_seed(a['seed'])
        d = a['dir']
        meta = json.load(open(os.path.join(d, 'meta.json')))
        dim = meta['dim']
        load = lambda f, dt: torch.from_numpy(np.fromfile(os.path.join(d, f), dt).copy())
        ex = load('train.f32', np.float32).reshape(-1, dim)
        self.y = load('train.labels.i32', np.int32).long()
        vx = load('val.f32', np.float32).reshape(-1, dim)
        self.ty = load('val.labels.i32', np.int32).long()
        self.batch_of = lambda idx: ex[idx]
        self.val_batch = lambda i, j: vx[i:j]
        k = meta['classes']
        if a['kind'] == 'linear':
            self.net = nn.Linear(dim, k)
        else:  # main/train/models/head.ts: D → hidden → ReLU → Dropout → K, torch's Linear init
            self.net = nn.Sequential(nn.Linear(dim, a['hidden']), nn.ReLU(), nn.Dropout(a['dropout']), nn.Linear(a['hidden'], k))
        self.opt = torch.optim.Adam(self.net.parameters(), lr=a['lr'])
        self.batch, self.epoch = a['batch'], None
        return {'train': len(self.y), 'val': len(self.ty)}


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    peer = Peer()
    for line in sys.stdin:
        if not line.strip():
            continue
        a = json.loads(line)
        try:
            out = getattr(peer, a['cmd'])(a)
        except Exception as e:  # noqa: BLE001 — reported to the driver, which stops
            out = {'error': f'{type(e).__name__}: {e}'}
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
