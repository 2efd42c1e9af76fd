"""Training speed of nnlib against PyTorch (CPU) and scikit-learn, measured in one run.

Each configuration trains the same MLP (ReLU hidden layer, softmax output, cross-entropy)
on the same data, with plain SGD (same learning rate, no momentum, no weight decay), the same
batch size and the same number of epochs, in all three libraries. It prints the time per
epoch (best of --repeats runs, interleaved so that the machine's load hits all three alike),
the final test accuracy, and nnlib's time as a ratio of each peer's.

    python benchmarks/train_speed.py [--threads 1] [--dtype float64] [--repeats 3] [--clock cpu]

Fairness: every library gets the same number of BLAS/intra-op threads (threadpoolctl for
numpy and scikit-learn, torch.set_num_threads for PyTorch); PyTorch starts from nnlib's
initial weights; scikit-learn draws its own Glorot weights (it offers no way to set them).
"""

import argparse
import os
import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

from nnlib import Dense, ReLU, Sequential, Softmax, accuracy, fit, one_hot
from nnlib.data import StandardScaler, load_digits, train_val_test_split

# What to time: CPU time of this process by default, because on a shared machine wall time
# mostly measures the other processes; with one thread per library, CPU time is the work done.
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


@dataclass
class Config:
    """One benchmark: a data set, the layer sizes (n_in, hidden, k) and the SGD settings."""

    name: str
    sizes: tuple
    batch_size: int
    epochs: int
    lr: float


def digits_data():
    """The 8×8 digits, 80/20 train/test, z-scored with the training statistics."""
    (Xtr, ytr), _, (Xte, yte) = train_val_test_split(*load_digits(), val=0.0, test=0.2, seed=0)
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), ytr, scaler.transform(Xte), yte


def synthetic_data(m_train=10_000, m_test=2_000, n=784, k=10, seed=0):
    """Ten Gaussian classes in 784 dimensions: x = centre[y] + N(0, 1), the centres drawn
    N(0, 0.1²) per coordinate so that the classes overlap a little."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 0.1, size=(k, n))
    y = rng.integers(0, k, m_train + m_test)
    X = centres[y] + rng.normal(size=(m_train + m_test, n))
    return X[:m_train], y[:m_train], X[m_train:], y[m_train:]


def train_nnlib(config, data, dtype, clock):
    """Train with nnlib.fit. Returns (seconds, test accuracy, the initial weights)."""
    Xtr, ytr, Xte, yte = data
    n_in, hidden, k = config.sizes
    rng = np.random.default_rng(0)
    net = Sequential(
        [
            Dense(n_in, hidden, rng=rng, dtype=dtype),
            ReLU(),
            Dense(hidden, k, rng=rng, dtype=dtype),
            Softmax(),
        ]
    )
    initial = [value.copy() for _, value, _ in net.parameters()]
    Y = one_hot(ytr, k).astype(dtype)
    start = clock()
    fit(net, Xtr, Y, loss="cce", lr=config.lr, epochs=config.epochs, batch_size=config.batch_size)
    seconds = clock() - start
    return seconds, accuracy(yte, net.predict(Xte)), initial


def train_torch(config, data, dtype, initial, clock):
    """Train the same net in PyTorch from the same initial weights, the usual loop."""
    Xtr, ytr, Xte, yte = data
    n_in, hidden, k = config.sizes
    tdtype = getattr(torch, np.dtype(dtype).name)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(n_in, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, k)
    )
    with torch.no_grad():
        for param, value in zip(net.parameters(), initial, strict=True):
            # nnlib stores W as (n_in, n_out); torch.nn.Linear as (n_out, n_in)
            param.copy_(torch.from_numpy(value.T.copy() if value.ndim == 2 else value))
    net = net.to(tdtype)
    X, y = torch.from_numpy(Xtr), torch.from_numpy(ytr)
    optimizer = torch.optim.SGD(net.parameters(), lr=config.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)
    start = clock()
    for _ in range(config.epochs):
        order = torch.randperm(len(y), generator=generator)
        for i in range(0, len(y), config.batch_size):
            idx = order[i : i + config.batch_size]
            optimizer.zero_grad()
            loss_fn(net(X[idx]), y[idx]).backward()
            optimizer.step()
    seconds = clock() - start
    with torch.no_grad():
        predicted = net(torch.from_numpy(Xte)).argmax(dim=1).numpy()
    return seconds, accuracy(yte, predicted)


def train_sklearn(config, data, clock):
    """Train scikit-learn's MLPClassifier with plain SGD for exactly ``epochs`` epochs."""
    Xtr, ytr, Xte, yte = data
    _, hidden, _ = config.sizes
    clf = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        activation="relu",
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=config.lr,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=config.batch_size,
        max_iter=config.epochs,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=config.epochs + 1,  # never stop early: run every epoch
        early_stopping=False,
        random_state=0,
    )
    start = clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(Xtr, ytr)
    seconds = clock() - start
    assert clf.n_iter_ == config.epochs, clf.n_iter_
    return seconds, accuracy(yte, clf.predict(Xte))


