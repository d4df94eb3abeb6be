import re

import pytest

from dlcourse import catalog, glossary

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_term_is_complete_and_bilingual():
    ids = {lesson.id for lesson in catalog.load().lessons}
    assert glossary.terms(), "the glossary is empty"
    for t in glossary.terms():
        assert t.lesson in ids, f"{t.lesson}.toml names no lesson of the catalog"
        assert t.en.strip() and t.meaning.strip(), t
        assert CJK.search(t.zh), f"{t.en}: {t.zh!r} is not Chinese"


def test_no_term_is_defined_twice_in_one_lesson():
    for lesson in {t.lesson for t in glossary.terms()}:
        names = [t.en.lower() for t in glossary.for_lesson(lesson)]
        assert len(names) == len(set(names)), f"{lesson}: duplicate terms"


def test_search_in_english_and_chinese():
    assert [t.en for t in glossary.search("broadcasting")][:1] == ["broadcasting"]
    assert any(t.en == "broadcasting" for t in glossary.search("广播"))
    assert glossary.search("zzz-no-such-term") == []
    assert len(glossary.search("")) == len(glossary.terms())


def test_table_renders_a_lessons_terms_and_names_a_missing_file():
    text = glossary.table("L1.01").data
    assert text.startswith("| English | 中文 | meaning |") and "| tensor | 张量 |" in text
    with pytest.raises(KeyError, match="dlcourse/glossary/L9.99.toml"):   # no such lesson: no file
        glossary.table("L9.99")


def test_search_box_filters_as_you_type():
    box = glossary.search_box()
    field, table = box.children
    everything = table.value
    field.value = "张量"
    assert "tensor" in table.value and len(table.value) < len(everything)
    field.value = ""
    assert table.value == everything
