#!/usr/bin/python3
"""Regenerates the tiny Keras-format VGG weight files and their NumPy reference outputs used by KerasVggWeightsTest.

Run from this folder with Debian's Python (h5py + numpy, no TensorFlow needed):

    /usr/bin/python3 make_tiny_vgg_fixture.py

The network is VGG in miniature, named like Keras's VGG16 and matching
VggArchitecture("tiny-vgg", 16x12x3, convsPerBlock {1, 2}, channels {4, 8}, fcSizes {16, 12}, classes 5):

    input_1 (16x12x3) -> block1_conv1 (4) -> block1_pool -> block2_conv1 (8) -> block2_conv2 (8) -> block2_pool
    -> flatten (4x3x8 = 96, Keras's (h, w, c) order) -> fc1 (16) -> fc2 (12) -> predictions (5, softmax)

The input is deliberately not square, so a loader that confuses height and width in the fc1 row order fails.

Files written (all float32; weights use numpy seed 20240607, the input seed 7):
  tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5        the layout of Keras's
      vgg16_weights_tf_dim_ordering_tf_kernels.h5 (Keras 1 save_weights, TensorFlow dim ordering): root attribute
      layer_names only; one group per layer (weightless layers too) with attribute weight_names; datasets
      <layer>/<layer>_W_1:0 (conv kernel (kh, kw, in, out); dense kernel (in, out)) and <layer>/<layer>_b_1:0
  tiny_vgg_weights_tf_dim_ordering_tf_kernels_notop.h5  the same up to block2_pool, like the _notop file
  tiny_vgg_weights_keras2_layout.h5                     the same weights in the layout of Keras 2 save_weights:
      root attributes layer_names, backend, keras_version; datasets <layer>/<layer>/kernel:0 and .../bias:0
  tiny_vgg_input.npy        the input, NHWC (2, 16, 12, 3), already "preprocessed" (values in [-1, 1])
  tiny_vgg_block2_pool.npy  block2_pool activations, NHWC (2, 4, 3, 8)
  tiny_vgg_fc2.npy          fc2 activations (2, 12)
  tiny_vgg_predictions.npy  softmax outputs (2, 5)

The forward pass below is written independently of any framework: 'same' 3x3 convolution as cross-correlation
(as TensorFlow's conv2d, hence Keras with the TensorFlow backend), ReLU, 2x2/2 max pooling, flatten in (h, w, c)
order, dense layers, softmax; it runs in float64 and the results are stored as float32.
"""
import h5py
import numpy as np

HEIGHT, WIDTH, CHANNELS = 16, 12, 3
BLOCKS = [(1, 4), (2, 8)]  # (convolutions, channels) per block
FC_SIZES = [16, 12]
CLASSES = 5
BATCH = 2


def layer_plan():
    """Keras layer names in model order with their weight shapes ([] for weightless layers)."""
    plan = [("input_1", [])]
    c_in = CHANNELS
    for b, (convs, c_out) in enumerate(BLOCKS, start=1):
        for i in range(1, convs + 1):
            plan.append((f"block{b}_conv{i}", [(3, 3, c_in, c_out), (c_out,)]))
            c_in = c_out
        plan.append((f"block{b}_pool", []))
    reduction = 2 ** len(BLOCKS)
    n_in = (HEIGHT // reduction) * (WIDTH // reduction) * c_in
    plan.append(("flatten", []))
    for f, n_out in enumerate(FC_SIZES, start=1):
        plan.append((f"fc{f}", [(n_in, n_out), (n_out,)]))
        n_in = n_out
    plan.append(("predictions", [(n_in, CLASSES), (CLASSES,)]))
    return plan


def make_weights(plan):
    rng = np.random.RandomState(20240607)
    weights = {}
    for name, shapes in plan:
        if not shapes:
            continue
        kernel_shape, bias_shape = shapes
        fan_in = int(np.prod(kernel_shape[:-1]))
        # He-normal kernels keep activations of order 1 through the ReLUs; non-zero biases so they are tested too
        kernel = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=kernel_shape).astype(np.float32)
        bias = rng.uniform(-0.1, 0.1, size=bias_shape).astype(np.float32)
        weights[name] = (kernel, bias)
    return weights


