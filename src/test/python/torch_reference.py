#!/usr/bin/env python3
"""PyTorch reference for finetune4j's performance comparison (org.finetune4j.bench.PerfBench).

Runs one work item of the comparison with torch + torchvision and prints machine-readable lines
``RESULT <key> <value>`` on stdout (progress goes to stderr), the same protocol as PerfBench's Java side.
PerfBench starts this script itself (alternating with the Java side); to run one item by hand:

    /usr/bin/python3 src/test/python/torch_reference.py --item forward --batch 16 --threads 2 \
        --images target/perf/images

Items (all VGG16 with random weights, 224 x 224, NCHW float32, the same work as the Java side):
  forward     VGG16 to fc2 on a random batch                                   -> img/s
  featurize   JPEG decode -> resize short side 256 -> centre crop 224 -> VGG mean/std -> VGG16 to fc2,
              features collected in memory and written to one file; DataLoader with --workers processes
                                                                               -> img/s
  train-head  one SGD step (Nesterov momentum), everything frozen except a new 10-class layer on fc2 -> img/s
  train-block5  one SGD step, block 5 + fc1 + fc2 + new layer trainable        -> img/s
  tencrop     decode once, resize 256, ten 224 crops (corners, centre, mirrored), --batch crops per batch
              (whole images), VGG16 to softmax, mean over crops; the first --ten-crop-images images
                                                                               -> crops/s and img/s
  singlecrop  the same with the centre crop only                               -> img/s
  logreg      multinomial logistic regression (L2 1e-4) on 10,000 x 4096 synthetic features (generated
              bit-identically to PerfBench's SyntheticFeatures), L-BFGS to convergence (gradient
              max-norm <= 1e-5, objective/step change <= 1e-10, or 1000 iterations) -> seconds
Every item also reports the peak resident memory (``RESULT peak-rss-mb``): this process's, plus the largest
DataLoader worker's for featurize.
"""
import argparse
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision
from PIL import Image
from torch.utils.data import DataLoader, Dataset

MEAN_RGB = [0.485, 0.456, 0.406]
STD_RGB = [0.229, 0.224, 0.225]


def result(key, value):
    print(f"RESULT {key} {value:.6f}" if isinstance(value, float) else f"RESULT {key} {value}", flush=True)


def peak_rss_mb():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return own + children  # children: the largest worker that has exited (Linux reports the max, not the sum)


def vgg16_to_fc2():
    torch.manual_seed(12345)
    vgg = torchvision.models.vgg16(weights=None)
    # classifier = [fc1, relu, dropout, fc2, relu, dropout, fc3]; fc2's output after its ReLU, like DL4J's fc2
    vgg.classifier = nn.Sequential(*list(vgg.classifier.children())[:5])
    return vgg.eval()


WARM_UP = 2  # set from --warm-up


def timed(label, iterations, work, per_iteration, warm_up=None):
    for _ in range(WARM_UP):  # warm-up: allocator, oneDNN primitive cache, page faults
        (warm_up or work)()
    rates = []
    for i in range(iterations):
        start = time.perf_counter()
        work()
        seconds = time.perf_counter() - start
        rates.append(per_iteration / seconds)
        print(f"  torch {label}: {rates[-1]:.3f}/s", file=sys.stderr, flush=True)
    return rates


