"""The rules between v(N-1) and vN: every change is declared, and only comparable ones keep an id.

An item that keeps its id keeps what it measures (scale, values, direction); a reworded one says
`change: editorial`; anything else is a new item that may name the one it `replaces`.
"""

from __future__ import annotations

from typing import Any

from survey.domain.catalog._texts import Path_, items_of
from survey.domain.yamlfile import YamlDocument
from survey.errors import Problem


def check_first_version(doc: YamlDocument, data: dict[str, Any], found: list[Problem]) -> None:
    """v1 has nothing before it: no item may declare a change or replace another."""
    for index, item in items_of(data):
        for key in ("change", "replaces"):
            if key in item:
                found.append(
                    doc.problem(
                        ["items", index, key],
                        f"`{key}` needs a previous version to refer to: remove it",
                    )
                )


def check_changes(
    doc: YamlDocument,
    data: dict[str, Any],
    previous: dict[str, Any],
    number: int,
    found: list[Problem],
    broken: set[str],
) -> None:
    """Rules between v(N-1) and vN: every change is declared, and only comparable ones keep an id."""
    before = {item.get("id"): item for _, item in items_of(previous) if isinstance(item.get("id"), str)}
    current_ids = {item.get("id") for _, item in items_of(data) if isinstance(item.get("id"), str)}
    prev_scales = previous.get("scales") if isinstance(previous.get("scales"), dict) else {}
    scales = data.get("scales") if isinstance(data.get("scales"), dict) else {}
    for key in ("audience", "leitbild"):
        if previous.get(key) != data.get(key) and data.get(key) is not None:
            found.append(
                doc.problem(
                    [key],
                    f"differs from v{number} ({previous.get(key)}): a "
                    "questionnaire keeps its audience and Leitbild; start a new "
                    "questionnaire instead",
                )
            )
    replaced: dict[str, int] = {}
    for index, item in items_of(data):
        here: Path_ = ["items", index]
        item_id = item.get("id")
        old = before.get(item_id) if isinstance(item_id, str) else None
        if old is not None:
            if item_id not in broken:
                _check_kept_item(doc, here, item, old, number, scales, prev_scales, found)
            continue
        if item.get("change") == "editorial" and isinstance(item_id, str):
            found.append(
                doc.problem(
                    [*here, "change"],
                    f"there is no item `{item_id}` in v{number}"
                    " to reword: remove `change` (a new item) or use the old id",
                )
            )
        target = item.get("replaces")
        if isinstance(target, str):
            _check_replacement(doc, here, target, number, before, current_ids, replaced, found)
            replaced.setdefault(target, index)


def _check_kept_item(
    doc: YamlDocument,
    here: Path_,
    item: dict[str, Any],
    old: dict[str, Any],
    number: int,
    scales: dict[str, Any],
    prev_scales: dict[str, Any],
    found: list[Problem],
) -> None:
    """An item that keeps its id of v(N-1): same scale, values and direction; rewording declared."""
    item_id = item.get("id")
    if item.get("replaces") is not None:
        found.append(
            doc.problem(
                [*here, "replaces"],
                f"the item keeps the id `{item_id}` "
                f"of v{number}, so it replaces nothing: remove `replaces` "
                "or give the item a new id",
            )
        )
    if _shape(_named(scales, item.get("scale"))) != _shape(_named(prev_scales, old.get("scale"))):
        found.append(
            doc.problem(
                [*here, "scale"],
                f"the answer scale differs from v{number}"
                ": that is a substantive change, so give the item a new id"
                f" and `replaces: {item_id}`",
            )
        )
    if _value_keys(item) != _value_keys(old):
        found.append(
            doc.problem(
                [*here, "values"],
                f"the values differ from v{number}: "
                "that changes what the item measures, so give the item a "
                f"new id and `replaces: {item_id}`",
            )
        )
    if bool(item.get("reverse")) != bool(old.get("reverse")):
        found.append(
            doc.problem(
                [*here, "reverse"],
                f"`reverse` differs from v{number}: give the item a new id and `replaces: {item_id}`",
            )
        )
    reworded = item.get("text") != old.get("text")
    if reworded and item.get("change") != "editorial":
        found.append(
            doc.problem(
                [*here, "text"],
                f"the wording differs from v{number} but "
                "the id stays: add `change: editorial` if it still measures"
                " the same thing, or give it a new id with "
                f"`replaces: {item_id}` if it does not",
            )
        )
    if not reworded and item.get("change") == "editorial":
        found.append(
            doc.problem(
                [*here, "change"], f"the text is the same as in v{number}: remove `change: editorial`"
            )
        )


def _check_replacement(
    doc: YamlDocument,
    here: Path_,
    target: str,
    number: int,
    before: dict[Any, dict[str, Any]],
    current_ids: set[Any],
    replaced: dict[str, int],
    found: list[Problem],
) -> None:
    """A new item's `replaces`: an item of v(N-1) that is gone now and replaced by no other."""
    if target not in before:
        found.append(
            doc.problem(
                [*here, "replaces"],
                f"there is no item `{target}` in v{number}: name an item id of v{number}",
            )
        )
    elif target in current_ids:
        found.append(
            doc.problem(
                [*here, "replaces"],
                f"`{target}` is still in this version: remove it from the items or remove `replaces`",
            )
        )
    elif target in replaced:
        found.append(
            doc.problem(
                [*here, "replaces"],
                f"`{target}` is already replaced by items[{replaced[target]}]: one item replaces one item",
            )
        )


def _named(scales: dict[str, Any], name: Any) -> Any:
    return scales.get(name) if isinstance(name, str) else None


def _value_keys(item: dict[str, Any]) -> Any:
    values = item.get("values") or []
    return sorted(values, key=str) if isinstance(values, list) else values


def _shape(scale: Any) -> Any:
    if not isinstance(scale, dict):
        return None
    options = scale.get("options")
    codes = [o.get("code") for o in options if isinstance(o, dict)] if isinstance(options, list) else []
    return (scale.get("type"), sorted(c for c in codes if isinstance(c, int)))
