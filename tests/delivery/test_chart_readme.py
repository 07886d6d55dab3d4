"""charts/aura-operator/README.md lists every value, as values.yaml documents it."""

from __future__ import annotations

import yaml

from .chart_readme import README, VALUES, key_comments, render_readme, rows

FIX = "run `make chart-readme` to regenerate the values table"


def test_readme_values_table_is_current() -> None:
    readme = README.read_text()
    assert render_readme(readme, VALUES.read_text()) == readme, FIX


def test_every_value_is_documented() -> None:
    text = VALUES.read_text()
    undocumented = [
        key
        for key, _, description in rows(yaml.safe_load(text), key_comments(text))
        if not description
    ]
    assert undocumented == [], "add a comment above these keys in values.yaml"


def test_comments_attach_to_the_key_below_them_only() -> None:
    text = (
        "# file header\n\n# the section\nouter:\n  # the inner key\n  inner: 1\n  bare: 2\n"
        "list:\n  - a: 1\nafter: 3\n"
    )
    comments = key_comments(text)
    assert comments["outer"] == "the section"
    assert comments["outer.inner"] == "the inner key"
    assert comments["outer.bare"] == ""
    assert comments["after"] == ""
    assert [key for key, _, _ in rows(yaml.safe_load(text), comments)] == [
        "outer.inner",
        "outer.bare",
        "list",
        "after",
    ]
