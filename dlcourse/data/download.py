"""Get a dataset's files onto disk, verified: from the cache, else a mirror, else the internet.

    paths = fetch("names")          # {"names.txt": Path(".../names/names.txt")}

Per file, in order:
  1. the cache (`$DLCOURSE_DATA`, default ~/.cache/dlcourse), if its content checksum is right;
  2. a mirror (`$DLCOURSE_DATA_MIRROR`, one folder per dataset: what classrooms and CI use);
  3. each canonical URL in turn, a few attempts each.
A file lands under its final name only once verified (temp file in the same folder, then
os.replace), so the cache never holds a partial or wrong file under a real name.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import Callable, Iterable

from . import registry
from .registry import Dataset, File

CACHE_ENV = "DLCOURSE_DATA"
MIRROR_ENV = "DLCOURSE_DATA_MIRROR"
TIMEOUT_ENV = "DLCOURSE_TIMEOUT"
QUIET_ENV = "DLCOURSE_QUIET"
DEFAULT_TIMEOUT = 30.0
USER_AGENT = "Mozilla/5.0 (compatible; dlcourse)"  # some hosts refuse urllib's default agent
CHUNK = 1 << 20


class DatasetUnavailable(RuntimeError):
    """No source gave a verified copy of a dataset's file. The message says what to do."""

    def __init__(self, message: str, dataset: str = "", file: str = "",
                 tried: list[str] | None = None):
        super().__init__(message)
        self.dataset, self.file, self.tried = dataset, file, tried or []


class ChecksumMismatch(ValueError):
    def __init__(self, name: str, expected: str, got: str, hint: str = ""):
        msg = f"checksum mismatch for {name}: expected sha256 {expected}, got {got}"
        super().__init__(msg + (f" ({hint})" if hint else ""))
        self.name, self.expected, self.got = name, expected, got


class TruncatedDownload(OSError):
    pass


def cache_dir() -> Path:
    """Where datasets are kept: $DLCOURSE_DATA, else ~/.cache/dlcourse."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "dlcourse"


def content_sha256(path: str | Path, gzipped: bool = False) -> str:
    """SHA-256 of a file's bytes, or of its decompressed bytes when `gzipped`."""
    h = hashlib.sha256()
    with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def verify(path: str | Path, file: File) -> None:
    """Raise ChecksumMismatch unless the content at `path` is the pinned `file`."""
    try:
        got = content_sha256(path, file.gzipped)
    except (OSError, EOFError, zlib.error) as e:  # e.g. a gzip cut short
        got = f"an unreadable file ({e})"
    if got != file.sha256:
        raise ChecksumMismatch(file.name, file.sha256, got, file.changes_upstream)


def fetch(dataset: str | Dataset, files: Iterable[str] | None = None, *,
          cache: str | Path | None = None, mirror: str | Path | None = None,
          timeout: float | None = None, attempts: int = 3, backoff: float = 0.5,
          progress: bool | None = None) -> dict[str, Path]:
    """Return {file name: local path} for a dataset's files (all, or those named in `files`).

    `cache`, `mirror` and `timeout` default to $DLCOURSE_DATA, $DLCOURSE_DATA_MIRROR and
    $DLCOURSE_TIMEOUT (else 30 s). Each URL gets `attempts` tries, sleeping backoff·2^k between.
    Raises DatasetUnavailable when no source gives a verified copy.
    """
    ds = registry.get(dataset) if isinstance(dataset, str) else dataset
    wanted = ds.files if files is None else [ds.file(name) for name in files]
    folder = (Path(cache).expanduser() if cache else cache_dir()) / ds.name
    if mirror is None:
        mirror = os.environ.get(MIRROR_ENV) or None
    timeout = _timeout(timeout)
    if progress is None:
        progress = _show_progress()
    return {f.name: _fetch_file(ds, f, folder, mirror, timeout, attempts, backoff, progress)
            for f in wanted}


