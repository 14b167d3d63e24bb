#!/usr/bin/python3
"""Reference numbers for main/train/optim from PyTorch 1.13 (Debian python3-torch).

    /usr/bin/python3 tests/reference/torch_optim.py   # writes tests/fixtures/train/torch-optim.json

Optimisers: each case starts from the same seeded float32 parameters (three tensors in two groups,
the second group at half the learning rate) and takes 100 steps. The gradient depends on the
parameters (g = 2·(p − target) + 0.1·sin p, evaluated in float64 and rounded to float32 on both
sides, so libm differences cannot creep in), so the whole trajectory has to agree, not one step.

Each case runs twice, in child processes: once with the CPU's vectorised ATen kernels (AVX2 or
AVX-512: add-with-alpha and addcmul are fused multiply-adds there) and once with
ATEN_CPU_CAPABILITY=default (plain float32 multiply then add). torch's own answer depends on the
machine; the TypeScript optimiser reproduces both (its fusedMultiplyAdd option).

Also recorded: each schedule's lr (and OneCycleLR's momentum) over 100 steps, the constructor
defaults of every torch.optim class, and clip_grad_norm_ / clip_grad_value_ results.
"""
import inspect
import json
import math
import os
import subprocess
import sys

STEPS = 100
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'train', 'torch-optim.json')

# TypeScript hyperparameter name → torch keyword. beta1/beta2 are torch's betas tuple.
TORCH_NAME = {
    'lr': 'lr', 'weightDecay': 'weight_decay', 'momentum': 'momentum', 'dampening': 'dampening',
    'lrDecay': 'lr_decay', 'initialAccumulatorValue': 'initial_accumulator_value', 'eps': 'eps',
    'rho': 'rho', 'alpha': 'alpha', 'centered': 'centered', 'amsgrad': 'amsgrad',
}

# Optimiser id → (torch class name, fixed keywords). SGD has no default lr in torch: 0.01 is ours.
KINDS = {
    'sgd': ('SGD', {'lr': 0.01}),
    'momentum': ('SGD', {'lr': 0.01, 'momentum': 0.9}),
    'nesterov': ('SGD', {'lr': 0.01, 'momentum': 0.9, 'nesterov': True}),
    'adagrad': ('Adagrad', {}),
    'adadelta': ('Adadelta', {}),
    'rmsprop': ('RMSprop', {}),
    'adam': ('Adam', {}),
    'adamw': ('AdamW', {}),
}

# name, optimiser id, hyperparameters (TS names, non-default only), per-group overrides, schedule.
CASES = [
    ('sgd', 'sgd', {}, None, None),
    ('sgd-wd', 'sgd', {'weightDecay': 0.05}, None, None),
    ('momentum', 'momentum', {}, None, None),
    ('momentum-dampening-wd', 'momentum', {'dampening': 0.1, 'weightDecay': 1e-3}, None, None),
    ('nesterov', 'nesterov', {}, None, None),
    ('nesterov-wd', 'nesterov', {'weightDecay': 1e-2, 'momentum': 0.8}, None, None),
    ('adagrad', 'adagrad', {}, None, None),
    ('adagrad-decay-wd-init', 'adagrad', {'lrDecay': 0.01, 'weightDecay': 1e-2, 'initialAccumulatorValue': 0.1}, None, None),
    ('adadelta', 'adadelta', {}, None, None),
    ('adadelta-wd-rho', 'adadelta', {'weightDecay': 1e-2, 'rho': 0.95, 'lr': 0.5}, None, None),
    ('rmsprop', 'rmsprop', {}, None, None),
    ('rmsprop-centered-momentum', 'rmsprop', {'centered': True, 'momentum': 0.9, 'lr': 1e-3}, None, None),
    ('rmsprop-wd-momentum', 'rmsprop', {'weightDecay': 1e-2, 'momentum': 0.5, 'alpha': 0.9}, None, None),
    ('adam', 'adam', {}, None, None),
    ('adam-amsgrad', 'adam', {'amsgrad': True, 'lr': 1e-2}, None, None),
    ('adam-l2-betas', 'adam', {'weightDecay': 1e-2, 'beta1': 0.8, 'beta2': 0.99, 'lr': 1e-2}, [{}, {'weightDecay': 0}], None),
    ('adamw', 'adamw', {}, None, None),
    ('adamw-amsgrad', 'adamw', {'amsgrad': True, 'lr': 1e-2, 'weightDecay': 0.1, 'eps': 1e-6}, None, None),
    ('adam-onecycle', 'adam', {'lr': 1e-2}, None, {'kind': 'one-cycle', 'totalSteps': STEPS}),
    ('momentum-step', 'momentum', {'lr': 0.02}, None, {'kind': 'step', 'stepSize': 25, 'gamma': 0.5}),
    ('nesterov-cosine-warmup', 'nesterov', {}, None, {'kind': 'cosine', 'tMax': STEPS, 'warmup': {'steps': 10, 'startFactor': 0.1}}),
]

