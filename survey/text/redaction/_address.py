"""Street addresses with a house number, and postal code with town.

German street names end in a handful of words (Goethestraße, Hans-Böckler-Str., Am Markt, Berliner
Allee); what follows them is a house number (5, 12a, 3/1, 12-14), maybe a postal code and a town.
A postal code alone with a town ("12345 Lindenau") is an address too; "10000 Euro" is not.
"""

from __future__ import annotations

import re

from survey.text.redaction._namelist import FIRST, NameList
from survey.text.redaction._words import NEVER_NAMES, fold, word_set

__all__ = ["find_addresses"]

Span = tuple[int, int]

_SUFFIXES = (
    "straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|markt|hof|berg|"
    "tal|graben|stieg|wall|kamp|anger|park|promenade|twiete|zeile|brücke|siedlung|feld|garten|höhe|"
    "hang|winkel|grund|aue|tor|kai|deich|bogen|gang|blick|eck|wiese|acker|heide|stieg|redder|koppel"
)
#: the words of a street of its own ("Berliner Straße", "Am Markt")
_STREET_WORDS = (
    "Straße|Strasse|Str\\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer|Chaussee|Markt|Steig|Pfad|Graben|Wall|"
    "Kamp|Anger|Berg|Tor|Hof|Park|Promenade|Brücke|Siedlung|Feld|Garten|Höhe|Hang|Winkel|Grund|Aue|"
    "Kai|Deich|Bogen|Blick|Wiese|Acker|Heide|Bach|Mühle|Brunnen|Kirche|Schule|Bahnhof|Hafen|Rain|"
    "Teich|See|Wald|Busch|Holz|Linde|Eiche|Sportplatz|Friedhof|Rathaus|Schloss|Stadtpark"
)
_PREPOSITIONS = (
    "Am|An\\s+der|An\\s+den|An\\s+dem|Auf\\s+dem|Auf\\s+der|Auf\\s+den|Im|In\\s+der|In\\s+den|Zum|Zur|"
    "Hinter\\s+dem|Hinter\\s+der|Hinter\\s+den|Unter\\s+den|Vor\\s+dem|Beim|Bei\\s+der|Alte|Alter|Altes|"
    "Neue|Neuer|Kleine|Kleiner|Große|Großer|Lange|Langer|Obere|Untere|Alt"
)
_CAP = r"[A-ZÄÖÜ][\wäöüß]*"
_TOWN_PREFIX = r"Bad|Sankt|St\.|Groß|Klein|Neu|Alt|Ober|Unter|Nieder|Hohen"
_NAME_WORD = r"[A-ZÄÖÜ][\wäöüß]+"
_HOUSE = r"\s?\d{1,4}(?:\s?[a-zA-Z](?![\w]))?(?:\s?[-/]\s?\d{1,4}[a-zA-Z]?)?(?![\d,.]\d)"
_TOWN_WORD = r"[A-ZÄÖÜ][\wäöüß]+(?:-[A-ZÄÖÜ][\wäöüß]+)*"
#: a town of one or two words: "Lindenau", "Schwäbisch Hall", "Bad Homburg", "Frankfurt am Main",
#: "Halle (Saale)", "Griesbach Rottal" (a second word where the sentence or the address ends)
_TOWN_NAME = (
    rf"{_TOWN_WORD}(?:\s+(?:am|an\s+der|im|in|ob\s+der|bei|vor\s+der)\s+{_TOWN_WORD}"
    rf"|\s\([A-ZÄÖÜ][\wäöüß]+\)|\s+{_TOWN_WORD}(?=\s*(?:[,.;:!?)]|$)))?"
)
_TOWN = rf"(?:,?\s+(?:D-)?\d{{5}}\s+{_TOWN_NAME})?"
_STREET = re.compile(
    # a first name may stand before a street of hyphened names: "Hans Georg-Ohm-Ring"
    rf"(?<![\w-])(?P<first>{_NAME_WORD}\s(?={_CAP}-))?(?:"
    rf"(?:{_CAP}-)*[A-ZÄÖÜ][\wäöüß]{{2,}}(?:{_SUFFIXES})"  # Goethestraße, Anna-Seghers-Ring
    rf"|(?:{_CAP}-)+(?:{_STREET_WORDS})"  # Hans-Böckler-Str., Karl-Marx-Allee
    rf"|(?:{_PREPOSITIONS})\s+(?:{_CAP}-)*(?:{_NAME_WORD}(?:{_SUFFIXES})|(?:{_STREET_WORDS}))"  # Am Markt
    # Berliner Straße, Bad Homburger Weg
    rf"|(?P<pair>(?:(?:{_TOWN_PREFIX})\s+)?(?:{_CAP}-)*{_NAME_WORD})\s+(?:{_STREET_WORDS})"
    rf"|(?:Straße|Platz)\s+de[rs]\s+{_NAME_WORD}(?:\s+\d{{1,2}}\.\s+{_NAME_WORD})?"  # Platz der Einheit
    rf")(?={_HOUSE}(?![\w]))({_HOUSE}){_TOWN}"
)
_POSTCODE = re.compile(rf"(?<![\w.,-])(?:D-)?(\d{{5}})\s+({_TOWN_NAME})")
#: compound nouns with a street's ending that name no street ("Parkplatz 5")
_NO_STREET = word_set(
    """
    arbeitsplatz parkplatz spielplatz sitzplatz stellplatz kitaplatz krippenplatz studienplatz
    ausbildungsplatz praktikumsplatz kindergartenplatz schulplatz platz dienstweg rechtsweg arbeitsweg
    rückweg heimweg umweg weg friedhof schulhof betriebshof bauhof wertstoffhof innenhof hof bahnhof
    zeitraum bereich fachbereich geschäftsbereich berg ring markt arbeitsmarkt wohnungsmarkt
    """
)
#: words after five digits that make it an amount or a count, not a postal code
_UNITS = word_set(
    """
    euro eur dollar franken cent mal stück prozent einwohner einwohnerinnen menschen bürger bürgerinnen
    kunden kundinnen fälle anträge stunden minuten tage wochen monate jahre seiten mitarbeiter
    mitarbeitende beschäftigte besucher haushalte personen kinder briefe mails
    """
)


def find_addresses(text: str, names: NameList) -> list[Span]:
    spans: list[Span] = []
    for match in _STREET.finditer(text):
        street = match.group().split()[0].rstrip(".").lower()
        if street in _NO_STREET and len(match.group().split()) <= 2:
            continue
        pair = match.group("pair")
        if pair and fold(pair.split()[0]) in NEVER_NAMES:
            continue  # "Auf Platz 3", "Im Hof 2": a word of the sentence, no street's name
        start = match.start()
        first = match.group("first")
        if first and not (names.flags(first.strip()) or 0) & FIRST:
            start = match.end("first")  # "Mektup Sylvio-Meyer-Platz 47": no first name before it
        spans.append((start, match.end()))
    for match in _POSTCODE.finditer(text):
        if any(s <= match.start() < e for s, e in spans):
            continue
        town = match.group(2).split()[0]
        # "10000 Euro", "12000 Einwohner": a count; a town ("45127 Essen") is no noun there
        if town.lower() in _UNITS or (match.group(1).endswith("00") and names.common_noun(town)):
            continue
        spans.append(match.span())
    return spans
