"""A row's rich text: only our markup, around the hit's spans; everything typed stays text."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from supporttray.ui.history.hit_text import highlighted

MARK = "background-color: yellow"


def test_each_span_is_wrapped_and_the_rest_escaped() -> None:
    assert highlighted("a <b>printer</b> jam", [(5, 12), (0, 1)], mark=MARK) == (
        '<span style="background-color: yellow">a</span> &lt;b&gt;'
        '<span style="background-color: yellow">printer</span>&lt;/b&gt; jam')


def test_spans_that_overlap_or_run_past_the_end_are_clipped() -> None:
    html = highlighted("printer", [(0, 5), (3, 7), (6, 99), (9, 12)], mark=MARK)
    document = QTextDocument()
    document.setHtml(html)
    assert document.toPlainText() == "printer"
    assert html.count("<span") == 2


def test_a_hostile_snippet_is_shown_as_typed() -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    document = QTextDocument()
    document.setHtml(highlighted(hostile, [(1, 7)], mark=MARK))
    assert document.toPlainText() == hostile