# lr schedules, on an SGD(momentum=0.9) with two groups (lr 0.1 and 0.05).
SCHEDULES = [
    ('step', {'kind': 'step', 'stepSize': 30, 'gamma': 0.1}),
    ('step-7-half', {'kind': 'step', 'stepSize': 7, 'gamma': 0.5}),
    ('cosine', {'kind': 'cosine', 'tMax': 100}),
    ('cosine-restart-etamin', {'kind': 'cosine', 'tMax': 30, 'etaMin': 1e-3}),
    ('one-cycle', {'kind': 'one-cycle', 'totalSteps': 100}),
    ('one-cycle-linear-three-phase', {'kind': 'one-cycle', 'totalSteps': 100, 'annealStrategy': 'linear', 'threePhase': True, 'pctStart': 0.25}),
    ('one-cycle-120-max', {'kind': 'one-cycle', 'totalSteps': 120, 'maxLr': 0.3, 'divFactor': 10.0, 'finalDivFactor': 100.0}),
    ('step-warmup', {'kind': 'step', 'stepSize': 10, 'gamma': 0.5, 'warmup': {'steps': 5}}),
    ('cosine-warmup', {'kind': 'cosine', 'tMax': 100, 'warmup': {'steps': 10, 'startFactor': 0.1}}),
    ('constant-warmup', {'kind': 'constant', 'warmup': {'steps': 20, 'startFactor': 0.01}}),
]


def f9(x):
    """9 significant digits: enough for a float32 to round-trip exactly."""
    return float('%.9g' % x)


def import_torch():
    import torch  # noqa: E402  (imported late: ATEN_CPU_CAPABILITY must be set first)
    torch.set_num_threads(1)
    return torch


def capability(torch):
    line = [l for l in torch.__config__.show().splitlines() if 'CPU capability usage' in l]
    return line[0].split(':', 1)[1].strip() if line else 'unknown'


def make_scheduler(torch, opt, spec):
    """torch scheduler for a TS schedule spec (warmup = ChainedScheduler with LinearLR)."""
    S = torch.optim.lr_scheduler
    if spec is None:
        return None
    kind = spec['kind']
    if kind == 'constant':
        inner = S.LambdaLR(opt, lambda _: 1.0) if 'warmup' not in spec else None
    elif kind == 'step':
        inner = S.StepLR(opt, step_size=spec['stepSize'], gamma=spec.get('gamma', 0.1))
    elif kind == 'cosine':
        inner = S.CosineAnnealingLR(opt, T_max=spec['tMax'], eta_min=spec.get('etaMin', 0))
    elif kind == 'one-cycle':
        max_lr = spec.get('maxLr', [g['lr'] for g in opt.param_groups])
        inner = S.OneCycleLR(opt, max_lr=max_lr, total_steps=spec['totalSteps'], pct_start=spec.get('pctStart', 0.3),
                             anneal_strategy=spec.get('annealStrategy', 'cos'), div_factor=spec.get('divFactor', 25.0),
                             final_div_factor=spec.get('finalDivFactor', 1e4), three_phase=spec.get('threePhase', False))
    else:
        raise ValueError(kind)
    if 'warmup' not in spec:
        return inner
    w = spec['warmup']
    warm = S.LinearLR(opt, start_factor=w.get('startFactor', 1.0 / 3), total_iters=w['steps'])
    return S.ChainedScheduler([warm] + ([inner] if inner is not None else []))


