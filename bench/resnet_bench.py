#!/usr/bin/env python3
"""anvil vs PyTorch inference, images/s side by side, on ResNet-18 (CIFAR geometry, 3x32x32)
and ResNet-50 (ImageNet geometry, 3x224x224), 1 and 2 threads, in one run.

When PyTorch is importable (Debian: apt-get install python3-torch; a benchmark tool only,
never an anvil dependency) the script builds both networks in torch (torchvision's layout,
seeded weights, random BatchNorm statistics), exports them to ONNX opset 13, checks that
anvil's logits on the exported file match torch's, and times both. Without torch it prints
anvil's figures for the built-in networks alone. Nothing is written outside a temp folder.

Usage: bench/resnet_bench.py [path/to/resnet_bench] [--images-cifar N] [--images-imagenet N]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def parse(out):
    ips, check = {}, ""
    for line in out.splitlines():
        if line.startswith("anvil threads="):
            f = dict(kv.split("=") for kv in line.split()[1:])
            ips[int(f["threads"])] = (float(f["images_per_s"]), float(f["images_per_cpu_s"]))
        elif line.startswith("check "):
            check = line[len("check "):]
    return ips, check


def torch_models(torch):
    nn = torch.nn

    class Basic(nn.Module):
        expansion = 1

        def __init__(self, cin, planes, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU()
            self.downsample = None
            if stride != 1 or cin != planes:
                self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False),
                                                nn.BatchNorm2d(planes))

        def forward(self, x):
            y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(y + (x if self.downsample is None else self.downsample(x)))

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, cin, planes, stride):
            super().__init__()
            out = planes * 4
            self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(out)
            self.relu = nn.ReLU()
            self.downsample = None
            if stride != 1 or cin != out:
                self.downsample = nn.Sequential(nn.Conv2d(cin, out, 1, stride, bias=False),
                                                nn.BatchNorm2d(out))

        def forward(self, x):
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.relu(self.bn2(self.conv2(y)))
            y = self.bn3(self.conv3(y))
            return self.relu(y + (x if self.downsample is None else self.downsample(x)))

    class ResNet(nn.Module):
        def __init__(self, block, layers, classes, cifar):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 3 if cifar else 7, 1 if cifar else 2,
                                   1 if cifar else 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU()
            self.maxpool = nn.Identity() if cifar else nn.MaxPool2d(3, 2, 1)
            c, stages = 64, []
            for i, n in enumerate(layers):
                blocks = []
                for b in range(n):
                    blocks.append(block(c, 64 << i, 2 if b == 0 and i > 0 else 1))
                    c = (64 << i) * block.expansion
                stages.append(nn.Sequential(*blocks))
            self.layer1, self.layer2, self.layer3, self.layer4 = stages
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(c, classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    def make(block, layers, classes, cifar):
        torch.manual_seed(1)
        m = ResNet(block, layers, classes, cifar)
        for mod in m.modules():  # non-trivial BatchNorm statistics, so folding is exercised
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.1, 0.1)
                mod.running_var.uniform_(0.5, 1.5)
                mod.weight.data.uniform_(0.5, 1.5)
                mod.bias.data.uniform_(-0.1, 0.1)
        return m.eval()

    return {"resnet18-cifar": (lambda: make(Basic, [2, 2, 2, 2], 10, True), 32),
            "resnet50": (lambda: make(Bottleneck, [3, 4, 6, 3], 1000, False), 224)}


def torch_ips(torch, model, size, images, threads, batch):
    torch.set_num_threads(threads)
    x = torch.randn(images, 3, size, size)
    with torch.no_grad():
        model(x[:min(batch, images)])  # warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        for lo in range(0, images, batch):
            model(x[lo:lo + batch])
        return images / (time.perf_counter() - t0), images / (time.process_time() - c0)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("exe", nargs="?",
                    default=os.path.join(here, "..", "build", "bench", "bench", "resnet_bench"))
    ap.add_argument("--images-cifar", type=int, default=200)
    ap.add_argument("--images-imagenet", type=int, default=16)
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    load = os.getloadavg()
    print(f"resnet_bench: anvil vs PyTorch, images/s; load average {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
    if torch is not None:
        print(f"PyTorch {torch.__version__} (oneDNN/mkldnn: {torch.backends.mkldnn.is_available()})")
    else:
        print("PyTorch not installed: anvil figures only (apt-get install python3-torch)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for arch, images in (("resnet18-cifar", args.images_cifar),
                             ("resnet50", args.images_imagenet)):
            cmd = [args.exe, arch, "--images", str(images)]
            tips = {}
            if torch is not None:
                build, size = torch_models(torch)[arch]
                model = build()
                onnx = os.path.join(tmp, arch + ".onnx")
                x = torch.randn(4, 3, size, size, generator=torch.Generator().manual_seed(3))
                with torch.no_grad():
                    torch.onnx.export(model, x[:1], onnx, opset_version=13,
                                      input_names=["input"], output_names=["logits"],
                                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
                    y = model(x)
                inp, exp = os.path.join(tmp, arch + ".in"), os.path.join(tmp, arch + ".out")
                x.numpy().tofile(inp)
                y.numpy().tofile(exp)
                cmd[2:2] = [onnx, inp, exp]
                batch = 50 if arch == "resnet18-cifar" else 8
                for t in (1, 2):
                    tips[t] = torch_ips(torch, model, size, images, t, batch)
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            ips, check = parse(out)
            rows.append((arch, images, ips, tips, check))
    print("images/s: wall clock; /cpu-s: images per CPU-second of the process (all threads),")
    print("the figure that survives a loaded machine")
    print(f"{'model':<16} {'images':>6} {'threads':>7} {'anvil/s':>9} {'torch/s':>9} "
          f"{'ratio':>7} {'anvil/cpu-s':>12} {'torch/cpu-s':>12} {'ratio':>7}")
    for arch, images, ips, tips, check in rows:
        for t in (1, 2):
            a, ac = ips[t]
            if t in tips:
                tw, tc = tips[t]
                print(f"{arch:<16} {images:>6} {t:>7} {a:9.1f} {tw:9.1f} {a / tw:6.2f}x "
                      f"{ac:12.1f} {tc:12.1f} {ac / tc:6.2f}x")
            else:
                print(f"{arch:<16} {images:>6} {t:>7} {a:9.1f} {'-':>9} {'-':>7} {ac:12.1f}")
        if check:
            print(f"  {arch} logits vs torch: {check}")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
