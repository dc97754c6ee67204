#!/usr/bin/env python3
"""PyTorch peer of `finetune4j train` for org.finetune4j.bench.FineTuneBench: the standard fine-tuning loop of
torchvision's transfer-learning tutorial, on the same folder, with the same split sizes, augmentation and schedule.

    /usr/bin/python3 src/test/python/torch_finetune.py --data target/perf/finetune/data --freeze-until block5_pool \
        --epochs 10 --batch 16 --threads 2 --workers 1 --out target/perf/finetune/torch-model.pt

What it does, as the tutorial does it:
  * ImageFolder-style classes (sorted folder names); per class, 15% validation and 15% test (rounded to the nearest
    image, at least one of each when the class has three or more images), the rest training — the sizes finetune4j's
    default split gives;
  * training view: Resize(256) (short side) -> RandomCrop(224) -> RandomHorizontalFlip -> ToTensor -> Normalize
    (finetune4j's flip-crop recipe), drawn afresh every epoch; evaluation view: Resize(256) -> CenterCrop(224);
  * DataLoader with --workers worker processes, batch --batch, shuffled every epoch;
  * VGG16 with random weights (speed does not depend on the values) loaded from a state_dict file, as
    torchvision loads pretrained weights (--weights FILE; --make-weights FILE writes one and exits), the last
    layer replaced for the classes;
    frozen layers (up to block5_pool: all of `features`; up to block4_pool: `features[:24]`) run under
    torch.no_grad() in eval mode, the rest trains (dropout on) with Adam, learning rate 1e-3;
  * every epoch a validation pass, the best epoch's weights kept (the tutorial's deepcopy of the state_dict); after
    the last epoch those weights back, one test pass, and the model's state_dict saved with torch.save.
Prints `RESULT <key> <value>` lines: seconds (wall, whole script after imports), peak-rss-mb (this process plus the
largest exited DataLoader worker), test-accuracy, train-images, val-images, test-images.
"""
import argparse
import copy
import os
import resource
import sys
import time

T0 = time.time()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torchvision  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402
from torchvision import transforms  # noqa: E402
from PIL import Image  # noqa: E402

MEAN_RGB = [0.485, 0.456, 0.406]
STD_RGB = [0.229, 0.224, 0.225]


def result(key, value):
    print(f"RESULT {key} {value:.6f}" if isinstance(value, float) else f"RESULT {key} {value}", flush=True)


def split(root, seed):
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    g = torch.Generator().manual_seed(seed)
    parts = {"train": [], "val": [], "test": []}
    for k, c in enumerate(classes):
        files = sorted(os.path.join(root, c, f) for f in os.listdir(os.path.join(root, c)))
        order = torch.randperm(len(files), generator=g).tolist()
        files = [files[i] for i in order]
        n = len(files)
        n_val = max(1, round(0.15 * n)) if n >= 3 else 0
        n_test = max(1, round(0.15 * n)) if n >= 3 else 0
        parts["val"] += [(f, k) for f in files[:n_val]]
        parts["test"] += [(f, k) for f in files[n_val:n_val + n_test]]
        parts["train"] += [(f, k) for f in files[n_val + n_test:]]
    return classes, parts


class Files(Dataset):
    def __init__(self, items, transform):
        self.items = items
        self.transform = transform

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, label = self.items[i]
        with Image.open(path) as im:
            return self.transform(im.convert("RGB")), label


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data")
    p.add_argument("--freeze-until", choices=["block5_pool", "block4_pool"])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--out")
    p.add_argument("--weights")
    p.add_argument("--make-weights")
    a = p.parse_args()
    if a.make_weights:
        torch.manual_seed(a.seed)
        torch.save(torchvision.models.vgg16(weights=None).state_dict(), a.make_weights)
        return
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    classes, parts = split(a.data, a.seed)
    normalize = transforms.Normalize(MEAN_RGB, STD_RGB)
    train_tf = transforms.Compose([transforms.Resize(256), transforms.RandomCrop(224),
                                   transforms.RandomHorizontalFlip(), transforms.ToTensor(), normalize])
    eval_tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                                  normalize])
    loaders = {
        "train": DataLoader(Files(parts["train"], train_tf), batch_size=a.batch, shuffle=True,
                            num_workers=a.workers),
        "val": DataLoader(Files(parts["val"], eval_tf), batch_size=a.batch, num_workers=a.workers),
        "test": DataLoader(Files(parts["test"], eval_tf), batch_size=a.batch, num_workers=a.workers),
    }
    vgg = torchvision.models.vgg16(weights=None)
    if a.weights:
        vgg.load_state_dict(torch.load(a.weights))
    vgg.classifier[6] = nn.Linear(4096, len(classes))
    cut = 31 if a.freeze_until == "block5_pool" else 24   # features[:31] is all of it; [:24] ends at block4_pool
    frozen = vgg.features[:cut]
    rest = nn.Sequential(vgg.features[cut:], vgg.avgpool, nn.Flatten(1), vgg.classifier)
    for q in frozen.parameters():
        q.requires_grad = False
    frozen.eval()
    optimizer = torch.optim.Adam([q for q in rest.parameters() if q.requires_grad], lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def evaluate(loader):
        rest.eval()
        hits, n = 0, 0
        with torch.no_grad():
            for x, y in loader:
                out = rest(frozen(x))
                hits += (out.argmax(1) == y).sum().item()
                n += len(y)
        return hits / max(n, 1)

    best_acc, best_wts = -1.0, None
    for epoch in range(a.epochs):
        started = time.time()
        rest.train()
        seen, loss_sum = 0, 0.0
        for x, y in loaders["train"]:
            with torch.no_grad():
                f = frozen(x)
            optimizer.zero_grad()
            loss = loss_fn(rest(f), y)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(y)
            seen += len(y)
        val = evaluate(loaders["val"])
        if val > best_acc:
            best_acc, best_wts = val, copy.deepcopy(vgg.state_dict())
        print(f"epoch {epoch + 1}/{a.epochs} train loss {loss_sum / max(seen, 1):.3f} val acc {val:.3f} "
              f"{time.time() - started:.1f}s", file=sys.stderr, flush=True)
    vgg.load_state_dict(best_wts)
    test = evaluate(loaders["test"])
    torch.save(vgg.state_dict(), a.out)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    result("seconds", time.time() - T0)
    result("peak-rss-mb", own + children)
    result("test-accuracy", test)
    for k in ("train", "val", "test"):
        result(f"{k}-images", len(parts[k]))


if __name__ == "__main__":
    main()
