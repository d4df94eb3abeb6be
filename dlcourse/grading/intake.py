"""Find and normalise submissions: what an instructor downloads, to one notebook per student.

Accepted shapes (SUBMISSIONS is a folder, or a .zip of any of them):

    alice.ipynb, bob.ipynb, ...               a folder of <student>.ipynb
    alice/A01-autograd.ipynb, bob/any.ipynb   a folder per student (any depth below it)
    alice_12345_A01-autograd.ipynb            LMS style, flat: <student>_<number(s)>_<file name>
                                              (Canvas: name_userid_subid_file, "_late_" allowed;
                                              Moodle: Full Name_123_assignsubmission_file_<file>,
                                              as a flat file or as a folder name)

Student ids are normalised: lower case, runs of anything but letters, digits, '.' and '-' become
'_' ("Alice Smith" -> "alice_smith"). A copy suffix ("alice (1).ipynb") and the assignment's name or
id around the student ("alice_A01-autograd.ipynb", "A01-bob.ipynb") are dropped. A file whose name
says nothing about the student (a bare "A01-autograd.ipynb" at the top) is skipped and reported.

A name that cannot be read safely is reported and not graded: an LMS-style name whose student part
is the assignment itself ("A01_3_alice.ipynb": is the student "a01"?), and files that read as one
student but carry different LMS numbers ("hw_1_alice.ipynb", "hw_2_bob.ipynb": two students, not
two versions of "hw"). A zip entry that cannot be read (a bad CRC, a header that lies about its
size) is recorded for its student as not gradable (flag "invalid"); the other entries are read.

Per student, the newest notebook wins (file mtime, or the zip entry's date); the others are
reported (flag "duplicate"). A notebook not named <assignment>.ipynb where the name should be the
assignment's (a student folder, an LMS name) is accepted and flagged "renamed". Without any .ipynb,
the student's newest file is recorded as not gradable (flag "invalid", score 0), as is a .ipynb that
is not valid JSON or not a notebook. Nothing here executes or imports a submission.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

from .course import checksum, grade_id, nbgrader_meta

JUNK = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", "Thumbs.db", "desktop.ini", ".DS_Store",
        "timestamp.txt"}
MAX_FILE = 100 * 2**20          # a notebook larger than this is not graded
MAX_ZIP_TOTAL = 4 * 2**30       # stop extracting an archive past this (zip bombs)
_COPY = re.compile(r"(?: \(\d+\)|-\d{1,2})$")          # "x (1)", Canvas' resubmission "x-1"
_COPY_PLAIN = re.compile(r" \(\d+\)$")                   # "alice (1).ipynb": a second download
_LMS_FILE = re.compile(
    r"^(?P<student>.+?)_(?:late_)?(?P<id>\d+)(?:_\d+)*(?:_assignsubmission_[a-z]+)?_(?P<file>.+)$", re.I)
_LMS_DIR = re.compile(r"^(?P<student>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_?$", re.I)
BROKEN = ".broken-zip-entry"    # the placeholder left where a zip entry could not be read


@dataclass(frozen=True)
class Flag:
    code: str       # late | renamed | duplicate | edited-test | deleted-test | invalid | foreign | ...
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


@dataclass
class Submission:
    student: str
    path: Path                  # the chosen file, on disk (extracted when it came from a zip)
    origin: str                 # where it came from, as the instructor would name it
    timestamp: datetime         # aware: mtime, or the zip entry's date (local time)
    sha256: str = ""
    notebook: dict | None = None
    problem: str = ""           # why it cannot be graded ("" when it can)
    flags: list[Flag] = field(default_factory=list)

    @property
    def gradable(self) -> bool:
        return not self.problem


@dataclass
class Intake:
    submissions: dict[str, Submission]
    skipped: list[tuple[str, str]]      # (origin, why)


# ------------------------------------------------------------------------------------------ names

def normalise_student(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name.strip()).strip("._-").lower()


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "-", text.strip().lower())


def is_assignment_file(filename: str, assignment: str) -> bool:
    """'A01-autograd.ipynb', 'a01_autograd (1).ipynb', 'A01.ipynb' -> True for A01-autograd."""
    stem = _COPY.sub("", Path(filename).stem)
    return _key(stem) in {_key(assignment), _key(assignment.split("-")[0])}


def _strip_assignment(stem: str, assignment: str) -> str:
    for token in (assignment, assignment.split("-")[0]):
        pattern = re.escape(_key(token)).replace(r"\-", r"[\s_\-]+")
        stem = re.sub(rf"^(?:{pattern})[\s_\-]+(?=.)|(?<=.)[\s_\-]+(?:{pattern})$", "", stem, flags=re.I)
    return stem


def parse_flat(filename: str, assignment: str) -> tuple[str | None, str | None]:
    """A top-level file's (student, the file name the student gave it) -- None for the second when
    the name is the plain <student>.ipynb convention, None for the first when the name does not say
    whose it is."""
    stem, suffix = Path(filename).stem, Path(filename).suffix
    m = _LMS_FILE.match(filename)
    if m:
        return normalise_student(m["student"]) or None, m["file"]
    if is_assignment_file(filename, assignment):
        return None, None
    stem = _strip_assignment(_COPY_PLAIN.sub("", stem), assignment)
    if not stem or is_assignment_file(stem + suffix, assignment):
        return None, None
    return normalise_student(stem) or None, None


def parse_folder(name: str) -> str | None:
    m = _LMS_DIR.match(name)
    return normalise_student(m["student"] if m else name) or None


def lms_number(name: str, folder: bool = False) -> str | None:
    """The LMS's number for the student in an LMS-style name (Canvas' user id, Moodle's
    participant id), or None for a plain name."""
    m = (_LMS_DIR if folder else _LMS_FILE).match(name)
    return m["id"] if m else None


def names_the_assignment(student: str, assignment: str) -> bool:
    """Whether a student id read from a name is in fact the assignment ("a01", "a01-autograd")."""
    return _key(student) in {_key(assignment), _key(assignment.split("-")[0])}


# ------------------------------------------------------------------------------------------- files

def _junk(part: str) -> bool:
    return part in JUNK or part.startswith(".") or part.startswith("~$")


def _files(folder: Path):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not _junk(d))
        for name in sorted(filenames):
            if not _junk(name):
                yield Path(dirpath) / name


def extract_zip(archive: Path, dest: Path) -> tuple[Path, list[tuple[str, str]]]:
    """Extract `archive` into `dest` safely: no absolute or '..' paths, no links, size caps; each
    file keeps its entry's date as mtime. An entry that cannot be read (bad CRC, a size that does
    not match its data, an unknown compression) leaves a placeholder, `<name>` + BROKEN holding
    why, so that its student is reported. Returns the folder to read (descending into a lone
    wrapper folder) and the entries skipped, with why."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    skipped, total = [], 0
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.is_dir() or not parts:
                continue
            where = f"{archive.name}:{info.filename}"
            if parts[0] == "/" or ".." in parts or re.match(r"^[A-Za-z]:", parts[0]):
                skipped.append((where, "unsafe path in the archive"))
                continue
            if any(_junk(p) for p in parts):
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                skipped.append((where, "a symbolic link"))
                continue
            if info.file_size > MAX_FILE or total + info.file_size > MAX_ZIP_TOTAL:
                skipped.append((where, f"too large ({info.file_size / 2**20:.0f} MB)"))
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            stamp = time.mktime(info.date_time + (0, 0, -1))
            n = 0
            try:
                with zf.open(info) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 20):
                        n += len(chunk)
                        if n > MAX_FILE:
                            break
                        out.write(chunk)
            except Exception as exc:  # noqa: BLE001  (BadZipFile, zlib.error, EOFError, ...)
                target.unlink(missing_ok=True)
                broken = target.with_name(target.name + BROKEN)
                broken.write_text(f"{type(exc).__name__}: {exc}"[:300], encoding="utf-8")
                os.utime(broken, (stamp, stamp))
                continue
            if n > MAX_FILE:
                target.unlink()
                skipped.append((where, "too large"))
                continue
            total += n
            os.utime(target, (stamp, stamp))
    return _unwrap(dest), skipped


