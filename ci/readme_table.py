"""Write the catalog's lesson table into README.md, between its `lessons` markers."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from dlcourse import catalog  # noqa: E402

START, END = "<!-- lessons:start -->", "<!-- lessons:end -->"


def with_table(readme: str) -> str:
    block = f"{START}\n{catalog.markdown_table()}\n{END}"
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, readme, flags=re.S)


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