def run(config, data, dtype, repeats, clock):
    """Best-of-``repeats`` seconds per epoch and the test accuracy, for each library."""
    data = tuple(a.astype(dtype) if a.dtype.kind == "f" else a for a in data)
    best = {"nnlib": np.inf, "PyTorch": np.inf, "scikit-learn": np.inf}
    acc = {}
    for _ in range(repeats):
        seconds, acc["nnlib"], initial = train_nnlib(config, data, dtype, clock)
        best["nnlib"] = min(best["nnlib"], seconds)
        seconds, acc["PyTorch"] = train_torch(config, data, dtype, initial, clock)
        best["PyTorch"] = min(best["PyTorch"], seconds)
        seconds, acc["scikit-learn"] = train_sklearn(config, data, clock)
        best["scikit-learn"] = min(best["scikit-learn"], seconds)
    return {lib: (best[lib] / config.epochs, acc[lib]) for lib in best}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS / intra-op threads for all three"
    )
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per library; the fastest counts"
    )
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="what to time")
    args = parser.parse_args()
    dtype = np.dtype(args.dtype)

    torch.set_num_threads(args.threads)
    threadpool_limits(limits=args.threads)
    blas = ", ".join(sorted({f"{i['internal_api']}={i['num_threads']}" for i in threadpool_info()}))
    print(f"cores: {os.cpu_count()}")
    print(f"threads: numpy and scikit-learn {blas}; PyTorch {torch.get_num_threads()}")
    print(f"dtype: {dtype.name}; plain SGD (no momentum, no weight decay)")
    print(f"time: {args.clock} time per epoch, best of {args.repeats} runs\n")

    configs = [
        (Config("digits 64-32-10", (64, 32, 10), batch_size=32, epochs=30, lr=0.1), digits_data()),
        (
            Config("synthetic 784-128-10", (784, 128, 10), batch_size=128, epochs=10, lr=0.05),
            synthetic_data(),
        ),
    ]
    row = "{:<22} {:>5} {:>6}  {:<13} {:>9} {:>8}  {:>12}"
    header = row.format(
        "configuration", "batch", "epochs", "library", "ms/epoch", "test acc", "nnlib / peer"
    )
    print(header)
    print("-" * len(header))
    for config, data in configs:
        results = run(config, data, dtype, args.repeats, CLOCKS[args.clock])
        ours = results["nnlib"][0]
        for lib, (per_epoch, acc) in results.items():
            ratio = "" if lib == "nnlib" else f"{ours / per_epoch:.2f}"
            print(
                row.format(
                    config.name,
                    config.batch_size,
                    config.epochs,
                    lib,
                    f"{per_epoch * 1000:.2f}",
                    f"{acc:.3f}",
                    ratio,
                )
            )
        print()


if __name__ == "__main__":
    main()
