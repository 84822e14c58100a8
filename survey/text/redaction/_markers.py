"""What stands in a comment where something was removed, in the comment's language, and what the
redaction cannot check in each language (said to the survey office, who reads the comments)."""

from __future__ import annotations

__all__ = ["KINDS", "LIMITS", "LIMITS_DE", "MARKERS", "markers_for"]

#: the kinds of personal data removed, in the order they are looked for where two overlap
KINDS = ("name", "email", "phone", "iban", "birth_date", "address", "vehicle", "case_number")

MARKERS: dict[str, dict[str, str]] = {
    "de": {
        "name": "[Name]",
        "email": "[E-Mail]",
        "phone": "[Telefonnummer]",
        "iban": "[IBAN]",
        "birth_date": "[Geburtsdatum]",
        "address": "[Adresse]",
        "vehicle": "[Kennzeichen]",
        "case_number": "[Aktenzeichen]",
    },
    "de-x-ls": {
        "name": "[Name]",
        "email": "[E-Mail]",
        "phone": "[Telefon-Nummer]",
        "iban": "[Konto-Nummer]",
        "birth_date": "[Geburts-Tag]",
        "address": "[Adresse]",
        "vehicle": "[Auto-Nummer]",
        "case_number": "[Akten-Nummer]",
    },
    "en": {
        "name": "[name]",
        "email": "[email]",
        "phone": "[phone number]",
        "iban": "[IBAN]",
        "birth_date": "[date of birth]",
        "address": "[address]",
        "vehicle": "[licence plate]",
        "case_number": "[case number]",
    },
    "tr": {
        "name": "[isim]",
        "email": "[e-posta]",
        "phone": "[telefon numarası]",
        "iban": "[IBAN]",
        "birth_date": "[doğum tarihi]",
        "address": "[adres]",
        "vehicle": "[plaka]",
        "case_number": "[dosya numarası]",
    },
    "ar": {
        "name": "[اسم]",
        "email": "[بريد إلكتروني]",
        "phone": "[رقم هاتف]",
        "iban": "[IBAN]",
        "birth_date": "[تاريخ الميلاد]",
        "address": "[عنوان]",
        "vehicle": "[رقم لوحة السيارة]",
        "case_number": "[رقم الملف]",
    },
    "uk": {
        "name": "[ім’я]",
        "email": "[електронна пошта]",
        "phone": "[номер телефону]",
        "iban": "[IBAN]",
        "birth_date": "[дата народження]",
        "address": "[адреса]",
        "vehicle": "[номерний знак]",
        "case_number": "[номер справи]",
    },
    "ru": {
        "name": "[имя]",
        "email": "[электронная почта]",
        "phone": "[номер телефона]",
        "iban": "[IBAN]",
        "birth_date": "[дата рождения]",
        "address": "[адрес]",
        "vehicle": "[номерной знак]",
        "case_number": "[номер дела]",
    },
}

#: every marker of every language: a comment redacted twice stays as it is
ALL_MARKERS = frozenset(marker for markers in MARKERS.values() for marker in markers.values())


def markers_for(language: str) -> dict[str, str]:
    """The markers of a response language ("de-x-ls", "en-GB" → "en"); German where there are none."""
    tag = language.strip().lower().replace("_", "-")
    if tag in MARKERS:
        return MARKERS[tag]
    return MARKERS.get(tag.split("-")[0], MARKERS["de"])


_EVERYWHERE = (
    "Everywhere: a surname in no list is found only after a title, a role or a first name (in German "
    "also after mit, an, von and the like); addresses only as Germans write them (street and house "
    "number, postal code and town); phone numbers need a leading 0, + or 00, or a word like Tel. "
    "before them; vehicle registrations only German ones."
)

