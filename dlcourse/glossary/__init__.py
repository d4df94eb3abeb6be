"""The bilingual glossary (English ↔ 中文): the key terms of each lesson, kept as data.

One TOML file per lesson (`L1.01.toml`) lists its terms in the order the lesson introduces them.
A lesson's summary shows its own with `dlcourse.glossary.table("L1.01")`; the glossary notebook
searches them all with `dlcourse.glossary.search_box()`.
"""
from __future__ import annotations

import html
from .. import _toml as tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Term:
    en: str
    zh: str
    meaning: str
    lesson: str


@lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    """Every term of every lesson, in lesson order."""
    found = []
    for path in sorted(HERE.glob("*.toml")):
        for raw in tomllib.loads(path.read_text(encoding="utf-8"))["term"]:
            found.append(Term(lesson=path.stem, **raw))
    return tuple(found)


def for_lesson(lesson_id: str) -> list[Term]:
    return [t for t in terms() if t.lesson == lesson_id]


def search(query: str) -> list[Term]:
    """Terms whose English, Chinese or meaning contains `query` (case-insensitive)."""
    q = query.strip().lower()
    return [t for t in terms() if not q or q in f"{t.en}\n{t.zh}\n{t.meaning}".lower()]


def markdown(rows: list[Term], with_lesson: bool = False) -> str:
    head = "| English | 中文 | meaning |" + (" lesson |" if with_lesson else "")
    rule = "|---|---|---|" + ("---|" if with_lesson else "")
    body = [f"| {t.en} | {t.zh} | {t.meaning} |" + (f" {t.lesson} |" if with_lesson else "")
            for t in rows]
    return "\n".join([head, rule, *body])


def table(lesson_id: str):
    """The key terms of one lesson, as a rendered Markdown table (a lesson's summary shows it)."""
    from IPython.display import Markdown
    rows = for_lesson(lesson_id)
    if not rows:
        raise KeyError(f"no glossary terms for {lesson_id}: add dlcourse/glossary/{lesson_id}.toml")
    return Markdown(markdown(rows))


def _html(rows: list[Term]) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(t.en)}</td><td>{html.escape(t.zh)}</td>"
        f"<td>{html.escape(t.meaning)}</td><td>{t.lesson}</td></tr>" for t in rows)
    return (f"<p>{len(rows)} term(s)</p><table><thead><tr><th>English</th><th>中文</th>"
            f"<th>meaning</th><th>lesson</th></tr></thead><tbody>{cells}</tbody></table>")


def search_box():
    """A search field over the whole glossary, in English or Chinese, filtering as you type."""
    import ipywidgets as widgets
    box = widgets.Text(placeholder="search: e.g. gradient, 梯度, broadcast …",
                       description="Search", continuous_update=True)
    out = widgets.HTML(_html(search("")))
    box.observe(lambda change: setattr(out, "value", _html(search(change["new"]))), names="value")
    return widgets.VBox([box, out])
