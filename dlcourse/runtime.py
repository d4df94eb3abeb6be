"""One call at the top of every lesson: seed everything, pick a device, print a banner."""
from __future__ import annotations

import os
import random
import sys
from contextlib import contextmanager


def in_colab() -> bool:
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(prefer: str | None = None):
    """CUDA if present, then Apple's MPS, then CPU; DLCOURSE_DEVICE or `prefer` overrides."""
    import torch
    choice = prefer or os.environ.get("DLCOURSE_DEVICE")
    if choice:
        return torch.device(choice)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@contextmanager
def one_thread():
    """Run the block with one torch thread, then restore the count: small layers gain nothing
    from a second thread, and on a busy machine two threads mostly wait for each other."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


COLAB_GPU_HINT = ("⚠️  This Colab runtime has no GPU. Lessons run on CPU, but training is faster "
                  "on a GPU: Runtime → Change runtime type → Hardware accelerator: T4 GPU, then "
                  "run the notebook again from the top.")


def setup(seed: int = 0, device: str | None = None, quiet: bool = False):
    """Seed Python, NumPy and PyTorch, pick the device, print a one-line banner; return the device."""
    import torch
    seed_everything(seed)
    dev = pick_device(device)
    threads = os.environ.get("DLCOURSE_THREADS")
    if threads:
        torch.set_num_threads(int(threads))
    if not quiet:
        from . import __version__
        name = torch.cuda.get_device_name(0) if dev.type == "cuda" else dev.type
        print(f"dlcourse {__version__} · torch {torch.__version__} · device {name} · "
              f"{torch.get_num_threads()} threads · seed {seed}")
        if in_colab() and dev.type == "cpu":
            print(COLAB_GPU_HINT)
    return dev