def item_forward(args):
    net = vgg16_to_fc2()
    x = torch.from_numpy(np.random.default_rng(12345).uniform(-120, 135, (args.batch, 3, 224, 224))
                         .astype(np.float32))

    passes = max(1, 16 // args.batch)  # 16 images' worth per timed unit, as PerfBench.forwardPasses

    def work():
        with torch.inference_mode():
            for _ in range(passes):
                net(x)

    for r in timed(f"forward b{args.batch}", args.iterations, work, args.batch * passes):
        result("img/s", r)


def list_images(folder):
    files = []
    for root, _dirs, names in os.walk(folder):
        files += [os.path.join(root, n) for n in names if n.lower().endswith((".jpg", ".jpeg"))]
    if not files:
        sys.exit(f"--images {folder}: no JPEG files. Expected the folder PerfBench generates "
                 f"(run PerfBench once, or pass --images of a folder of .jpg files).")
    return sorted(files)


def eval_transform():
    return torchvision.transforms.Compose([
        torchvision.transforms.Resize(256),
        torchvision.transforms.CenterCrop(224),
        torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize(MEAN_RGB, STD_RGB),
    ])


class Folder(Dataset):
    def __init__(self, files, transform):
        self.files, self.transform = files, transform

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        with Image.open(self.files[i]) as image:
            return self.transform(image.convert("RGB"))


def item_featurize(args):
    files = list_images(args.images)
    net = vgg16_to_fc2()

    def work(subset=files):
        loader = DataLoader(Folder(subset, eval_transform()), batch_size=args.batch, shuffle=False,
                            num_workers=args.workers)
        features = []
        with torch.inference_mode():
            for batch in loader:
                features.append(net(batch).numpy())
        cache = np.concatenate(features)
        with open(os.path.join(args.scratch, "torch-features.f32"), "wb") as out:
            out.write(cache.tobytes())

    for r in timed(f"featurize {len(files)} images", args.iterations, work, len(files),
                   lambda: work(files[:args.batch])):
        result("img/s", r)


def item_train(args, unfreeze_block5):
    torch.manual_seed(12345)
    vgg = torchvision.models.vgg16(weights=None)
    vgg.classifier[6] = nn.Linear(4096, 10)
    vgg.classifier[2] = nn.Identity()  # no dropout: the Java side's VGG16 has none either
    vgg.classifier[5] = nn.Identity()
    for p in vgg.parameters():
        p.requires_grad = False
    trainable = [vgg.classifier[6]]
    if unfreeze_block5:
        trainable += [vgg.features[24], vgg.features[26], vgg.features[28], vgg.classifier[0], vgg.classifier[3]]
    for module in trainable:
        for p in module.parameters():
            p.requires_grad = True
    vgg.train()
    optimizer = torch.optim.SGD([p for p in vgg.parameters() if p.requires_grad], lr=1e-3, momentum=0.9,
                                nesterov=True)
    rng = np.random.default_rng(12345)
    x = torch.from_numpy(rng.uniform(-2, 2, (args.batch, 3, 224, 224)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 10, args.batch))
    loss_fn = nn.CrossEntropyLoss()

    def work():
        optimizer.zero_grad(set_to_none=True)
        loss_fn(vgg(x), y).backward()
        optimizer.step()

    label = "train-block5" if unfreeze_block5 else "train-head"
    for r in timed(f"{label} b{args.batch}", args.iterations, work, args.batch):
        result("img/s", r)


class Crops(Dataset):
    def __init__(self, files, ten):
        self.files, self.ten = files, ten
        self.resize = torchvision.transforms.Resize(256)
        self.tensor = torchvision.transforms.Compose([
            torchvision.transforms.ToTensor(), torchvision.transforms.Normalize(MEAN_RGB, STD_RGB)])

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        with Image.open(self.files[i]) as image:
            image = self.resize(image.convert("RGB"))  # decoded and resized once per image
        if self.ten:
            crops = torchvision.transforms.functional.ten_crop(image, 224)
        else:
            crops = [torchvision.transforms.functional.center_crop(image, 224)]
        return torch.stack([self.tensor(c) for c in crops])


def item_crops(args, ten):
    files = list_images(args.images)
    if ten:
        files = files[:args.ten_crop_images]
    torch.manual_seed(12345)
    net = torchvision.models.vgg16(weights=None).eval()
    images_per_batch = max(1, args.batch // 10) if ten else args.batch

    def work(subset=files):
        loader = DataLoader(Crops(subset, ten), batch_size=images_per_batch, shuffle=False,
                            num_workers=args.workers)
        with torch.inference_mode():
            for batch in loader:
                n, k = batch.shape[0], batch.shape[1]
                torch.softmax(net(batch.view(n * k, 3, 224, 224)), 1).view(n, k, -1).mean(1)

    crops = 10 if ten else 1
    for r in timed(f"{'tencrop' if ten else 'singlecrop'} {len(files)} images", args.iterations, work,
                   len(files), lambda: work(files[:images_per_batch])):
        result("img/s", r)
        result("crops/s", r * crops)


GOLDEN = 0x9E3779B97F4A7C15


def uniform(seed, keys):
    """Uniform numbers in [0, 1) for uint64 keys: SplitMix64's finaliser, top 53 bits (PerfBench's SyntheticFeatures)."""
    z = np.uint64(seed) + (keys + np.uint64(1)) * np.uint64(GOLDEN)  # uint64 arrays wrap around, like Java's long
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def synthetic_features(n=10_000, d=4096, classes=10, seed=12345):
    """The same features as PerfBench's SyntheticFeatures.generate, bit for bit: row i has class i % classes,
    feature j = float32(max(0, mean[class, j] + noise[i, j])), mean uniform with sd 1, noise uniform with sd 2."""
    root3 = np.sqrt(3.0)
    with np.errstate(over="ignore"):
        means = root3 * (2 * uniform(seed, np.arange(classes * d, dtype=np.uint64)) - 1)
        means = means.reshape(classes, d)
        y = np.arange(n) % classes
        x = np.empty((n, d), dtype=np.float32)
        for start in range(0, n, 500):  # in chunks: the uint64 temporaries of all rows would need ~1 GB
            rows = np.arange(start, min(n, start + 500), dtype=np.uint64)
            keys = np.uint64(classes * d) + rows[:, None] * np.uint64(d) + np.arange(d, dtype=np.uint64)[None, :]
            noise = 2 * root3 * (2 * uniform(seed, keys) - 1)
            x[start:start + len(rows)] = np.maximum(0, means[y[start:start + len(rows)]] + noise).astype(np.float32)
    return x, y


def item_logreg(args):
    """L-BFGS (strong Wolfe line search, memory 10) from zero weights on mean cross-entropy + 0.5 * 1e-4 * |W|^2
    (bias not penalised), stopping like finetune4j's LogisticRegression: max-norm of the gradient <= 1e-5, or a
    change of the objective (or of the step) <= 1e-10, or 1000 iterations."""
    x_np, y_np = synthetic_features()
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    l2 = 1e-4

    def work():
        model = nn.Linear(x.shape[1], 10)
        nn.init.zeros_(model.weight)
        nn.init.zeros_(model.bias)
        optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=1000, tolerance_grad=1e-5,
                                      tolerance_change=1e-10, history_size=10, line_search_fn="strong_wolfe")

        def closure():
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y) + 0.5 * l2 * model.weight.pow(2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        with torch.no_grad():
            objective = (nn.functional.cross_entropy(model(x), y) + 0.5 * l2 * model.weight.pow(2).sum()).item()
            accuracy = (model(x).argmax(1) == y).float().mean().item()
        return optimizer.state[optimizer._params[0]]["n_iter"], objective, accuracy

    for _ in range(WARM_UP):
        work()
    for _ in range(args.iterations):
        start = time.perf_counter()
        n_iter, objective, accuracy = work()
        seconds = time.perf_counter() - start
        print(f"  torch logreg: {seconds:.3f} s, {n_iter} iterations, objective {objective:.6f}, "
              f"training accuracy {accuracy:.4f}", file=sys.stderr, flush=True)
        result("seconds", seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--item", required=True, choices=["forward", "featurize", "train-head", "train-block5",
                                                          "tencrop", "singlecrop", "logreg"])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads")
    parser.add_argument("--workers", type=int, default=1, help="DataLoader worker processes")
    parser.add_argument("--iterations", type=int, default=1, help="timed repetitions after the warm-up runs")
    parser.add_argument("--warm-up", type=int, default=2, help="untimed runs before the timed ones")
    parser.add_argument("--images", default="target/perf/images")
    parser.add_argument("--scratch", default="target/perf")
    parser.add_argument("--ten-crop-images", type=int, default=4, help="tencrop runs on the first N images")
    args = parser.parse_args()
    global WARM_UP
    WARM_UP = args.warm_up
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    os.makedirs(args.scratch, exist_ok=True)
    result("backend", f"torch-{torch.__version__}-threads-{torch.get_num_threads()}-"
                      f"mkldnn-{torch.backends.mkldnn.is_available()}")
    {"forward": item_forward, "featurize": item_featurize,
     "train-head": lambda a: item_train(a, False), "train-block5": lambda a: item_train(a, True),
     "tencrop": lambda a: item_crops(a, True), "singlecrop": lambda a: item_crops(a, False),
     "logreg": item_logreg}[args.item](args)
    result("peak-rss-mb", peak_rss_mb())


if __name__ == "__main__":
    main()
