"""Readers for the raw formats the datasets come in: IDX (MNIST), plain text, TSV, Tatoeba pairs.

No pickle: every reader parses bytes it can check.
"""
from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import numpy as np

# IDX header: two zero bytes, a type code, the number of dimensions; then one big-endian uint32
# per dimension, then the payload in row-major order.
IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
             0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes, decompressed if it is gzip (recognised by its magic, not its name)."""
    with open(path, "rb") as f:
        gzipped = f.read(2) == GZIP_MAGIC
    with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as f:
        return f.read()


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a numpy array in native byte order."""
    try:
        data = read_bytes(path)
    except (OSError, EOFError) as e:  # a bad or cut-short gzip stream
        raise ValueError(f"{path}: not a readable IDX file ({e})") from e
    return parse_idx(data, name=str(path))


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES:
        raise ValueError(f"{name}: bad IDX magic number {data[:4].hex() or '(empty)'}; "
                         f"expected 0000 then a type code in "
                         f"{[hex(t) for t in IDX_TYPES]} and the number of dimensions")
    dtype, ndim = IDX_TYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: IDX header says {ndim} dimensions but the file ends "
                         f"after {len(data)} bytes")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    payload = len(data) - header
    if payload != expected:
        raise ValueError(f"{name}: IDX payload is {payload} bytes but shape {shape} of {dtype} "
                         f"needs {expected}: the file is truncated or corrupt")
    array = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable copy in native order


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write `array` as IDX (gzipped when the name ends in .gz). The inverse of read_idx."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {array.dtype}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    data = header + np.ascontiguousarray(array, IDX_TYPES[code]).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)


def read_text(path: str | Path) -> str:
    return Path(path).read_text(encoding="utf-8")


def read_tsv(path: str | Path, header: bool = True) -> list[tuple[str, ...]]:
    """Rows of a tab-separated file as tuples of strings (the header row, if any, is skipped).

    Fields are split on tabs only: no quoting, which is how GLUE's TSVs are written.
    """
    lines = read_text(path).splitlines()
    width = len(lines[0].split("\t")) if header and lines else None
    rows = []
    for number, line in enumerate(lines[1:] if header else lines, start=2 if header else 1):
        if not line:
            continue
        row = tuple(line.split("\t"))
        if width is not None and len(row) != width:
            raise ValueError(f"{path}:{number}: expected {width} tab-separated fields "
                             f"(as in the header), got {len(row)}")
        rows.append(row)
    return rows


def read_pairs(path: str | Path, member: str | None = None) -> list[tuple[str, str]]:
    """Tatoeba pairs, `english<TAB>other[<TAB>attribution]` per line, as (english, other).

    `path` is the .txt, or the zip from manythings.org: then `member` names the .txt inside
    (default: the one .txt that is not `_about.txt`).
    """
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            member = member or _pairs_member(z, path)
            text = io.TextIOWrapper(z.open(member), encoding="utf-8").read()
    else:
        text = read_text(path)
    return parse_pairs(text, name=f"{path}" + (f"!{member}" if member else ""))


def parse_pairs(text: str, name: str = "pairs") -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise ValueError(f"{name}:{number}: expected english<TAB>other[<TAB>attribution], "
                             f"got {line[:80]!r}")
        pairs.append((fields[0], fields[1]))
    return pairs


def _pairs_member(z: zipfile.ZipFile, path) -> str:
    texts = [n for n in z.namelist() if n.endswith(".txt") and not Path(n).name.startswith("_")]
    if len(texts) != 1:
        raise ValueError(f"{path}: expected one sentence-pairs .txt in the zip, found {texts}")
    return texts[0]
