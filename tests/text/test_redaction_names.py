"""The shipped name and noun lists of the redaction: YAML as they claim, and what a fresh extraction
from the installed names-dataset and simplemma gives (`python -m survey.text.redaction.names_extract`).
A fresh extraction reads names-dataset whole (half a minute, two gigabytes): the test compares the
fingerprint of its sources instead, and `names_extract --check` does the whole."""

from __future__ import annotations

import importlib.util

import pytest
import yaml

from survey.text.redaction import names_extract
from survey.text.redaction._namelist import DATA, name_list
from survey.text.redaction._words import fold


def test_the_shipped_lists_are_yaml_and_read_alike() -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    names = yaml.load((DATA / "names.yaml").read_text(encoding="utf-8"), Loader=loader)
    nouns = yaml.load((DATA / "nouns.yaml").read_text(encoding="utf-8"), Loader=loader)
    assert isinstance(names, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in names.items()
    )
    assert set(nouns) == {"nouns"}
    lists = name_list()
    assert {fold(name) for name in names} == set(lists.names)
    assert {fold(noun) for noun in nouns["nouns"].split()} == lists.nouns
    # a few look-alikes decided by the lists
    assert names["Koch"].count("n") and names["Sommer"].count("n") and names["Mai"].count("n")
    assert "Mitte" not in names or "n" in names["Mitte"]
    assert "n" not in names["Schmidt"] and "n" not in names["Thomas"]


@pytest.mark.skipif(
    importlib.util.find_spec("names_dataset") is None,
    reason="names-dataset (a development dependency) is not installed",
)
def test_the_shipped_lists_were_made_from_what_is_installed() -> None:
    """The extraction is deterministic: the same names-dataset files, simplemma version and
    extraction code give the same lists. So the fingerprint of those, written into each shipped
    file, stands for a fresh extraction (half a minute and two gigabytes; `python -m
    survey.text.redaction.names_extract --check` does that one)."""
    now = names_extract.fingerprint()
    for name, shipped in names_extract.shipped_fingerprints().items():
        assert shipped == now, (
            f"{name} was made from other sources: run `python -m survey.text.redaction.names_extract`"
        )