def torch_kwargs(kind, hyper):
    cls, fixed = KINDS[kind]
    kw = dict(fixed)
    betas = None
    for k, v in hyper.items():
        if k in ('beta1', 'beta2'):
            betas = betas or [0.9, 0.999]
            betas[0 if k == 'beta1' else 1] = v
        else:
            kw[TORCH_NAME[k]] = v
    if betas:
        kw['betas'] = tuple(betas)
    return cls, kw


def group_to_ts(group):
    """A torch param_group's hyperparameters under TS names (the test compares the ones it knows)."""
    out = {}
    for ts, t in TORCH_NAME.items():
        if t in group:
            out[ts] = group[t]
    if 'betas' in group:
        out['beta1'], out['beta2'] = group['betas']
    return out


def grad_of(torch, np, p, t):
    p64 = p.detach().numpy().astype(np.float64)
    return torch.from_numpy((2 * (p64 - t) + 0.1 * np.sin(p64)).astype(np.float32))


def run_cases(init, targets, group_of, cases):
    """Child process: every case under this process's ATEN_CPU_CAPABILITY."""
    import numpy as np
    torch = import_torch()
    tgt = [np.array(t, dtype=np.float32).astype(np.float64) for t in targets]
    out = []
    for name, kind, hyper, group_over, sched in ((c['name'], c['kind'], c['hyper'], c['groups'], c['schedule']) for c in cases):
        params = [torch.tensor(x, dtype=torch.float32) for x in init]
        cls, kw = torch_kwargs(kind, hyper)
        groups = []
        for gi, over in enumerate(group_over):
            assert 'beta1' not in over and 'beta2' not in over, 'per-group betas are not mapped'
            g = {TORCH_NAME[k]: v for k, v in over.items()}
            g['params'] = [p for p, go in zip(params, group_of) if go == gi]
            groups.append(g)
        opt = getattr(torch.optim, cls)(groups, **kw)
        resolved = [group_to_ts(g) for g in opt.param_groups]
        scheduler = make_scheduler(torch, opt, sched)
        for _ in range(STEPS):
            for p, t in zip(params, tgt):
                p.grad = grad_of(torch, np, p, t)
            opt.step()
            if scheduler is not None:
                scheduler.step()
        out.append({'name': name, 'groups': resolved, 'final': [[f9(v) for v in p.detach().numpy().ravel()] for p in params]})
    return {'capability': capability(torch), 'cases': out}


def torch_defaults(torch):
    out = {}
    for kind, (cls, fixed) in KINDS.items():
        sig = inspect.signature(getattr(torch.optim, cls)).parameters
        d = {k: v.default for k, v in sig.items() if v.default is not inspect.Parameter.empty and not isinstance(v.default, type)}
        d = {k: v for k, v in d.items() if isinstance(v, (int, float, tuple))}
        d.update(fixed)
        out[kind] = group_to_ts(d)
    return out


def schedules(torch):
    out = []
    for name, spec in SCHEDULES:
        ps = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(2))]
        opt = torch.optim.SGD([{'params': [ps[0]], 'lr': 0.1}, {'params': [ps[1]], 'lr': 0.05}], lr=0.1, momentum=0.9)
        sched = make_scheduler(torch, opt, spec)
        lrs, moms = [[], []], []
        for _ in range(STEPS):
            for gi, g in enumerate(opt.param_groups):
                lrs[gi].append(g['lr'])
            moms.append(opt.param_groups[0]['momentum'])
            for p in ps:
                p.grad = torch.zeros(2)
            opt.step()
            sched.step()
        out.append({'name': name, 'spec': spec, 'baseLr': [0.1, 0.05], 'lr': lrs, 'momentum': moms if spec['kind'] == 'one-cycle' else None})
    return out


