#!/usr/bin/python3
"""Reference paths for the optimiser playground (main/playground) from PyTorch 1.13 (Debian python3-torch).

    /usr/bin/python3 tests/reference/torch_playground.py   # writes tests/fixtures/playground/torch-paths.json
    npx prettier --write tests/fixtures/playground/torch-paths.json    # the lint step checks it

Each case: two float64 parameters (x, y) in one tensor, the surface written with torch ops and its gradient
from autograd (not the studio's analytic formulas), and torch.optim's own optimiser stepping 200 times. The
path is the start and the point after each step, [x, y, f], as the CLI prints it. Cases: every surface with
the playground's defaults (torch's, and a per-surface lr for the SGD family, whose torch lr has no default),
and on Rosenbrock and Beale a second set with every CLI flag moved off its default and another start.
"""
import json
import math
import os

import torch

STEPS = 200
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'playground', 'torch-paths.json')

SURFACES = {
    'rosenbrock': (lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2, (-1.2, 1.0)),
    'beale': (lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2, (1.0, 1.5)),
    'himmelblau': (lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2, (-0.3, -0.9)),
    'saddle': (lambda x, y: x * x - y * y, (1.8, 0.01)),
    'ravine': (lambda x, y: 0.05 * x * x + 5 * y * y, (-9.0, 2.5)),
    'rastrigin': (lambda x, y: 20 + x * x - 10 * torch.cos(2 * math.pi * x) + y * y - 10 * torch.cos(2 * math.pi * y), (-3.3, 3.6)),
}
# main/playground/surfaces.ts sgdLr: torch's SGD has no default lr.
SGD_LR = {'rosenbrock': 1e-3, 'beale': 1e-3, 'himmelblau': 1e-2, 'saddle': 1e-2, 'ravine': 0.13, 'rastrigin': 1e-3}

# CLI flag → torch keyword per optimiser (main/cli/commands/playground.ts FLAG_TARGETS).
FLAG_KEYWORD = {
    'momentum': {'momentum': 'momentum', 'nesterov': 'momentum', 'rmsprop': 'momentum'},
    'rho': {'adadelta': 'rho', 'rmsprop': 'alpha'},
    'eps': {'adagrad': 'eps', 'adadelta': 'eps', 'rmsprop': 'eps', 'adam': 'eps'},
}

# Non-default flags for the second set (every flag an optimiser takes, moved).
TUNED = {
    'sgd': {'lr': 5e-4},
    'momentum': {'lr': 5e-4, 'momentum': 0.7},
    'nesterov': {'lr': 5e-4, 'momentum': 0.8},
    'adagrad': {'lr': 0.3, 'eps': 1e-6},
    'adadelta': {'lr': 0.5, 'rho': 0.95, 'eps': 1e-5},
    'rmsprop': {'lr': 3e-3, 'rho': 0.9, 'momentum': 0.5, 'eps': 1e-6},
    'adam': {'lr': 0.05, 'beta1': 0.8, 'beta2': 0.99, 'eps': 1e-6},
}
TUNED_START = {'rosenbrock': (0.5, -0.5), 'beale': (0.5, -1.0)}


def make(kind, surface, params, flags):
    if kind in ('sgd', 'momentum', 'nesterov'):
        kw = {'lr': flags.get('lr', SGD_LR[surface])}
        if kind != 'sgd':
            kw['momentum'] = flags.get('momentum', 0.9)
        if kind == 'nesterov':
            kw['nesterov'] = True
        return torch.optim.SGD(params, **kw)
    kw = {}
    if 'lr' in flags:
        kw['lr'] = flags['lr']
    for flag, targets in FLAG_KEYWORD.items():
        if flag in flags and kind in targets:
            kw[targets[kind]] = flags[flag]
    if kind == 'adam' and ('beta1' in flags or 'beta2' in flags):
        kw['betas'] = (flags.get('beta1', 0.9), flags.get('beta2', 0.999))
    cls = {'adagrad': torch.optim.Adagrad, 'adadelta': torch.optim.Adadelta, 'rmsprop': torch.optim.RMSprop, 'adam': torch.optim.Adam}[kind]
    return cls(params, **kw)


def run(surface, kind, start, flags):
    f = SURFACES[surface][0]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make(kind, surface, [p], flags)

    def point():
        with torch.no_grad():
            return [p[0].item(), p[1].item(), f(p[0], p[1]).item()]

    path = [point()]
    for _ in range(STEPS):
        opt.zero_grad()
        loss = f(p[0], p[1])
        loss.backward()
        opt.step()
        path.append(point())
    group = {k: (list(v) if isinstance(v, tuple) else v) for k, v in opt.param_groups[0].items() if k != 'params'}
    return {'surface': surface, 'optimizer': kind, 'start': list(start), 'flags': flags, 'torchGroup': group, 'path': path}


def main():
    torch.set_num_threads(1)
    cases = []
    for surface, (_, start) in SURFACES.items():
        for kind in TUNED:
            cases.append({'name': f'{surface}-{kind}', **run(surface, kind, start, {})})
    for surface, start in TUNED_START.items():
        for kind, flags in TUNED.items():
            cases.append({'name': f'{surface}-{kind}-tuned', **run(surface, kind, start, flags)})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as fh:
        json.dump({'torch': torch.__version__, 'steps': STEPS, 'dtype': 'float64', 'cases': cases}, fh, allow_nan=True)
        fh.write('\n')
    print(f'wrote {len(cases)} cases to {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
