"""The demo's free-text comments: themes planted per unit and service point, near-duplicates, and
personal data the redaction must remove.

Where a unit or service point has a planted theme (PLANTED_STAFF, PLANTED_CITIZEN), most of its
comments are about that theme (the codebook `questionnaires/codebook.yaml` must find it as the
unit's top theme); elsewhere comments spread over every theme. Short stock phrases repeat, so
that pages merge them with a count. Some comments name people, phone numbers, e-mail addresses,
IBANs or case numbers: they pass the redaction like every submission, so none of it is stored.
"""

from __future__ import annotations

import numpy as np

from survey.text.redaction import Redactor

__all__ = ["PLANTED_CITIZEN", "PLANTED_STAFF", "THEME_TEXTS", "DemoComments"]

#: unit key → the theme most of its staff's comments are about
PLANTED_STAFF = {
    "asd": "personal",
    "bauhof": "ausstattung",
    "team-buergerbuero-mitte": "terminvergabe",
    "bauaufsicht": "genehmigungswege",
    "team-leistung": "formulare",
    "it": "digitalisierung",
}
#: service point key → the theme most of its citizens' comments are about
PLANTED_CITIZEN = {
    "buergerbuero-mitte": "wartezeit",
    "auslaenderbehoerde-service": "erreichbarkeit",
    "jobcenter-eingangszone": "formulare",
}
#: share of a planted unit's comments on its theme; of the rest, the share of stock phrases
PLANTED_SHARE = 0.65
STOCK_SHARE = 0.3