def clipping(torch):
    gen = torch.Generator().manual_seed(7)
    out = []
    for max_norm, norm_type, scale in ((1.0, 2.0, 1.0), (100.0, 2.0, 1.0), (0.5, math.inf, 1.0), (2.0, 1.0, 1.0), (1e-3, 2.0, 1e-2)):
        grads = [torch.randn(7, 5, generator=gen) * scale, torch.randn(11, generator=gen) * scale, torch.randn(3, generator=gen) * scale]
        grads = [torch.tensor([f9(v) for v in g.numpy().ravel()], dtype=torch.float32) for g in grads]
        ps = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        out.append({'kind': 'norm', 'maxNorm': max_norm, 'normType': 'inf' if norm_type == math.inf else norm_type,
                    'grads': [[f9(v) for v in g.numpy()] for g in grads], 'total': float(total),
                    'clipped': [[f9(v) for v in p.grad.numpy()] for p in ps]})
    grads = [torch.tensor([f9(v) for v in torch.randn(13, generator=gen).numpy()], dtype=torch.float32)]
    ps = [torch.nn.Parameter(torch.zeros(13))]
    ps[0].grad = grads[0].clone()
    torch.nn.utils.clip_grad_value_(ps, 0.3)
    out.append({'kind': 'value', 'clipValue': 0.3, 'grads': [[f9(v) for v in grads[0].numpy()]], 'clipped': [[f9(v) for v in ps[0].grad.numpy()]]})
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--cases':
        spec = json.load(sys.stdin)
        json.dump(run_cases(spec['init'], spec['targets'], spec['groupOf'], spec['cases']), sys.stdout)
        return
    torch = import_torch()
    gen = torch.Generator().manual_seed(0)
    shapes = [[7, 5], [3], [11]]
    group_of = [0, 0, 1]
    init = [[f9(v) for v in torch.randn(*s, generator=gen).numpy().ravel()] for s in shapes]
    targets = [[f9(v) for v in (0.5 * torch.randn(*s, generator=gen)).numpy().ravel()] for s in shapes]
    cases = []
    for name, kind, hyper, group_over, sched in CASES:
        cls, kw = torch_kwargs(kind, hyper)
        lr0 = kw.get('lr', inspect.signature(getattr(torch.optim, cls)).parameters['lr'].default)
        g0, g1 = [dict(g) for g in (group_over or [{}, {}])]
        g1.setdefault('lr', 0.5 * lr0)  # the second group always runs at its own (half) learning rate
        cases.append({'name': name, 'kind': kind, 'hyper': hyper, 'groups': [g0, g1], 'schedule': sched})
    kernels = []
    for env in ({}, {'ATEN_CPU_CAPABILITY': 'default'}):
        res = subprocess.run([sys.executable, os.path.abspath(__file__), '--cases'], input=json.dumps(
            {'init': init, 'targets': targets, 'groupOf': group_of, 'cases': cases}), capture_output=True, text=True, check=True,
            env={**os.environ, **env})
        k = json.loads(res.stdout)
        # Vectorised kernels on AVX2/AVX-512 fuse a·b + c (vec::fmadd); the default build rounds twice.
        k['fused'] = k['capability'] in ('AVX2', 'AVX512')
        kernels.append(k)
    fixture = {
        'generator': 'tests/reference/torch_optim.py',
        'torch': torch.__version__,
        'steps': STEPS,
        'shapes': shapes,
        'groupOf': group_of,
        'init': init,
        'targets': targets,
        'cases': cases,
        'kernels': kernels,
        'torchDefaults': torch_defaults(torch),
        'schedules': schedules(torch),
        'clip': clipping(torch),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
        f.write('\n')
    # The repository's lint runs prettier --check over everything, JSON included.
    prettier = os.path.join(os.path.dirname(OUT), '..', '..', '..', 'node_modules', '.bin', 'prettier')
    if os.path.exists(prettier):
        subprocess.run([prettier, '--write', '--log-level', 'warn', OUT], check=True)
    else:
        print('note: run npx prettier --write on the fixture (npm run lint checks it)')
    print('wrote', os.path.relpath(OUT), os.path.getsize(OUT), 'bytes;', ', '.join(k['capability'] for k in kernels))


if __name__ == '__main__':
    main()