def _fetch_file(ds: Dataset, f: File, folder: Path, mirror, timeout: float, attempts: int,
                backoff: float, progress: bool) -> Path:
    target = folder / f.name
    tried = []

    if target.is_file():
        try:
            verify(target, f)
            return target
        except ChecksumMismatch as e:
            tried.append(f"cache {target}: {e}; fetching a fresh copy")
            _say(progress, f"dlcourse: cached {f.name} is corrupt; fetching a fresh copy")
    else:
        tried.append(f"cache {target}: not there")
    folder.mkdir(parents=True, exist_ok=True)

    if mirror:
        source = Path(mirror).expanduser() / ds.name / f.name
        if source.is_file():
            try:
                return _install(target, f, lambda tmp: shutil.copyfile(source, tmp))
            except (OSError, ChecksumMismatch) as e:
                tried.append(f"mirror {source}: {e}")
        else:
            tried.append(f"mirror {source}: no such file")
    else:
        tried.append(f"mirror: {MIRROR_ENV} is not set")

    for url in f.urls:
        for attempt in range(1, attempts + 1):
            try:
                return _install(target, f,
                                lambda tmp: _download_file(url, tmp, f, timeout, progress))
            except ChecksumMismatch as e:  # a complete but different file: retrying won't help
                tried.append(f"{url}: {e}")
                break
            except urllib.error.HTTPError as e:
                if not _retryable(e) or attempt == attempts:
                    tried.append(f"{url}: HTTP {e.code} {e.reason} (attempt {attempt}/{attempts})")
                    break
                error = e
            except (OSError, http.client.HTTPException, zipfile.BadZipFile, KeyError) as e:
                if attempt == attempts:
                    tried.append(f"{url}: {_describe(e)} (after {attempts} attempts)")
                    break
                error = e
            _say(progress, f"dlcourse: {url}: {_describe(error)}; retrying ({attempt}/{attempts})")
            time.sleep(backoff * 2 ** (attempt - 1))

    raise DatasetUnavailable(_unavailable_message(ds, f, target, tried), ds.name, f.name, tried)


def _install(target: Path, f: File, write: Callable[[Path], object]) -> Path:
    """write(tmp) into a temp file next to `target`, verify it, and only then move it in place."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        verify(tmp, f)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a shared classroom cache must be readable
        os.replace(tmp, target)
        return target
    finally:
        tmp.unlink(missing_ok=True)


def _download_file(url: str, dest: Path, f: File, timeout: float, progress: bool) -> None:
    if not f.zip_member:
        _download(url, dest, timeout, progress, f.name)
        return
    archive = dest.with_suffix(".zip")
    try:
        _download(url, archive, timeout, progress, f.name)
        with zipfile.ZipFile(archive) as z, z.open(f.zip_member) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
    finally:
        archive.unlink(missing_ok=True)


def _download(url: str, dest: Path, timeout: float, progress: bool, label: str) -> None:
    from tqdm.auto import tqdm

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        received = 0
        with tqdm(total=expected, desc=label, unit="B", unit_scale=True, unit_divisor=1024,
                  disable=not progress, leave=False) as bar:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    # http.client returns a short body without complaint when the server closes early.
    if expected is not None and received != expected:
        raise TruncatedDownload(f"truncated download: got {received} of {expected} bytes")


def _retryable(e: urllib.error.HTTPError) -> bool:
    return e.code >= 500 or e.code in (408, 429)


def _describe(e: BaseException) -> str:
    if isinstance(e, urllib.error.URLError) and not isinstance(e, urllib.error.HTTPError):
        e = e.reason if isinstance(e.reason, BaseException) else e
    if isinstance(e, TimeoutError):
        return f"timed out ({e})" if str(e) else "timed out"
    return f"{type(e).__name__}: {e}"


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return float(timeout)
    env = os.environ.get(TIMEOUT_ENV)
    if not env:
        return DEFAULT_TIMEOUT
    try:
        return float(env)
    except ValueError:
        raise ValueError(f"{TIMEOUT_ENV}={env!r} is not a number of seconds") from None


def _show_progress() -> bool:
    if os.environ.get(QUIET_ENV, "") not in ("", "0"):
        return False
    return sys.stderr.isatty() or "ipykernel" in sys.modules


def _say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr)


def _unavailable_message(ds: Dataset, f: File, target: Path, tried: list[str]) -> str:
    lines = [f"Could not get dataset {ds.name!r}: no verified copy of {f.name}."]
    if ds.notes:
        lines.append(f"Note: {ds.notes}.")
    lines.append("Tried:")
    lines += [f"  - {t}" for t in tried]
    if not f.urls:
        lines.append("  - (no public URL serves this file)")
    lines += [
        "What to do:",
        f"  - offline (classroom, CI): point {MIRROR_ENV} at a folder holding "
        f"{ds.name}/{f.name} (one folder per dataset, canonical file names), "
        f"e.g. export {MIRROR_ENV}=/path/to/mirror",
        f"  - or put a verified copy at {target} yourself; {CACHE_ENV} chooses the cache folder "
        f"(now {target.parent.parent}, default ~/.cache/dlcourse)",
    ]
    if f.urls:
        lines.append(f"  - online: check your connection or proxy and run again; "
                     f"{TIMEOUT_ENV}=120 gives a slow link more time")
    return "\n".join(lines)