THEME_TEXTS: dict[str, list[str]] = {
    "abstimmung": [
        "Die Abstimmung mit dem Bauamt dauert viel zu lange.",
        "Für jede Kleinigkeit braucht es drei Abstimmungsrunden mit anderen Ämtern.",
        "Zuständigkeiten zwischen den Fachbereichen sind nicht geklärt, wir klären das jedes Mal neu.",
        "Die Absprachen mit dem Nachbaramt klappen inzwischen besser.",
    ],
    "informationsfluss": [
        "Informationen von oben kommen oft zu spät bei uns an.",
        "Wir erfahren Änderungen aus der Zeitung statt aus dem Intranet.",
        "Rundmails erreichen unser Team nicht, der Informationsfluss stockt.",
    ],
    "silodenken": [
        "Jedes Amt denkt nur an seinen eigenen Bereich.",
        "Das ist nicht unser Zuständigkeitsbereich – den Satz höre ich zu oft.",
    ],
    "wartezeit": [
        "Ich habe über eine Stunde gewartet.",
        "Lange Wartezeit, und ich musste zweimal wiederkommen.",
        "Die Wartezeiten im Wartebereich sind zu lang.",
        "Trotz Termin musste ich 40 Minuten warten.",
    ],
    "terminvergabe": [
        "Termine sind erst in sechs Wochen frei, die Terminvergabe muss besser werden.",
        "Die Online-Terminbuchung ist ständig ausgebucht.",
        "Für Notfälle gibt es keine freien Termine.",
    ],
    "freundlichkeit": [
        "Sehr freundlich und respektvoll, danke!",
        "Der Ton am Schalter war unfreundlich.",
        "Alle waren höflich und hilfsbereit.",
    ],
    "erreichbarkeit": [
        "Telefonisch ist niemand erreichbar, ich habe es zehnmal versucht.",
        "Auf meine E-Mail kam nie eine Antwort.",
        "Die Hotline ist dauernd besetzt.",
    ],
    "fuehrung": [
        "Unsere Teamleitung nimmt Vorschläge ernst.",
        "Die Führung entscheidet über unsere Köpfe hinweg.",
        "Mehr Rückendeckung von der Amtsleitung wäre gut.",
    ],
    "fehlerkultur": [
        "Wer einen Fehler zugibt, wird bloßgestellt.",
        "Aus Fehlern lernen wir selten, es wird nur ein Schuldiger gesucht.",
    ],
    "wertschaetzung": [
        "Ein Dankeschön für die Mehrarbeit würde schon helfen.",
        "Anerkennung für gute Arbeit gibt es kaum.",
    ],
    "entscheidungen": [
        "Warum Entscheidungen so fallen, wird uns nicht erklärt.",
        "Die Gründe für die Ablehnung meines Antrags sind nicht nachvollziehbar.",
    ],
    "information": [
        "Ich wusste nicht, welche Unterlagen ich brauche.",
        "Niemand sagt mir, wie der Stand meines Verfahrens ist.",
    ],
    "formulare": [
        "Die Formulare sind kaum zu verstehen.",
        "Für einen Antrag musste ich fünf Nachweise einreichen.",
        "Der Antrag hat zwölf Seiten, das Formular ist viel zu kompliziert.",
        "Wir fordern dieselben Unterlagen mehrfach an.",
    ],
    "digitalisierung": [
        "Die E-Akte stürzt ständig ab.",
        "Ein Online-Portal wäre eine große Entlastung.",
        "Die Software ist veraltet und langsam.",
        "Die neue Fachsoftware entlastet uns sehr.",
    ],
    "genehmigungswege": [
        "Jede Unterschrift muss über drei Schreibtische, der Dienstweg ist zu lang.",
        "Freigaben dauern Wochen, weil die Zeichnungsbefugnis fehlt.",
        "Für jede Bestellung braucht es eine Genehmigung der Amtsleitung.",
    ],
    "personal": [
        "Die Personaldecke ist zu dünn, um Anliegen zügig zu bearbeiten.",
        "Wir sind dauerhaft unterbesetzt, Krankheitsvertretung gibt es nicht.",
        "Die Überlastung im Team ist seit Monaten zu hoch.",
        "Offene Stellen werden nicht nachbesetzt, die Fallzahlen steigen.",
    ],
    "umsetzung": [
        "Nach der letzten Befragung hat sich nichts geändert.",
        "Maßnahmen werden beschlossen und versanden dann.",
    ],
    "ausstattung": [
        "Die Fahrzeuge sind alt und fallen oft aus.",
        "Uns fehlen Geräte und Werkzeug, die Ausstattung ist schlecht.",
        "Die Räume sind zu eng und im Sommer zu heiß.",
        "Der Fuhrpark muss dringend erneuert werden.",
    ],
}
STOCK = ["Weiter so!", "Weiter so", "Danke für die Umfrage.", "Danke für die Umfrage!", "Keine Anmerkungen."]
ENGLISH = [
    "Very friendly staff, quick help.",
    "I was sent to another office twice.",
    "The forms are hard to understand.",
    "Everything was explained clearly.",
]
#: personal data that comments sometimes carry; the redaction removes it before storage
PERSONAL = [
    "Frau Schneider aus der Zentrale ruft nie zurück.",
    "Herr Yılmaz hat mir sehr geholfen, danke!",
    "Bitte rufen Sie mich an: 0351 4187723.",
    "Meine E-Mail ist k.hoffmann@example.org, bitte melden.",
    "Es geht um Aktenzeichen 51.2-0815/26.",
    "Erstattung bitte auf DE89 3704 0044 0532 0130 00.",
]
PERSONAL_SHARE = 0.05


class DemoComments:
    """Picks each demo comment, and redacts it as a submission's would be."""

    def __init__(self, seed: list[int], redactor: Redactor) -> None:
        self.rng = np.random.default_rng(seed)
        self.redactor = redactor
        self.themes = sorted(THEME_TEXTS)

    def writes(self, people: int, share: float) -> np.ndarray:
        return np.flatnonzero(self.rng.random(people) < share)

    def _pick(self, texts: list[str]) -> str:
        return texts[int(self.rng.integers(len(texts)))]

    def text(self, planted: str | None, language: str) -> str:
        """One comment of a unit or service point with the planted theme `planted` (or none)."""
        if not language.startswith("de"):
            return self.redactor.redact(self._pick(ENGLISH), language).text
        if planted is not None and self.rng.random() < PLANTED_SHARE:
            text = self._pick(THEME_TEXTS[planted])
        elif self.rng.random() < STOCK_SHARE:
            text = self._pick(STOCK)
        else:
            others = [t for t in self.themes if t != planted]
            text = self._pick(THEME_TEXTS[others[int(self.rng.integers(len(others)))]])
        if self.rng.random() < PERSONAL_SHARE:
            text = f"{text} {self._pick(PERSONAL)}"
        return self.redactor.redact(text, language).text
