"""PyTorch peer for bench/cam: the same Grad-CAM and Score-CAM, on torchvision ResNet-50 (random weights,
seed 0, the weights bench/classify exports), target layer4, on the exact tensor our path produced.
Grad-CAM is timed twice: the lean form (autograd.grad of the score w.r.t. the layer4 activation only)
and the form pytorch-grad-cam uses (loss.backward() through the whole network). Score-CAM follows
pytorch-grad-cam's ScoreCAM (UpsamplingBilinear2d masks, min-max + 1e-8, batches of 16, softmax)
over the first `channels` channels. Prints one JSON line."""
import json, os, sys, time
import numpy as np
import torch, torch.nn.functional as F, torchvision

torch.manual_seed(0)
torch.set_num_threads(int(os.environ.get("BENCH_THREADS", os.cpu_count())))
tensor_path, reps, channels, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
model = torchvision.models.resnet50(weights=None).eval()
x = torch.from_numpy(np.load(tensor_path))
store = {}
model.layer4.register_forward_hook(lambda m, i, o: store.__setitem__("a", o))


def scale(cam):
    cam = F.interpolate(cam[None, None], size=x.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    cam = cam - cam.min()
    return cam / (cam.max() + 1e-7)


def gradcam_lean():
    logits = model(x)
    c = int(logits.argmax())
    (g,) = torch.autograd.grad(logits[0, c], store["a"])
    w = g.mean(dim=(2, 3), keepdim=True)
    return scale(F.relu((w * store["a"]).sum(1))[0]).detach(), c


def gradcam_library():
    model.zero_grad()
    logits = model(x)
    c = int(logits.argmax())
    a = store["a"]
    a.retain_grad()
    logits[0, c].backward(retain_graph=True)
    w = a.grad.mean(dim=(2, 3), keepdim=True)
    return scale(F.relu((w * a).sum(1))[0]).detach(), c


def scorecam():
    with torch.no_grad():
        logits = model(x)
        c = int(logits.argmax())
        a = store["a"][:, :channels]
        up = F.interpolate(a, size=x.shape[-2:], mode="bilinear", align_corners=True)
        mx = up.view(1, up.size(1), -1).max(-1)[0][:, :, None, None]
        mn = up.view(1, up.size(1), -1).min(-1)[0][:, :, None, None]
        up = (up - mn) / (mx - mn + 1e-8)
        inputs = (x[:, None] * up[:, :, None])[0]
        scores = []
        for i in range(0, inputs.size(0), batch):
            scores.append(model(inputs[i : i + batch])[:, c])
        w = torch.softmax(torch.cat(scores), 0)
        return scale(F.relu((w[None, :, None, None] * a).sum(1))[0]), c


def timeit(fn, n):
    fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter(); out = fn(); ts.append((time.perf_counter() - t) * 1000)
    return sorted(ts)[len(ts) // 2], out


lean_ms, (cam, top1) = timeit(gradcam_lean, reps)
lib_ms, _ = timeit(gradcam_library, reps)
score_ms, (scam, _) = timeit(scorecam, max(1, reps // 10))
peak = int(cam.argmax())
print(json.dumps({"gradcam_ms": lean_ms, "gradcam_library_ms": lib_ms, "scorecam_ms": score_ms, "top1": top1,
                  "peak": [peak % x.shape[-1], peak // x.shape[-1]], "threads": torch.get_num_threads()}))
