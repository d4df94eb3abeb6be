"""The download path, exercised for real against an HTTP server on 127.0.0.1."""
import dataclasses
import gzip
import hashlib
import io
import os
import socket
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dlcourse.data import REGISTRY, Dataset, DatasetUnavailable, File, cache_dir, fetch
from dlcourse.data.download import ChecksumMismatch, _timeout

MIRROR = Path(os.environ.get("DLCOURSE_DATA_MIRROR")
              or Path(__file__).resolve().parents[2] / "shared" / "data")
BODY = b"hello, dataset\n" * 1000
SLOW_SECONDS = 1.0


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Handler(BaseHTTPRequestHandler):
    """Serves server.routes[path] = (body, behaviours): the n-th request gets behaviours[n]
    (the last one repeats). A behaviour is "ok", "short" (Content-Length larger than the body),
    "cut" (no Content-Length, body cut in half), "slow" (sleeps, then answers) or an HTTP status."""

    def do_GET(self):
        routes, hits = self.server.routes, self.server.hits
        if self.path not in routes:
            self.send_error(404)
            return
        body, behaviours = routes[self.path]
        hits[self.path] = hits.get(self.path, 0) + 1
        behaviour = behaviours[min(hits[self.path], len(behaviours)) - 1]
        try:
            if behaviour == "slow":
                time.sleep(SLOW_SECONDS)
            if isinstance(behaviour, int):
                self.send_error(behaviour)
                return
            self.send_response(200)
            if behaviour != "cut":
                extra = 100 if behaviour == "short" else 0
                self.send_header("Content-Length", str(len(body) + extra))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if behaviour == "cut" else body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up on a slow answer
            pass

    def log_message(self, *args):
        pass


