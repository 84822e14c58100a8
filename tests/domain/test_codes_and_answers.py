"""Access codes and the checking of answers: pure functions, no database."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from survey.domain import load_catalog
from survey.domain.answers import check_answers
from survey.domain.codes import ALPHABET, code_hash, is_genuine, new_code, normalise_code

SECRET = b"k" * 40
VERSION = load_catalog(Path(__file__).resolve().parents[2] / "questionnaires").version("staff-pulse", 2)


def test_codes_are_readable_and_carry_their_check() -> None:
    code = new_code("invitation", SECRET)
    assert len(code) == 14 and code[4] == code[9] == "-"
    normalised = normalise_code(code)
    assert normalised == code.replace("-", "")
    assert is_genuine("invitation", normalised, SECRET)
    assert not is_genuine("receipt", normalised, SECRET)  # kinds do not mix
    assert not is_genuine("invitation", normalised, b"another secret of 32 characters..")


def test_typing_is_forgiving() -> None:
    code = new_code("invitation", SECRET)
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise_code(typed) == code.replace("-", "")


@pytest.mark.parametrize("text", ["", "ABC", "K7QM-2XHD-9RTC-1", "K7QM-2XHD-9RT!", "Ä7QM-2XHD-9RTC"])
def test_non_codes(text: str) -> None:
    assert normalise_code(text) is None


@given(st.text(max_size=30))
def test_normalise_never_raises(text: str) -> None:
    result = normalise_code(text)
    assert result is None or (len(result) == 12 and set(result) <= set(ALPHABET))


def test_a_mistyped_character_is_caught() -> None:
    code = normalise_code(new_code("invitation", SECRET))
    assert code is not None
    caught = 0
    for position in range(12):
        for replacement in "0123456789ABCDEF":
            if replacement != code[position]:
                typo = code[:position] + replacement + code[position + 1 :]
                caught += not is_genuine("invitation", typo, SECRET)
    assert caught >= 12 * 15 - 1  # a 15-bit check misses about 1 in 32,768


def test_hashes_are_keyed_and_distinct() -> None:
    code = normalise_code(new_code("invitation", SECRET))
    assert code is not None
    assert code_hash("invitation", code, SECRET) != code_hash("invitation", code, b"x" * 40)
    assert code_hash("invitation", code, SECRET) != code_hash("receipt", code, SECRET)
    assert code not in code_hash("invitation", code, SECRET)


def test_good_answers() -> None:
    checked = check_answers(
        VERSION,
        {
            "fachbereiche-ziehen-mit": "5",
            "eine-anlaufstelle": "na",
            "arbeitgeber-weiterempfehlen": 0,
            "kommentar": "  gut  ",
            "wissen-geteilt": "",
        },
    )
    assert checked.ok
    assert checked.codes == {
        "fachbereiche-ziehen-mit": 5,
        "eine-anlaufstelle": None,
        "arbeitgeber-weiterempfehlen": 0,
    }
    assert checked.texts == {"kommentar": "gut"}


def test_json_null_is_keine_angabe() -> None:
    assert check_answers(VERSION, {"fachbereiche-ziehen-mit": None}).codes == {
        "fachbereiche-ziehen-mit": None
    }


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("6", "outside_scale"),
        ("0", "outside_scale"),
        (-1, "outside_scale"),
        ("4.5", "not_a_number"),
        ("vier", "not_a_number"),
        (True, "not_a_number"),
        ([3], "not_a_number"),
        ("9999999", "not_a_number"),
    ],
)
def test_bad_values(value: object, code: str) -> None:
    checked = check_answers(VERSION, {"fachbereiche-ziehen-mit": value})
    assert [(p.item, p.code) for p in checked.problems] == [("fachbereiche-ziehen-mit", code)]
    assert checked.codes == {}


def test_text_limits_and_unknown_items() -> None:
    checked = check_answers(VERSION, {"kommentar": "x" * 1001, "nicht-da": "1", "kommentar2": 3})
    assert [(p.item, p.code) for p in checked.problems] == [
        ("kommentar", "too_long"),
        ("nicht-da", "unknown_item"),
        ("kommentar2", "unknown_item"),
    ]


@given(
    st.dictionaries(
        st.sampled_from([*VERSION.item_ids, "x"]),
        st.one_of(st.none(), st.integers(-20, 20), st.text(max_size=5), st.booleans()),
    )
)
@example({"fachbereiche-ziehen-mit": "²"})  # a digit to str.isdigit, not to int()
@example({"fachbereiche-ziehen-mit": "٣"})  # Arabic-Indic three: a decimal that int() reads
def test_check_answers_never_raises(raw: dict) -> None:
    checked = check_answers(VERSION, raw)
    for item, value in checked.codes.items():
        assert value is None or value in VERSION.scale_of(VERSION.item(item)).codes