#: language → what cannot be checked in comments in that language (plain English)
LIMITS: dict[str, str] = {
    "de": "Surnames that are also German nouns (Koch, Sommer, Wolf) are found only after a title "
    "(Frau, Herr, Dr.), a role (Kollegin, Sachbearbeiter) or beside a first name; a name written in "
    "small letters only after a title or when it is on the Kommune's list; a rare first name alone "
    "is not found.",
    "de-x-ls": "As in German: surnames that are also nouns (Koch, Sommer) are found only after Frau, "
    "Herr or beside a first name; Leichte Sprache adds no words of its own to look for.",
    "en": "Names that are also English words (Will, May, Mark, Rose) are found only inside a "
    "sentence, after a title or beside another name, not at the start of a sentence; a rarer name "
    "at the start of a sentence only with a title or another name beside it.",
    "tr": "Turkish names that are also words (Umut, Deniz, Güzel) are found only inside a sentence, "
    "after Bay/Bayan or before Bey/Hanım; at the start of a sentence only common names; a rare first "
    "name is found only with a title or beside a known surname.",
    "ar": "Arabic script has no capital letters: names are found only from the lists (common names "
    "on their own, rarer ones beside another name), after a title (السيد, السيدة, الأستاذ) or by a "
    "family name's ending (حجازي); names that are also words (جميل, سعيد, نور) only after a title.",
    "uk": "names-dataset has no list for Ukraine: Ukrainian names are found from the Russian and "
    "other lists, by the endings of surnames and patronymics (-енко, -чук, -ович, -івна), after "
    "пан/пані and where two capitalised words stand together; a rare first name alone is not found.",
    "ru": "Russian names are found from the lists (also in other case forms), by the endings of "
    "surnames and patronymics (-ов, -ова, -ович, -овна), after господин/госпожа and where two "
    "capitalised words stand together; a place with a surname's ending (Харьков) may be removed.",
}
LIMITS = {language: f"{text} {_EVERYWHERE}" for language, text in LIMITS.items()}

_EVERYWHERE_DE = (
    "Überall gilt: Ein Nachname, der in keiner Liste steht, wird nur nach einer Anrede, einer "
    "Funktion oder einem Vornamen erkannt (im Deutschen auch nach mit, an, von und ähnlichen); "
    "Adressen nur in deutscher Schreibweise (Straße und Hausnummer, Postleitzahl und Ort); "
    "Telefonnummern brauchen eine führende 0, + oder 00 oder ein Wort wie Tel. davor; "
    "Kennzeichen nur deutsche."
)

#: the same in German, for the office's pages
LIMITS_DE: dict[str, str] = {
    "de": "Nachnamen, die auch deutsche Hauptwörter sind (Koch, Sommer, Wolf), werden nur nach einer "
    "Anrede (Frau, Herr, Dr.), einer Funktion (Kollegin, Sachbearbeiter) oder neben einem Vornamen "
    "erkannt; ein kleingeschriebener Name nur nach einer Anrede oder wenn er auf der Liste der "
    "Kommune steht; ein seltener Vorname allein wird nicht erkannt.",
    "de-x-ls": "Wie im Deutschen: Nachnamen, die auch Hauptwörter sind (Koch, Sommer), werden nur "
    "nach Frau, Herr oder neben einem Vornamen erkannt; Leichte Sprache bringt keine eigenen "
    "Suchwörter mit.",
    "en": "Namen, die auch englische Wörter sind (Will, May, Mark, Rose), werden nur im Satz, nach "
    "einer Anrede oder neben einem anderen Namen erkannt, nicht am Satzanfang; ein seltener Name am "
    "Satzanfang nur mit Anrede oder einem anderen Namen daneben.",
    "tr": "Türkische Namen, die auch Wörter sind (Umut, Deniz, Güzel), werden nur im Satz, nach "
    "Bay/Bayan oder vor Bey/Hanım erkannt; am Satzanfang nur häufige Namen; ein seltener Vorname nur "
    "mit Anrede oder neben einem bekannten Nachnamen.",
    "ar": "Die arabische Schrift kennt keine Großbuchstaben: Namen werden nur aus den Listen erkannt "
    "(häufige allein, seltenere neben einem anderen Namen), nach einer Anrede (السيد, السيدة, "
    "الأستاذ) oder an der Endung eines Familiennamens (حجازي); Namen, die auch Wörter sind (جميل, "
    "سعيد, نور), nur nach einer Anrede.",
    "uk": "names-dataset hat keine Liste für die Ukraine: Ukrainische Namen werden aus der russischen "
    "und anderen Listen, an den Endungen von Nachnamen und Vatersnamen (-енко, -чук, -ович, -івна), "
    "nach пан/пані und wo zwei großgeschriebene Wörter zusammenstehen erkannt; ein seltener Vorname "
    "allein nicht.",
    "ru": "Russische Namen werden aus den Listen (auch in anderen Fällen), an den Endungen von "
    "Nachnamen und Vatersnamen (-ов, -ова, -ович, -овна), nach господин/госпожа und wo zwei "
    "großgeschriebene Wörter zusammenstehen erkannt; ein Ort mit der Endung eines Nachnamens "
    "(Харьков) kann entfernt werden.",
}
LIMITS_DE = {language: f"{text} {_EVERYWHERE_DE}" for language, text in LIMITS_DE.items()}