def conv3x3_same(x, kernel, bias):
    n, h, w, _ = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = np.zeros((n, h, w, kernel.shape[3]))
    for di in range(3):
        for dj in range(3):
            out += np.einsum("nhwc,co->nhwo", padded[:, di:di + h, dj:dj + w, :], kernel[di, dj])
    return out + bias


def max_pool2(x):
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def relu(x):
    return np.maximum(x, 0.0)


def forward(x, weights):
    acts = {}
    for b, (convs, _) in enumerate(BLOCKS, start=1):
        for i in range(1, convs + 1):
            kernel, bias = weights[f"block{b}_conv{i}"]
            x = relu(conv3x3_same(x, kernel.astype(np.float64), bias.astype(np.float64)))
        x = max_pool2(x)
        acts[f"block{b}_pool"] = x
    x = x.reshape(x.shape[0], -1)  # Keras Flatten on NHWC: (h, w, c) order
    for f in range(1, len(FC_SIZES) + 1):
        kernel, bias = weights[f"fc{f}"]
        x = relu(x @ kernel.astype(np.float64) + bias.astype(np.float64))
        acts[f"fc{f}"] = x
    kernel, bias = weights["predictions"]
    logits = x @ kernel.astype(np.float64) + bias.astype(np.float64)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    acts["predictions"] = e / e.sum(axis=1, keepdims=True)
    return acts


def save_keras1(path, plan, weights):
    """Keras 1 save_weights layout, as in the *_tf_dim_ordering_tf_kernels(.notop).h5 files."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.asarray([name.encode("utf8") for name, _ in plan])
        for name, shapes in plan:
            g = f.create_group(name)
            if not shapes:
                g.attrs["weight_names"] = np.asarray([])
                continue
            names = [f"{name}_W_1:0", f"{name}_b_1:0"]
            g.attrs["weight_names"] = np.asarray([n.encode("utf8") for n in names])
            for n, value in zip(names, weights[name]):
                g.create_dataset(n, value.shape, dtype=value.dtype, data=value, track_times=False)


def save_keras2(path, plan, weights):
    """Keras 2 save_weights layout: weight names carry the layer scope, so datasets sit in a nested group."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.asarray([name.encode("utf8") for name, _ in plan])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4"
        for name, shapes in plan:
            g = f.create_group(name)
            if not shapes:
                g.attrs["weight_names"] = np.asarray([])
                continue
            names = [f"{name}/kernel:0", f"{name}/bias:0"]
            g.attrs["weight_names"] = np.asarray([n.encode("utf8") for n in names])
            for n, value in zip(names, weights[name]):
                g.create_dataset(n, value.shape, dtype=value.dtype, data=value, track_times=False)


def main():
    plan = layer_plan()
    weights = make_weights(plan)
    x = np.random.RandomState(7).uniform(-1.0, 1.0, size=(BATCH, HEIGHT, WIDTH, CHANNELS)).astype(np.float32)
    acts = forward(x.astype(np.float64), weights)

    save_keras1("tiny_vgg_weights_tf_dim_ordering_tf_kernels.h5", plan, weights)
    last_pool = f"block{len(BLOCKS)}_pool"
    notop = plan[:[name for name, _ in plan].index(last_pool) + 1]
    save_keras1("tiny_vgg_weights_tf_dim_ordering_tf_kernels_notop.h5", notop, weights)
    save_keras2("tiny_vgg_weights_keras2_layout.h5", plan, weights)

    np.save("tiny_vgg_input.npy", x)
    np.save("tiny_vgg_block2_pool.npy", acts[last_pool].astype(np.float32))
    np.save("tiny_vgg_fc2.npy", acts["fc2"].astype(np.float32))
    np.save("tiny_vgg_predictions.npy", acts["predictions"].astype(np.float32))

    for name in (last_pool, "fc1", "fc2"):
        print(f"{name}: {np.mean(acts[name] > 0):.2f} of activations positive")
    print("predictions:", np.round(acts["predictions"], 4).tolist())


if __name__ == "__main__":
    main()
