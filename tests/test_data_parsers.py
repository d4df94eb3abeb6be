import gzip
import struct
import zipfile

import numpy as np
import pytest

from dlcourse.data.parsers import read_idx, read_pairs, read_text, read_tsv, write_idx


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype,shape", [("u1", (5, 4, 3)), ("i1", (7,)), ("i2", (2, 3)),
                                         ("i4", (3, 2)), ("f4", (2, 2, 2, 2)), ("f8", (4,))])
def test_idx_round_trip(tmp_path, suffix, dtype, shape):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal(shape) * 100).astype(dtype)
    path = tmp_path / f"a.idx{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == shape
    np.testing.assert_array_equal(back, array)
    back[...] = 0  # a writable array in native order, not a view of the file's bytes


def test_idx_hand_written_header_like_mnist_labels(tmp_path):
    labels = bytes([5, 0, 4, 1, 9])
    path = tmp_path / "labels.idx1-ubyte"
    path.write_bytes(struct.pack(">HBBI", 0, 0x08, 1, len(labels)) + labels)
    np.testing.assert_array_equal(read_idx(path), [5, 0, 4, 1, 9])
    # big-endian int32, as the format specifies
    ints = tmp_path / "ints.idx"
    ints.write_bytes(struct.pack(">HBBII", 0, 0x0C, 2, 1, 2) + struct.pack(">ii", -1, 258))
    np.testing.assert_array_equal(read_idx(ints), [[-1, 258]])


def test_idx_is_gzip_by_content_not_name(tmp_path):
    path = tmp_path / "no-suffix"
    path.write_bytes(gzip.compress(struct.pack(">HBBI", 0, 8, 1, 2) + b"\x01\x02"))
    np.testing.assert_array_equal(read_idx(path), [1, 2])


@pytest.mark.parametrize("data,message", [
    (b"", "magic"),
    (b"\x08\x03\x00\x00" + b"\x00" * 20, "magic"),             # bytes out of order
    (struct.pack(">HBB", 0, 0x42, 1) + b"\x00" * 8, "magic"),  # unknown type code
    (struct.pack(">HBB", 0, 8, 3) + b"\x00" * 5, "3 dimensions"),
    (struct.pack(">HBBIII", 0, 8, 3, 2, 28, 28) + b"\x00" * (2 * 28 * 28 - 1), "truncated"),
    (struct.pack(">HBBI", 0, 8, 1, 2) + b"\x00" * 3, "truncated"),  # extra bytes
])
def test_corrupt_idx_raises_value_error(tmp_path, data, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message):
        read_idx(path)


def test_cut_short_gzip_raises_value_error(tmp_path):
    path = tmp_path / "cut.idx.gz"
    write_idx(path, np.arange(1000, dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match="cut.idx.gz"):
        read_idx(path)


def test_read_text_is_utf8(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("残差连接 residual\n".encode("utf-8"))
    assert read_text(path) == "残差连接 residual\n"


def test_read_tsv(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("sentence\tlabel\na fine film , \t1\nit 's \"bad\"\t0\n\n", encoding="utf-8")
    assert read_tsv(path) == [("a fine film , ", "1"), ('it \'s "bad"', "0")]
    assert read_tsv(path, header=False)[0] == ("sentence", "label")


def test_read_tsv_rejects_a_ragged_row(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("sentence\tlabel\ngood\t1\nno label here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":3: expected 2 .* got 1"):
        read_tsv(path)


PAIRS_TEXT = ("Hi.\t嗨。\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123 (CM)\n"
              "Run.\t你用跑的。\n")
PAIRS = [("Hi.", "嗨。"), ("Run.", "你用跑的。")]


def test_read_pairs_from_txt(tmp_path):
    path = tmp_path / "cmn.txt"
    path.write_text(PAIRS_TEXT, encoding="utf-8")
    assert read_pairs(path) == PAIRS


def test_read_pairs_from_the_zip(tmp_path):
    path = tmp_path / "cmn-eng.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_about.txt", "** Info **\n")
        z.writestr("cmn.txt", PAIRS_TEXT.encode("utf-8"))
    assert read_pairs(path) == PAIRS
    assert read_pairs(path, member="cmn.txt") == PAIRS


def test_read_pairs_rejects_a_line_without_a_tab(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Hi.\t嗨。\njust english\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.txt:2"):
        read_pairs(path)
