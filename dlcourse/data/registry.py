"""The datasets the course uses: where each file comes from and what its content must hash to.

Entries are plain data. A test (or a lesson with its own data) can build a `Dataset` and hand it to
`fetch` like any registered one.

Checksums are SHA-256 of the *content*: for a `.gz` file, of the decompressed bytes (the gzip
wrapper differs between mirrors, the payload does not); for anything else, of the file itself.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class File:
    name: str                      # canonical file name, as in the mirror and the cache
    sha256: str                    # of the content (decompressed bytes for .gz)
    urls: tuple[str, ...] = ()     # canonical download locations, tried in order
    size: int | None = None        # bytes of the file as stored (informative)
    zip_member: str | None = None  # the URLs serve a zip archive; this member is the file
    changes_upstream: str = ""     # said when a download's checksum differs: the pinned version

    @property
    def gzipped(self) -> bool:
        return self.name.endswith(".gz")


@dataclass(frozen=True)
class Dataset:
    name: str                      # also its folder in the cache and in a mirror
    files: tuple[File, ...]
    source: str = ""
    license: str = ""
    notes: str = ""

    def file(self, name: str) -> File:
        for f in self.files:
            if f.name == name:
                return f
        raise KeyError(f"dataset {self.name!r} has no file {name!r}; "
                       f"it has {[f.name for f in self.files]}")


def _mnist_file(name: str, size: int, sha256: str) -> File:
    urls = (f"https://ossci-datasets.s3.amazonaws.com/mnist/{name}",
            f"http://yann.lecun.com/exdb/mnist/{name}")
    return File(name, sha256, urls, size)


_TATOEBA = ("the live file at manythings.org is updated over time; dlcourse verifies the version "
            "it pinned ({}). Use the course's mirror (DLCOURSE_DATA_MIRROR) to get that version")

_DATASETS = [
    Dataset(
        "mnist",
        files=(
            _mnist_file("train-images-idx3-ubyte.gz", 9719438,
                        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            _mnist_file("train-labels-idx1-ubyte.gz", 28881,
                        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            _mnist_file("t10k-images-idx3-ubyte.gz", 1648877,
                        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            _mnist_file("t10k-labels-idx1-ubyte.gz", 4542,
                        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ),
        source="MNIST handwritten digits (LeCun, Cortes, Burges)",
        license="CC BY-SA 3.0",
    ),
    Dataset(
        "tinyshakespeare",
        files=(File("input.txt", "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                    ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/"
                     "tinyshakespeare/input.txt",), 1115394),),
        source="tiny Shakespeare, from Karpathy's char-rnn",
        license="public-domain text",
    ),
    Dataset(
        "names",
        files=(File("names.txt", "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d",
                    ("https://raw.githubusercontent.com/karpathy/makemore/master/names.txt",),
                    228145),),
        source="32,033 names, from Karpathy's makemore",
        license="MIT",
    ),
    Dataset(
        "cmn-eng",
        files=(File("cmn.txt", "74bd3c04dfe0ec75aaaf165597b2a83c6a733d34f46b184fc21ca6b552c268d3",
                    ("http://www.manythings.org/anki/cmn-eng.zip",), 1259882,
                    zip_member="cmn.txt",
                    changes_upstream=_TATOEBA.format("20,133 pairs")),),
        source="English–Chinese sentence pairs, Tatoeba via manythings.org/anki",
        license="CC BY 2.0 (attribution: www.manythings.org/anki and tatoeba.org)",
    ),
    Dataset(
        "fra-eng",
        # The zip itself is pinned; its member fra.txt has content
        # sha256 2546838ae46e0eac4c02ab7032ea0a02a006074a5340077a36a9444f41e02888.
        files=(File("fra-eng.zip",
                    "16c4f7d0df9e7c5e6c54cdb0447f3f4a18a55052ff5e2e0b27dd4a06c0e49d04",
                    ("http://www.manythings.org/anki/fra-eng.zip",), 2951390,
                    changes_upstream=_TATOEBA.format("release 2017-09-29, 142,787 pairs")),),
        source="English–French sentence pairs, Tatoeba via manythings.org/anki",
        license="CC BY 2.0 (attribution: www.manythings.org/anki and tatoeba.org)",
    ),
    Dataset(
        "sst2",
        files=(
            File("train.tsv", "920e317b2c52e12cd22db1da2c6708312bd7dc4f3712b9bbf1b50ee6c2c792ba",
                 size=3422882),
            File("dev.tsv", "92353770071a2a889f75d000a38a9e541ea8f0a5499e50f040b17917a5cbf66f",
                 size=383214),
            File("test.tsv", "54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0",
                 size=94931),
        ),
        source="SST-2 sentiment (GLUE), `sentence<TAB>label` with a header row",
        license="see GLUE / Stanford Sentiment Treebank",
        notes=("a pinned split: train and dev re-split GLUE's 67,349 training rows, test is GLUE's "
               "labelled dev set; no public URL serves these files, they come from a mirror"),
    ),
]

REGISTRY: dict[str, Dataset] = {d.name: d for d in _DATASETS}


def get(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(REGISTRY)}") from None
