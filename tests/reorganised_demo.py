"""The demo Kommune's reorganisation, as the tests of organisation versions use it: the
Schul- und Sportverwaltung (135 staff) splits into a Schulverwaltung of 100 and a Sportamt of 35,
the two Bürgerbüro teams merge (their service points go with them), and the Musikschule moves
to Dezernat II."""

from __future__ import annotations

from typing import Any

__all__ = ["reorganise"]


def reorganise(data: dict[str, Any]) -> None:
    """Change the organisation file's data (as read from YAML) in place, `changes:` included."""
    data["units"] = [
        u
        for u in data["units"]
        if u["key"] not in ("schule-sport", "team-buergerbuero-mitte", "team-buergerbuero-nord")
    ]
    data["units"] += [
        {
            "key": "schulverwaltung",
            "name": "Fachbereich Schulverwaltung",
            "kind": "Fachbereich",
            "parent": "kjfs",
            "headcount": 100,
        },
        {"key": "sportamt", "name": "Sportamt", "kind": "Fachbereich", "parent": "kjfs", "headcount": 35},
        {
            "key": "team-buergerbuero",
            "name": "Team Bürgerbüro",
            "kind": "Team",
            "parent": "buergerdienste",
            "headcount": 70,
        },
    ]
    next(u for u in data["units"] if u["key"] == "musikschule")["parent"] = "buerger-bauen"
    for point in data["service_points"]:
        if point["unit"].startswith("team-buergerbuero-"):
            point["unit"] = "team-buergerbuero"
    data["changes"] = [
        {
            "kind": "split",
            "from": "schule-sport",
            "to": ["schulverwaltung", "sportamt"],
            "shares": {"schulverwaltung": 74, "sportamt": 26},
        },
        {
            "kind": "merged",
            "from": ["team-buergerbuero-mitte", "team-buergerbuero-nord"],
            "to": "team-buergerbuero",
        },
        {"kind": "moved", "from": "musikschule", "to": "musikschule"},
    ]
