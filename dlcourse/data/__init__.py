"""Data for the lessons: verified real datasets, their raw-format parsers, and synthetic sets.

    X, y = dlcourse.data.load_mnist("train")          # fetched once, then from the cache
    X, y = dlcourse.data.two_d("spiral", n=400, noise=0.1, seed=0)
    images, masks = dlcourse.data.shapes_segmentation(500, size=32, seed=0)

Datasets come from the cache ($DLCOURSE_DATA, default ~/.cache/dlcourse), else an offline mirror
($DLCOURSE_DATA_MIRROR), else their canonical URLs; every file is checked against a pinned SHA-256.
Importing this package does not import torch.
"""
from .download import DatasetUnavailable, cache_dir, fetch
from .loaders import (load_digits, load_mnist, load_names, load_sentence_pairs, load_sst2,
                      load_tiny_shakespeare)
from .parsers import read_idx, read_pairs, read_text, read_tsv
from .registry import REGISTRY, Dataset, File
from .synthetic import (SHAPE_CLASSES, adding_problem, dates, regression_curve, shapes_detection,
                        shapes_segmentation, two_d)

__all__ = [
    "fetch", "DatasetUnavailable", "cache_dir", "REGISTRY", "Dataset", "File",
    "load_mnist", "load_digits", "load_tiny_shakespeare", "load_names", "load_sentence_pairs",
    "load_sst2", "two_d", "regression_curve", "adding_problem", "dates",
    "shapes_segmentation", "shapes_detection", "SHAPE_CLASSES", "read_idx", "read_text", "read_tsv",
    "read_pairs",
]