class Server:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.routes, self.httpd.hits = {}, {}
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def serve(self, path: str, body: bytes, *behaviours) -> str:
        self.httpd.routes[path] = (body, behaviours or ("ok",))
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def hits(self, path: str) -> int:
        return self.httpd.hits.get(path, 0)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Every test gets its own cache and no mirror; nothing touches ~/.cache."""
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path / "cache"))
    monkeypatch.delenv("DLCOURSE_DATA_MIRROR", raising=False)
    monkeypatch.delenv("DLCOURSE_TIMEOUT", raising=False)
    monkeypatch.setenv("DLCOURSE_QUIET", "1")
    return tmp_path / "cache"


@pytest.fixture
def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone.txt"


def toy(*urls, body=BODY, name="data.txt", **kw) -> Dataset:
    return Dataset("toy", files=(File(name, sha(body), tuple(urls), **kw),))


def get(dataset, **kw) -> Path:
    kw.setdefault("backoff", 0)
    (path,) = fetch(dataset, **kw).values()
    return path


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith((".part", ".zip"))]


def test_downloads_verifies_then_uses_the_cache(server, isolated):
    url = server.serve("/data.txt", BODY)
    path = get(toy(url))
    assert path == isolated / "toy" / "data.txt"
    assert path.read_bytes() == BODY
    assert get(toy(url)) == path
    assert server.hits("/data.txt") == 1, "a verified cached file must not be downloaded again"
    assert leftovers(isolated) == []


def test_real_mirror_file_over_http(server):
    names = MIRROR / "names" / "names.txt"
    if not names.is_file():
        pytest.skip(f"no dataset mirror at {MIRROR}")
    entry = REGISTRY["names"]
    url = server.serve("/names.txt", names.read_bytes())
    local = dataclasses.replace(entry, files=(dataclasses.replace(entry.files[0], urls=(url,)),))
    path = get(local)
    assert path.read_bytes() == names.read_bytes()
    assert len(path.read_text().split()) == 32033


def test_checksum_mismatch_names_the_file_and_both_hashes(server, isolated):
    wrong = b"not the pinned content\n"
    url = server.serve("/data.txt", wrong)
    with pytest.raises(DatasetUnavailable) as info:
        get(toy(url, changes_upstream="the live file changes; we pin v1"))
    message = str(info.value)
    assert "data.txt" in message and sha(BODY) in message and sha(wrong) in message
    assert "we pin v1" in message
    assert server.hits("/data.txt") == 1, "a complete but wrong file is not worth retrying"
    assert not (isolated / "toy" / "data.txt").exists()
    assert leftovers(isolated) == []


def test_verify_raises_checksum_mismatch_with_expected_and_got(tmp_path):
    from dlcourse.data.download import verify
    path = tmp_path / "data.txt"
    path.write_bytes(b"other")
    with pytest.raises(ChecksumMismatch) as info:
        verify(path, File("data.txt", sha(BODY)))
    assert (info.value.expected, info.value.got) == (sha(BODY), sha(b"other"))


def test_truncated_body_is_detected_and_retried(server):
    url = server.serve("/data.txt", BODY, "short", "ok")
    assert get(toy(url)).read_bytes() == BODY
    assert server.hits("/data.txt") == 2


def test_always_truncated_fails_after_the_attempts(server, isolated):
    url = server.serve("/data.txt", BODY, "short")
    with pytest.raises(DatasetUnavailable, match="truncated"):
        get(toy(url), attempts=3)
    assert server.hits("/data.txt") == 3
    assert not (isolated / "toy" / "data.txt").exists()
    assert leftovers(isolated) == []


def test_cut_body_without_length_fails_its_checksum_and_the_next_url_is_tried(server):
    cut = server.serve("/cut.txt", BODY, "cut")
    good = server.serve("/data.txt", BODY)
    assert get(toy(cut, good)).read_bytes() == BODY
    assert (server.hits("/cut.txt"), server.hits("/data.txt")) == (1, 1)


def test_timeout_then_a_successful_retry(server):
    url = server.serve("/data.txt", BODY, "slow", "ok")
    start = time.monotonic()
    assert get(toy(url), timeout=0.3).read_bytes() == BODY
    assert server.hits("/data.txt") == 2
    assert time.monotonic() - start < SLOW_SECONDS, "the first attempt should have timed out"


def test_timeout_comes_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("DLCOURSE_TIMEOUT", "0.3")
    url = server.serve("/data.txt", BODY, "slow")
    with pytest.raises(DatasetUnavailable, match="timed out"):
        get(toy(url), attempts=1)
    monkeypatch.setenv("DLCOURSE_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="DLCOURSE_TIMEOUT"):
        _timeout(None)


def test_server_error_is_retried_but_not_found_goes_to_the_next_url(server):
    flaky = server.serve("/flaky.txt", BODY, 503, "ok")
    assert get(toy(flaky)).read_bytes() == BODY
    assert server.hits("/flaky.txt") == 2

    missing = server.serve("/missing.txt", BODY, 404)
    good = server.serve("/good.txt", BODY)
    assert get(toy(missing, good, name="other.txt")).read_bytes() == BODY
    assert server.hits("/missing.txt") == 1


def test_no_network_and_no_mirror_says_what_to_do(closed_port_url):
    with pytest.raises(DatasetUnavailable) as info:
        get(toy(closed_port_url, closed_port_url.replace("gone", "also-gone")), attempts=2)
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "'toy'" in message and "data.txt" in message
    assert closed_port_url in message and "also-gone" in message
    assert "DLCOURSE_DATA_MIRROR at a folder holding toy/data.txt" in message  # the mirror layout
    assert "DLCOURSE_DATA chooses the cache folder" in message


def test_real_dataset_without_a_source_names_both_env_vars(monkeypatch, closed_port_url):
    entry = REGISTRY["mnist"]
    offline = dataclasses.replace(entry, files=tuple(
        dataclasses.replace(f, urls=(closed_port_url,)) for f in entry.files))
    with pytest.raises(DatasetUnavailable) as info:
        fetch(offline, ["train-labels-idx1-ubyte.gz"], attempts=1, backoff=0)
    message = str(info.value)
    assert "DLCOURSE_DATA_MIRROR at a folder holding mnist/train-labels-idx1-ubyte.gz" in message
    assert "DLCOURSE_DATA chooses the cache folder" in message


def test_mirror_is_copied_and_verified(tmp_path, monkeypatch, isolated, closed_port_url):
    mirror = tmp_path / "mirror"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "data.txt").write_bytes(BODY)
    monkeypatch.setenv("DLCOURSE_DATA_MIRROR", str(mirror))
    path = get(toy(closed_port_url))
    assert path == isolated / "toy" / "data.txt" and path.read_bytes() == BODY

    (mirror / "toy" / "bad.txt").write_bytes(b"corrupt")
    with pytest.raises(DatasetUnavailable) as info:
        get(toy(name="bad.txt"))
    assert "checksum mismatch for bad.txt" in str(info.value)
    assert str(mirror / "toy" / "bad.txt") in str(info.value)
    assert not (isolated / "toy" / "bad.txt").exists()


def test_real_mirror(monkeypatch, isolated):
    if not (MIRROR / "names" / "names.txt").is_file():
        pytest.skip(f"no dataset mirror at {MIRROR}")
    monkeypatch.setenv("DLCOURSE_DATA_MIRROR", str(MIRROR))
    paths = fetch("names")
    assert paths == {"names.txt": isolated / "names" / "names.txt"}


def test_corrupt_cache_file_is_detected_and_replaced(server, isolated):
    cached = isolated / "toy" / "data.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(BODY[:-5])
    url = server.serve("/data.txt", BODY)
    assert get(toy(url)).read_bytes() == BODY
    assert server.hits("/data.txt") == 1


def test_good_cache_file_is_used_offline_and_left_alone(isolated, closed_port_url):
    cached = isolated / "toy" / "data.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(BODY)
    before = cached.stat().st_mtime_ns
    assert get(toy(closed_port_url)) == cached
    assert cached.stat().st_mtime_ns == before


def test_corrupt_cache_file_survives_a_failed_fetch_under_its_name_only(isolated, closed_port_url):
    cached = isolated / "toy" / "data.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"junk")
    with pytest.raises(DatasetUnavailable, match="checksum mismatch for data.txt"):
        get(toy(closed_port_url), attempts=1)
    assert leftovers(isolated) == []


def test_gz_files_are_verified_by_their_decompressed_content(server):
    payload = bytes(range(256)) * 100
    url1 = server.serve("/a.gz", gzip.compress(payload, compresslevel=9, mtime=0))
    url2 = server.serve("/b.gz", gzip.compress(payload, compresslevel=1, mtime=12345))
    for i, url in enumerate((url1, url2)):
        path = get(toy(url, body=payload, name=f"f{i}.gz"))
        assert gzip.decompress(path.read_bytes()) == payload


def test_zip_member_is_extracted_and_verified(server, isolated):
    pairs = "Hi.\t嗨。\nRun.\t你用跑的。\n".encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_about.txt", "about")
        z.writestr("cmn.txt", pairs)
    url = server.serve("/cmn-eng.zip", archive.getvalue())
    path = get(toy(url, body=pairs, name="cmn.txt", zip_member="cmn.txt"))
    assert path.read_bytes() == pairs
    assert leftovers(isolated) == []


def test_only_the_requested_files(server, isolated):
    a, b = server.serve("/a.txt", b"a"), server.serve("/b.txt", b"b")
    ds = Dataset("pair", files=(File("a.txt", sha(b"a"), (a,)), File("b.txt", sha(b"b"), (b,))))
    assert list(fetch(ds, ["b.txt"], backoff=0)) == ["b.txt"]
    assert (server.hits("/a.txt"), server.hits("/b.txt")) == (0, 1)
    with pytest.raises(KeyError, match="c.txt"):
        fetch(ds, ["c.txt"])
    with pytest.raises(KeyError, match="mnist"):
        fetch("no-such-dataset")


def test_cache_dir_from_env_or_home(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path / "here"))
    assert cache_dir() == tmp_path / "here"
    monkeypatch.delenv("DLCOURSE_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "dlcourse"


def test_registry_matches_the_manifest():
    manifest = MIRROR / "MANIFEST.md"
    if not manifest.is_file():
        pytest.skip(f"no dataset mirror at {MIRROR}")
    text = manifest.read_text()
    for ds in REGISTRY.values():
        for f in ds.files:
            assert f.sha256 in text, f"{ds.name}/{f.name}: checksum not in MANIFEST.md"
            assert (MIRROR / ds.name / f.name).is_file(), f"mirror lacks {ds.name}/{f.name}"
