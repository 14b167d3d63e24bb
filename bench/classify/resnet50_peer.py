"""PyTorch peer for bench/classify: exports torchvision ResNet-50 (random weights, fixed seed) to ONNX once,
then times PyTorch's forward alone on the exact tensor our path produced. Prints one JSON line."""
import json, os, sys, time
import numpy as np
import torch, torchvision

torch.manual_seed(0)
torch.set_num_threads(int(os.environ.get("BENCH_THREADS", os.cpu_count())))
onnx_path, tensor_path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = torchvision.models.resnet50(weights=None).eval()
if not os.path.exists(onnx_path):
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(model, x, onnx_path + ".tmp", input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=17)
    os.replace(onnx_path + ".tmp", onnx_path)
    print(json.dumps({"exported": onnx_path}))
    sys.exit(0)
x = torch.from_numpy(np.load(tensor_path))
times = []
with torch.no_grad():
    for _ in range(3):
        model(x)
    for _ in range(reps):
        t = time.perf_counter(); y = model(x); times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"forward_ms": sorted(times)[len(times) // 2], "top1": int(y.argmax()), "threads": torch.get_num_threads()}))