def _unwrap(root: Path) -> Path:
    """Descend into a lone wrapper folder ("submissions/alice/x.ipynb"), but not into a lone student
    folder ("alice/A01-autograd.ipynb")."""
    while True:
        entries = [p for p in root.iterdir() if not _junk(p.name)]
        if len(entries) != 1 or not entries[0].is_dir():
            return root
        inner = [p for p in entries[0].iterdir() if not _junk(p.name)]
        if any(p.is_dir() for p in inner) or len(inner) > 1:
            root = entries[0]
        else:
            return root


# ------------------------------------------------------------------------------------- the checks

def read_notebook(path: Path) -> tuple[dict | None, str]:
    """(notebook, "") or (None, why it is not one)."""
    if path.suffix.lower() != ".ipynb":
        return None, f"not a notebook ({path.name})"
    if path.stat().st_size > MAX_FILE:
        return None, f"too large ({path.stat().st_size / 2**20:.0f} MB)"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "not valid JSON (not UTF-8 text)"
    try:
        nb = json.loads(text)
    except ValueError as exc:
        return None, f"not valid JSON ({exc})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "not a Jupyter notebook (no list of cells)"
    if not isinstance(nb.get("nbformat"), int) or nb["nbformat"] < 4:
        return None, f"not a version 4 notebook (nbformat {nb.get('nbformat')!r})"
    bad = [i for i, c in enumerate(nb["cells"]) if not isinstance(c, dict) or "cell_type" not in c
           or not isinstance(c.get("source", ""), (str, list))]
    if bad:
        return None, f"not a Jupyter notebook (cell {bad[0]} is malformed)"
    try:  # what nbgrader will do with it: nbformat reads (and repairs what it can) or refuses
        import warnings

        import nbformat

        with warnings.catch_warnings():  # a repairable problem (a missing cell id) only warns
            warnings.simplefilter("ignore")
            nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001  (nbformat's ValidationError, and whatever a broken file raises)
        why = str(exc).strip().splitlines()
        return None, f"not a valid notebook ({why[0][:200] if why else type(exc).__name__})"
    return nb, ""


def locked_changes(nb: dict, release: dict) -> tuple[list[str], list[str]]:
    """The release's locked cells (tests and their setup) that the submission changed, and those it
    deleted, compared by nbgrader checksum. nbgrader restores both when it autogrades."""
    theirs = {}
    for cell in nb["cells"]:
        gid = grade_id(cell) if isinstance(cell.get("metadata"), dict) else None
        if gid:
            theirs.setdefault(gid, cell)
    edited, deleted = [], []
    for cell in release["cells"]:
        meta = nbgrader_meta(cell)
        if not meta.get("locked"):
            continue
        gid = meta["grade_id"]
        if gid not in theirs:
            deleted.append(gid)
            continue
        try:
            same = checksum(theirs[gid]) == meta.get("checksum", checksum(cell))
        except (KeyError, TypeError, ValueError):
            same = False
        if not same:
            edited.append(gid)
    return edited, deleted


def human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


# ----------------------------------------------------------------------------------------- collect

@dataclass
class _Candidate:
    path: Path
    origin: str
    given_name: str | None     # the file name the student gave it (None: plain <student>.ipynb)
    expect_named: bool         # whether that name should be the assignment's
    timestamp: datetime
    lms: str | None = None     # the LMS's number for the student, when the name has one
    broken: str = ""           # why the file could not be read from its archive


def collect(source: Path, assignment: str, release: dict, scratch: Path,
            deadline: datetime | None = None) -> Intake:
    """Every student's submission in `source` (a folder or a .zip), checked against the release."""
    source = Path(source)
    skipped: list[tuple[str, str]] = []
    prefix = ""
    if source.is_file() and zipfile.is_zipfile(source):
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
        folder, skipped = extract_zip(source, Path(scratch) / f"{source.stem}-{digest}")
        prefix = f"{source.name}:"
    elif source.is_dir():
        folder = source
    else:
        raise FileNotFoundError(f"{source}: not a folder or a .zip of submissions")

    def stamp(path: Path) -> datetime:
        return datetime.fromtimestamp(path.stat().st_mtime).astimezone()

    def origin(path: Path) -> str:
        return prefix + str(path.relative_to(folder))

    def candidate(path: Path, given: str | None, named: bool, lms: str | None) -> _Candidate:
        if path.name.endswith(BROKEN):
            real = path.with_name(path.name[: -len(BROKEN)])
            if given and given.endswith(BROKEN):
                given = given[: -len(BROKEN)]
            return _Candidate(real, origin(real), given, named, stamp(path), lms,
                              path.read_text(encoding="utf-8", errors="replace"))
        return _Candidate(path, origin(path), given, named, stamp(path), lms)

    candidates: dict[str, list[_Candidate]] = {}
    rename = "name it <student>.ipynb or put it in a <student>/ folder"
    for entry in sorted(folder.iterdir()):
        if _junk(entry.name):
            continue
        if entry.is_dir():
            student = parse_folder(entry.name)
            files = list(_files(entry))
            if not student:
                skipped.append((origin(entry), "cannot tell whose submission this is"))
                continue
            if not files:
                skipped.append((origin(entry), "an empty folder"))
                continue
            lms = lms_number(entry.name, folder=True)
            for f in files:
                candidates.setdefault(student, []).append(candidate(f, f.name, True, lms))
        elif entry.is_file():
            name = entry.name[: -len(BROKEN)] if entry.name.endswith(BROKEN) else entry.name
            student, given = parse_flat(name, assignment)
            if not student:
                skipped.append((origin(entry.with_name(name)),
                                f"cannot tell whose submission this is: {rename}"))
                continue
            lms = lms_number(name)
            if lms is not None and names_the_assignment(student, assignment):
                skipped.append((origin(entry.with_name(name)),
                                f"ambiguous name: read as student {student!r} (<student>_<number>_"
                                f"<file>), which is the assignment's name; {rename}"))
                continue
            candidates.setdefault(student, []).append(candidate(entry, given, given is not None, lms))
    for student, cands in list(candidates.items()):
        numbers = sorted({c.lms for c in cands if c.lms is not None})
        if len(numbers) > 1:   # one name, several LMS users: never merge them into one student
            del candidates[student]
            for c in cands:
                skipped.append((c.origin, f"ambiguous name: {len(cands)} files read as student "
                                          f"{student!r} with different LMS numbers "
                                          f"({', '.join(numbers)}): several students? {rename}"))

    out: dict[str, Submission] = {}
    for student, cands in sorted(candidates.items()):
        notebooks = [c for c in cands if c.path.suffix.lower() == ".ipynb"]
        pool = notebooks or cands
        # newest first; on a tie, the one named like the assignment
        pool.sort(key=lambda c: (c.timestamp, c.given_name is None or
                                 is_assignment_file(c.given_name, assignment), c.origin), reverse=True)
        chosen = pool[0]
        if chosen.expect_named:  # nbgrader's own submitted/<student>/<A>/ layout has the time
            chosen.timestamp = _nbgrader_timestamp(chosen.path.parent) or chosen.timestamp
        content = (chosen.broken.encode() if chosen.broken else chosen.path.read_bytes())
        sub = Submission(student, chosen.path, chosen.origin, chosen.timestamp,
                         hashlib.sha256(content).hexdigest())
        if len(pool) > 1:
            others = ", ".join(c.origin for c in pool[1:])
            sub.flags.append(Flag("duplicate", f"{len(pool)} files, newest kept: {chosen.origin}; "
                                               f"ignored: {others}"))
        if chosen.expect_named and notebooks and not is_assignment_file(chosen.given_name, assignment):
            sub.flags.append(Flag("renamed", f"{chosen.given_name} graded as {assignment}.ipynb"))
        nb, problem = (None, f"corrupt in the archive ({chosen.broken})") if chosen.broken \
            else read_notebook(chosen.path)
        if problem:
            sub.problem = problem
            sub.flags.append(Flag("invalid", problem))
        else:
            sub.notebook = nb
            ids = {grade_id(c) for c in nb["cells"] if isinstance(c.get("metadata"), dict)}
            known = {grade_id(c) for c in release["cells"]} - {None}
            if not ids & known:
                sub.flags.append(Flag("foreign", f"no cell of {assignment} in it (another assignment?)"))
            else:
                edited, deleted = locked_changes(nb, release)
                for code, cells in (("edited-test", edited), ("deleted-test", deleted)):
                    if cells:
                        sub.flags.append(Flag(code, ", ".join(cells) + " (restored by nbgrader)"))
        if deadline is not None and chosen.timestamp > deadline:
            sub.flags.append(Flag("late", human(chosen.timestamp - deadline)))
        out[student] = sub
    return Intake(out, skipped)


def _nbgrader_timestamp(folder: Path) -> datetime | None:
    """The time in nbgrader's timestamp.txt beside a collected submission (UTC), if any."""
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    try:
        from nbgrader.utils import parse_utc

        when = parse_utc(path.read_text(encoding="utf-8").strip())
    except Exception:  # noqa: BLE001  (no nbgrader, or a timestamp it cannot read: use the mtime)
        return None
    return when.replace(tzinfo=timezone.utc).astimezone() if when else None


def parse_deadline(text: str | None) -> datetime | None:
    """'2026-12-01T23:59' (local time) or with an offset ('...+01:00', '...Z') -> aware datetime."""
    if not text:
        return None
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.astimezone() if value.tzinfo is None else value
