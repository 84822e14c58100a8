"""A seeded corpus of free-text comments for the redaction's acceptance test.

Comments of staff and citizens of a German Kommune (praise, waiting times, forms, offices working
together, leadership, workload), in German and in the other response languages, with personal data
planted in them and look-alikes that must stay. Names, phone numbers, IBANs, addresses, e-mail
addresses and plates come from Faker, a source independent of the redaction's own lists
(names-dataset), so that the test measures what the redaction finds in names it was not built from.

Every planted item is recorded with its kind and its exact place in the comment.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker

SEED = 20261206
#: the corpus is written as on this day: appointments lie before it, births 18 to 90 years before
DAY = dt.date(2026, 6, 1)


@dataclass(frozen=True)
class Planted:
    kind: str
    text: str
    start: int
    end: int
    #: how a name was written ("title", "full", "first", "last", "initial", "role"), else ""
    form: str = ""


@dataclass
class Comment:
    language: str
    text: str = ""
    planted: list[Planted] = field(default_factory=list)
    #: the look-alikes written into the comment (they must stay)
    lookalikes: list[str] = field(default_factory=list)

    def add(self, piece: str, kind: str | None = None, form: str = "") -> None:
        if kind == "lookalike":
            self.lookalikes.append(piece)
        elif kind:
            self.planted.append(Planted(kind, piece, len(self.text), len(self.text) + len(piece), form))
        self.text += piece


# --- sources ------------------------------------------------------------------------------------


class Sources:
    """Faker for each locale, and the random choices, all from one seed."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.faker = {}
        for index, locale in enumerate(("de_DE", "tr_TR", "ru_RU", "uk_UA", "ar_AA", "en_GB")):
            fake = Faker(locale)
            fake.seed_instance(seed + index)
            self.faker[locale] = fake

    def pick(self, options):
        return self.random.choice(options)

    def _clean(self, make: Callable[[], str]) -> str:
        # Faker's German lists hold a few abbreviations ("Hans-H.") and stray words ("auch
        # Schlauchin"): take names as people write them
        for _ in range(50):
            name = make()
            words = name.split()
            capitals = all(w[:1].isupper() or w[:1].lower() == w[:1].upper() for w in words)
            if not name.endswith(".") and (capitals or words[0] in ("van", "von", "de")):
                return name
        raise AssertionError("no clean name")

    def first(self, locale: str) -> str:
        return self._clean(self.faker[locale].first_name)

    def last(self, locale: str) -> str:
        return self._clean(self.faker[locale].last_name)

    def name_locale(self) -> str:
        """Whose names a German comment mentions: mostly German, some Turkish and British."""
        return self.random.choices(("de_DE", "tr_TR", "en_GB"), weights=(80, 12, 8))[0]


# --- planted items ------------------------------------------------------------------------------


def plant_name_de(c: Comment, s: Sources, dative: bool = False) -> None:
    """A person in a German sentence, written as staff and citizens write them."""
    locale = s.name_locale()
    form = s.random.choices(
        ("frau", "herr", "full", "first", "dr", "role", "initial", "last", "role_full"),
        weights=(20, 16, 25, 12, 3, 8, 4, 5, 7),
    )[0]
    if form == "frau":
        c.add("Frau ")
        c.add(s.last(locale), "name", "title")
    elif form == "herr":
        c.add("Herrn " if dative else "Herr ")
        c.add(s.last(locale), "name", "title")
    elif form == "dr":
        c.add(s.pick(("Frau Dr. ", "Herrn Dr. " if dative else "Herr Dr. ")))
        c.add(s.last(locale), "name", "title")
    elif form == "full":
        c.add(f"{s.first(locale)} {s.last(locale)}", "name", "full")
    elif form == "first":
        c.add(s.first(locale), "name", "first")
    elif form == "role":
        c.add(s.pick(("Kollegin ", "Kollege ", "Sachbearbeiterin ", "Teamleiter ", "Chefin ")))
        c.add(s.last(locale), "name", "role")
    elif form == "role_full":
        c.add(s.pick(("Kollegin ", "Sachbearbeiter ", "Fallmanagerin ", "unserer Kollegin ")))
        c.add(f"{s.first(locale)} {s.last(locale)}", "name", "role")
    elif form == "initial":
        c.add(s.pick(("Frau ", "Herr ")))
        c.add(s.last(locale)[0], "name", "initial")
        c.add(".")
    else:
        c.add(s.last(locale), "name", "last")


def _digits(s: Sources, count: int) -> str:
    return "".join(str(s.random.randint(0, 9)) for _ in range(count))


def phone(s: Sources, locale: str = "de_DE") -> str:
    number = s.faker[locale].phone_number()
    if locale == "de_DE" and s.random.random() < 0.15:
        number += s.pick((" Durchwahl -", "-", " App. ")) + _digits(s, 3)
    return number


def iban(s: Sources) -> str:
    value = s.faker["de_DE"].iban()
    if s.random.random() < 0.3:  # mistyped: a wrong check digit
        value = value[:2] + str((int(value[2]) + 1) % 10) + value[3:]
    if s.random.random() < 0.6:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value


_MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
    "tr": "Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "ar": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
}


def birth_date(s: Sources, language: str) -> str:
    born = s.faker["de_DE"].date_of_birth(minimum_age=18, maximum_age=90)
    born = born.replace(year=min(born.year, DAY.year - 18))
    months = _MONTHS.get(language.split("-")[0], _MONTHS["de"]).split()
    style = s.random.randint(0, 4)
    if style == 0:
        return f"{born.day:02d}.{born.month:02d}.{born.year}"
    if style == 1:
        return f"{born.day}.{born.month}.{born.year}"
    if style == 2:
        return born.isoformat()
    if language.startswith("en"):
        return s.pick(
            (
                f"{months[born.month - 1]} {born.day}, {born.year}",
                f"{born.day} {months[born.month - 1]} {born.year}",
            )
        )
    dot = "." if language.startswith("de") else ""
    return f"{born.day}{dot} {months[born.month - 1]} {born.year}"


def address(s: Sources) -> str:
    fake = s.faker["de_DE"]
    street = fake.street_address()
    style = s.random.random()
    if style < 0.35:
        return f"{street}, {fake.postcode()} {fake.city()}"
    if style < 0.55:
        return f"{fake.postcode()} {fake.city()}"
    return street


def plate(s: Sources) -> str:
    district, letters, number = s.faker["de_DE"].license_plate().split("-")
    style = s.random.random()
    if style < 0.4:
        return f"{district}-{letters} {number}"
    if style < 0.7:
        return f"{district} {letters} {number}" + ("E" if s.random.random() < 0.1 else "")
    return f"{district}-{letters}-{number}"


def case_number(s: Sources) -> tuple[str, str]:
    """(label, number): the label stays, the number goes."""
    d = lambda n: _digits(s, n)  # noqa: E731
    options = [
        ("Aktenzeichen ", f"{s.random.randint(100, 999)}/{d(2)}"),
        ("Az. ", f"{s.random.randint(10, 99)}.{s.random.randint(1, 9)}-{d(4)}/{d(2)}"),
        ("AZ: ", f"{s.pick('ABCDEFGK')}{d(5)}"),
        ("BG-Nummer ", f"{d(5)}BG{d(7)}"),
        ("", f"{d(5)}BG{d(7)}"),
        ("Kundennummer ", d(9)),
        ("Vorgangsnummer ", f"{s.random.randint(2019, 2026)}-{d(6)}"),
        ("Fallnummer ", d(6)),
        ("Geschäftszeichen ", f"{s.pick(('I', 'II', 'III', 'IV'))}/{d(2)}-{d(4)}"),
        ("Kassenzeichen ", f"{d(2)}.{d(3)}.{d(3)}.{d(1)}"),
        ("Vorgang ", f"ABH-{s.random.randint(2020, 2026)}-{d(6)}"),
    ]
    return s.pick(options)


# --- look-alikes that must stay -------------------------------------------------------------------


def lookalike_de(s: Sources) -> tuple[str, str, str]:
    """A sentence around a look-alike: (before, look-alike, after)."""
    r = s.random
    recent = DAY - dt.timedelta(days=r.randint(3, 400))
    options = [
        ("Unsere Leitung ist immer ", "Herr der Lage", "."),
        ("", "Im Stadtteil Mitte", " fehlt eine Außenstelle."),
        ("Die Beratung ", f"nach Paragraph {r.randint(7, 60)} SGB II", " war gut."),
        ("Leistungen ", f"nach § {r.randint(7, 60)} Abs. {r.randint(1, 5)} SGB XII", " wurden abgelehnt."),
        ("", f"Das Formular {r.randint(1000, 9999)}", " versteht niemand."),
        ("", f"Der Vordruck {s.pick('ABCK')}{r.randint(1, 40)}", " fehlt online."),
        ("", f"Antrag Nr. {r.randint(1, 9)}", " wurde doppelt erfasst."),
        ("Die Nachzahlung von ", f"{r.randint(1, 9)}.{r.randint(100, 999)} Euro", " kam endlich."),
        ("Die Gebühr von ", f"{r.randint(20, 900)} Euro", " ist zu hoch."),
        ("Ich bin ", f"seit {r.randint(2005, 2025)}", " Kundin beim Jobcenter."),
        (
            "Das Bürgerbüro ist nur ",
            f"bis {r.randint(12, 18)}:{s.pick(('00', '15', '30', '45'))} Uhr",
            " geöffnet.",
        ),
        (
            "Wir hatten ",
            f"am {recent.day:02d}.{recent.month:02d}.{recent.year}",
            " einen Termin, der ausfiel.",
        ),
        ("Der Warteraum ", f"im Zimmer {r.randint(100, 450)}", " ist zu klein."),
        ("Ich habe ", f"{r.randint(2, 12)} Wochen", " auf den Bescheid gewartet."),
        ("Im Team liegen ", f"{r.randint(10, 90)} Anträge", " unbearbeitet."),
        ("", f"Amt {r.randint(10, 70)} und Fachbereich {r.randint(1, 9)}", " arbeiten gut zusammen."),
        ("", "Der Koch der Kantine", " kocht hervorragend."),
        ("", "Unser Koch", " in der Kantine ist klasse."),
        ("", "Der Richter am Sozialgericht", " gab mir recht."),
        ("Man wird behandelt ", "wie ein König", "."),
        ("Die Kollegin am Empfang ist ", "ein Engel", "."),
        ("", "Im Sommer", " ist es im Wartebereich zu heiß."),
        ("", "Im Winter", " ist es im Flur zu kalt."),
        ("", "Im Mai", " war alles überlastet."),
        ("Auf dem Tresen steht ", "eine Rose", "."),
        ("Der Service verdient ", "einen Stern", "."),
        ("", "Der Fischer vom Wochenmarkt", " parkt vor dem Rathaus."),
        ("", "Der Schneider", " im Erdgeschoss ist laut."),
        ("Im Stadtwald wurde ", "ein Wolf", " gesichtet."),
        ("", "Am Schalter 3", " ging es schnell."),
        ("", f"{r.randint(2, 6)} Kolleginnen", " sind dauerhaft krank."),
        ("Auf der Warteliste stehen wir auf ", f"Platz {r.randint(1, 9)}", "."),
        ("", "In der Kaiserpfalz", " fand die Versammlung statt."),
        ("", "Die Brücke", " am Rathaus ist seit Wochen gesperrt."),
        ("", "Der Bauer", " vom Markt beschwert sich auch."),
    ]
    return s.pick(options)


# --- German comments --------------------------------------------------------------------------------

_OPENINGS_DE = (
    "Insgesamt bin ich zufrieden.",
    "Ich möchte ein Lob aussprechen.",
    "Leider muss ich mich beschweren.",
    "Die Wartezeit war wieder viel zu lang.",
    "Die Zusammenarbeit zwischen den Ämtern funktioniert inzwischen besser.",
    "Unsere Abteilung ist seit Monaten unterbesetzt.",
    "Die Formulare sind schwer verständlich.",
    "Der Service im Bürgerbüro hat sich verbessert.",
    "Ich fühle mich als Kunde ernst genommen.",
    "Die Leitung kommuniziert offen und ehrlich.",
    "Die Arbeitsbelastung ist kaum noch zu schaffen.",
    "Vom Bittsteller zum Kunden – das merkt man hier noch nicht.",
    "Die Digitalisierung kommt nur langsam voran.",
    "Die Terminvergabe online klappt gut.",
)
_CLOSINGS_DE = (
    "Vielen Dank!",
    "Weiter so!",
    "Bitte ändern Sie das.",
    "Ich hoffe auf Besserung.",
    "Das sollte man einmal im Team besprechen.",
    "Danke für die Geduld.",
    "Mehr Personal würde helfen.",
    "",
)
_NAME_DE = (
    ("{name} hat mir sehr geholfen.", False),
    ("Ein großes Lob an {name} aus dem Bürgerbüro.", False),
    ("Die Zusammenarbeit mit {name} aus dem Jugendamt klappt gut.", True),
    ("Ich wurde von {name} sehr unfreundlich behandelt.", True),
    ("{name} nimmt sich immer Zeit für die Anliegen der Bürger.", False),
    ("Seit {name} die Abteilung leitet, ist die Stimmung besser.", False),
    ("Leider war {name} tagelang nicht erreichbar.", False),
    ("Mein Dank geht an {name}, die meinen Antrag schnell bearbeitet hat.", False),
    ("Ich habe mich bei {name} beschwert, aber nichts ist passiert.", True),
    ("Die Teamleitung durch {name} ist sehr wertschätzend.", False),
    ("Bitte richten Sie {name} meinen Dank aus.", True),
    ("Das Gespräch mit {name} war sachlich und hilfreich.", True),
    ("Am Telefon sagte mir {name}, dass alles erledigt sei.", False),
    ("Ohne {name} hätte ich den Antrag nie verstanden.", False),
    ("Im Jobcenter hat {name} meine Unterlagen geprüft.", False),
    ("Zwischen {name} und der Leitung gibt es oft Streit.", True),
)


def _fill(c: Comment, s: Sources, template: str, slot: Callable[[], None]) -> None:
    before, _, after = template.partition("{x}")
    c.add(before)
    slot()
    c.add(after)


def _sentence_de(c: Comment, s: Sources, kind: str) -> None:
    if kind == "name":
        template, dative = s.pick(_NAME_DE)
        _fill(c, s, template.replace("{name}", "{x}"), lambda: plant_name_de(c, s, dative))
    elif kind == "email":
        _fill(
            c,
            s,
            s.pick(
                (
                    "Schreiben Sie mir an {x}.",
                    "Meine E-Mail-Adresse ist {x}, bitte melden Sie sich.",
                    "Die Antwort kam von {x} – sehr schnell.",
                    "Kontakt: {x}",
                )
            ),
            lambda: c.add(
                s.faker["de_DE"].email() if s.random.random() < 0.7 else s.faker["de_DE"].free_email(),
                "email",
            ),
        )
    elif kind == "phone":
        _fill(
            c,
            s,
            s.pick(
                (
                    "Bitte rufen Sie mich zurück unter {x}.",
                    "Ich bin unter {x} erreichbar.",
                    "Meine Handynummer: {x}.",
                    "Tel. {x}, gerne auch abends.",
                    "Rückruf bitte an {x}.",
                )
            ),
            lambda: c.add(phone(s), "phone"),
        )
    elif kind == "iban":
        _fill(
            c,
            s,
            s.pick(
                (
                    "Das Geld ging an die falsche IBAN {x}.",
                    "Meine Bankverbindung: IBAN {x}.",
                    "Bitte überweisen Sie auf {x}.",
                    "Die Erstattung auf das Konto {x} fehlt noch.",
                )
            ),
            lambda: c.add(iban(s), "iban"),
        )
    elif kind == "birth_date":
        _fill(
            c,
            s,
            s.pick(
                (
                    "Mein Sohn, geboren am {x}, wartet seit Wochen auf den Kita-Platz.",
                    "Ich bin am {x} geboren und habe keinen Ausweis mehr.",
                    "Geburtsdatum: {x}.",
                    "Meine Mutter (geb. {x}) braucht Hilfe beim Antrag.",
                    "Für meinen Vater, der am {x} zur Welt kam, ist das zu kompliziert.",
                )
            ),
            lambda: c.add(birth_date(s, "de"), "birth_date"),
        )
    elif kind == "address":
        _fill(
            c,
            s,
            s.pick(
                (
                    "Ich wohne in der {x} und die Post kommt nie an.",
                    "Neue Anschrift: {x}.",
                    "Die Baustelle vor {x} stört seit Monaten.",
                    "Bitte schicken Sie den Bescheid an {x}.",
                )
            ),
            lambda: c.add(address(s), "address"),
        )
    elif kind == "vehicle":
        _fill(
            c,
            s,
            s.pick(
                (
                    "Mein Auto mit dem Kennzeichen {x} wurde abgeschleppt.",
                    "Der Wagen {x} parkt ständig auf dem Gehweg.",
                    "Der Dienstwagen {x} ist seit Wochen in der Werkstatt.",
                    "Strafzettel für {x} ist falsch.",
                )
            ),
            lambda: c.add(plate(s), "vehicle"),
        )
    else:
        label, number = case_number(s)
        _fill(
            c,
            s,
            s.pick(
                (
                    "Es geht um {x}, bitte prüfen.",
                    "Mein Widerspruch ({x}) ist seit Monaten offen.",
                    "Zu {x} habe ich keine Antwort bekommen.",
                    "Bitte beachten Sie {x}.",
                )
            ),
            lambda: (c.add(label), c.add(number, "case_number")),
        )


def _lookalike_sentence_de(c: Comment, s: Sources) -> None:
    before, lookalike, after = lookalike_de(s)
    c.add(before)
    c.add(lookalike, "lookalike")
    c.add(after)


KINDS = ("name", "email", "phone", "iban", "birth_date", "address", "vehicle", "case_number")


def german_comment(s: Sources) -> Comment:
    c = Comment("de")
    c.add(s.pick(_OPENINGS_DE))
    kinds = s.random.choices(KINDS, weights=(40, 8, 8, 8, 8, 8, 8, 8), k=s.random.randint(1, 2))
    parts = [*kinds, *(["lookalike"] * s.random.randint(0, 2))]
    s.random.shuffle(parts)
    for part in parts:
        c.add(" ")
        if part == "lookalike":
            _lookalike_sentence_de(c, s)
        else:
            _sentence_de(c, s, part)
    closing = s.pick(_CLOSINGS_DE)
    if closing:
        c.add(" " + closing)
    return c


# --- the other languages --------------------------------------------------------------------------


def _name_forms(language: str) -> tuple[str, tuple[tuple[str, str, int], ...]]:
    """(Faker locale, (form, template, weight)): {F} first name, {L} last name, {M} patronymic."""
    forms = {
        "tr": (
            "tr_TR",
            (
                ("title", "Bay {L}", 10),
                ("title", "Bayan {L}", 10),
                ("post", "{F} Bey", 12),
                ("post", "{F} Hanım", 12),
                ("full", "{F} {L}", 30),
                ("first", "{F}", 13),
                ("last", "{L}", 5),
            ),
        ),
        "ru": (
            "ru_RU",
            (
                ("title", "господин {L}", 12),
                ("title", "госпожа {L}", 12),
                ("full", "{F} {L}", 30),
                ("full", "{F} {M}", 14),
                ("first", "{F}", 14),
                ("last", "{L}", 8),
            ),
        ),
        "uk": (
            "uk_UA",
            (
                ("title", "пан {L}", 15),
                ("title", "пані {L}", 15),
                ("full", "{F} {L}", 35),
                ("first", "{F}", 15),
                ("last", "{L}", 10),
            ),
        ),
        "ar": (
            "ar_AA",
            (
                ("title", "السيد {F} {L}", 20),
                ("title", "السيدة {F}", 15),
                ("title", "الأستاذ {L}", 10),
                ("full", "{F} {L}", 30),
                ("first", "{F}", 15),
                ("role", "الموظفة {F}", 10),
            ),
        ),
        "en": (
            "en_GB",
            (
                ("title", "Mr {L}", 12),
                ("title", "Mrs {L}", 10),
                ("title", "Ms {L}", 8),
                ("title", "Dr {L}", 5),
                ("full", "{F} {L}", 35),
                ("first", "{F}", 18),
                ("last", "{L}", 7),
            ),
        ),
        "de-x-ls": ("de_DE", (("title", "Frau {L}", 40), ("title", "Herr {L}", 35), ("first", "{F}", 25))),
    }
    return forms[language]


_TITLE_WORDS = {
    "Bay",
    "Bayan",
    "Bey",
    "Hanım",
    "господин",
    "госпожа",
    "пан",
    "пані",
    "السيد",
    "السيدة",
    "الأستاذ",
    "الموظفة",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Frau",
    "Herr",
}


def plant_name(c: Comment, s: Sources, language: str) -> None:
    locale, forms = _name_forms(language)
    form, template, _ = s.random.choices(forms, weights=[w for _, _, w in forms])[0]
    fake = s.faker[locale]
    values = {"{F}": s.first(locale), "{L}": s.last(locale)}
    if "{M}" in template:
        values["{M}"] = fake.middle_name()
    # the title words stay; the name words in a row are one planted item
    words = template.split()
    for index, word in enumerate(words):
        if index:
            c.add(" ")
        if word in _TITLE_WORDS:
            c.add(word)
        elif index + 1 < len(words) and words[index + 1] not in _TITLE_WORDS:
            continue
        else:
            first = index
            while first > 0 and words[first - 1] not in _TITLE_WORDS:
                first -= 1
            c.text = c.text[: len(c.text) - (index - first)]  # the blanks added for the skipped words
            c.add(" ".join(values[w] for w in words[first : index + 1]), "name", form)


_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "tr": {
        "open": (
            "Genel olarak memnunum.",
            "Bekleme süresi çok uzundu.",
            "Formlar çok karışık.",
            "Personel çok kibardı.",
            "Randevu almak çok zor.",
        ),
        "close": ("Teşekkürler.", "Lütfen düzeltin.", "Başarılar dilerim.", ""),
        "name": (
            "{x} bana çok yardımcı oldu.",
            "{x} ile görüşmem çok iyiydi.",
            "Bürgerbüro'da {x} beni uzun süre bekletti.",
            "{x} sayesinde başvurum hızlı işlendi.",
            "Jobcenter'da {x} çok kaba davrandı.",
        ),
        "email": ("E-posta adresim: {x}.", "Bana {x} adresinden yazabilirsiniz."),
        "phone": ("Telefon numaram {x}, lütfen arayın.", "Beni {x} numarasından arayabilirsiniz."),
        "iban": ("IBAN numaram {x}.", "Para yanlış hesaba gitti: {x}."),
        "birth_date": ("Doğum tarihim {x}.", "Oğlum {x} tarihinde doğdu."),
        "address": ("Adresim: {x}.", "Mektup {x} adresine gelmedi."),
        "vehicle": ("Arabamın plakası {x}.", "{x} plakalı araç çekildi."),
        "case_number": ("Dosya numarası {x}, lütfen kontrol edin.", "Aktenzeichen {x} hakkında cevap yok."),
        "lookalike": (
            "3 hafta bekledim.",
            "2019'dan beri buradayım.",
            "Saat 16:30'a kadar açık.",
            "Formular 4711 çok karışık.",
            "Zimmer 204'te bekledim.",
            "1.250 Euro ödedim.",
            "SGB II konusunda yardım aldım.",
            "40 başvuru var.",
        ),
    },
    "ru": {
        "open": (
            "В целом я доволен.",
            "Ждать пришлось очень долго.",
            "Формуляры очень сложные.",
            "Сотрудники были вежливы.",
            "Записаться на приём трудно.",
        ),
        "close": ("Спасибо.", "Пожалуйста, исправьте это.", ""),
        "name": (
            "{x} мне очень помог.",
            "Меня принимал {x}, всё было быстро.",
            "{x} всегда находит время для посетителей.",
            "Сотрудник {x} был очень вежлив.",
            "{x} разговаривал со мной грубо.",
        ),
        "email": ("Моя почта {x}.", "Пишите мне на {x}."),
        "phone": ("Мой телефон: {x}.", "Позвоните мне по номеру {x}."),
        "iban": ("Мой IBAN: {x}.", "Деньги ушли на неправильный счёт {x}."),
        "birth_date": ("Дата рождения: {x}.", "Мой сын родился {x}."),
        "address": ("Я живу по адресу {x}.", "Письмо на адрес {x} не пришло."),
        "vehicle": ("Номер моей машины {x}.", "Машину {x} эвакуировали."),
        "case_number": ("Номер дела {x}, проверьте, пожалуйста.", "По Aktenzeichen {x} ответа нет."),
        "lookalike": (
            "Я ждал 3 недели.",
            "Я здесь с 2019 года.",
            "Открыто до 16:30.",
            "Formular 4711 очень сложный.",
            "Ждал в Zimmer 204.",
            "Заплатил 1.250 евро.",
            "Вопрос по SGB II.",
            "В Москве было проще.",
        ),
    },
    "uk": {
        "open": (
            "Загалом я задоволений.",
            "Чекати довелося дуже довго.",
            "Формуляри дуже складні.",
            "Працівники були ввічливі.",
        ),
        "close": ("Дякую.", "Будь ласка, виправте це.", ""),
        "name": (
            "{x} мені дуже допоміг.",
            "Мене приймав {x}, все було швидко.",
            "{x} завжди знаходить час.",
            "Працівник {x} був дуже ввічливий.",
            "{x} розмовляв зі мною грубо.",
        ),
        "email": ("Моя пошта {x}.", "Пишіть мені на {x}."),
        "phone": ("Мій телефон: {x}.", "Зателефонуйте мені за номером {x}."),
        "iban": ("Мій IBAN: {x}.", "Гроші пішли на неправильний рахунок {x}."),
        "birth_date": ("Дата народження: {x}.", "Мій син народився {x}."),
        "address": ("Я живу за адресою {x}.", "Лист на адресу {x} не прийшов."),
        "vehicle": ("Номер моєї машини {x}.", "Машину {x} евакуювали."),
        "case_number": ("Номер справи {x}, перевірте, будь ласка.", "По Aktenzeichen {x} відповіді немає."),
        "lookalike": (
            "Я чекав 3 тижні.",
            "Я тут з 2019 року.",
            "Відкрито до 16:30.",
            "Formular 4711 дуже складний.",
            "Чекав у Zimmer 204.",
            "Заплатив 1.250 євро.",
            "Питання щодо SGB II.",
            "У Києві було простіше.",
        ),
    },
    "ar": {
        "open": (
            "بشكل عام أنا راض.",
            "كان الانتظار طويلا جدا.",
            "الاستمارات صعبة الفهم.",
            "الموظفون كانوا لطفاء.",
        ),
        "close": ("شكرا.", "أرجو تحسين ذلك.", ""),
        "name": (
            "ساعدني {x} كثيرا.",
            "كان {x} لطيفا جدا معي.",
            "أشكر {x} على المساعدة.",
            "تعامل معي {x} بشكل سيء.",
            "استقبلني {x} في المكتب.",
        ),
        "email": ("بريدي الإلكتروني {x}.", "راسلوني على {x}."),
        "phone": ("رقم هاتفي {x}.", "اتصلوا بي على الرقم {x}."),
        "iban": ("رقم الآيبان {x}.", "ذهب المال إلى حساب خاطئ {x}."),
        "birth_date": ("تاريخ الميلاد: {x}.", "ولد ابني في {x}."),
        "address": ("عنواني {x}.", "لم تصل الرسالة إلى {x}."),
        "vehicle": ("رقم سيارتي {x}.", "تم سحب السيارة {x}."),
        "case_number": ("رقم الملف {x}، أرجو المراجعة.", "لا يوجد رد بخصوص Aktenzeichen {x}."),
        "lookalike": (
            "انتظرت 3 أسابيع.",
            "أنا هنا منذ 2019.",
            "مفتوح حتى الساعة 16:30.",
            "Formular 4711 صعب جدا.",
            "انتظرت في Zimmer 204.",
            "دفعت 1.250 يورو.",
            "سؤال بخصوص SGB II.",
            "الخدمة جميلة والموظف كريم.",
        ),
    },
    "en": {
        "open": (
            "Overall I am satisfied.",
            "The waiting time was far too long.",
            "The forms are hard to understand.",
            "Staff were friendly.",
            "Booking an appointment is difficult.",
        ),
        "close": (
            "Thank you.",
            "Please fix this.",
            "Will you please answer my letter?",
            "May I suggest more staff?",
            "",
        ),
        "name": (
            "{x} helped me a lot.",
            "I spoke to {x} at the counter.",
            "Thanks to {x} for the quick reply.",
            "{x} was rude and impatient.",
            "My caseworker {x} explained everything.",
        ),
        "email": ("My email is {x}.", "Please write to {x}."),
        "phone": ("Call me on {x}.", "My phone number is {x}."),
        "iban": ("My IBAN is {x}.", "The money went to the wrong account {x}."),
        "birth_date": ("Date of birth: {x}.", "My son was born on {x}."),
        "address": ("I live at {x}.", "The letter never arrived at {x}."),
        "vehicle": ("My car {x} was towed.", "The van {x} blocks the pavement."),
        "case_number": ("Case number {x}, please check.", "No answer about Aktenzeichen {x}."),
        "lookalike": (
            "I waited 3 weeks.",
            "I have lived here since 2019.",
            "Open until 4:30 pm.",
            "Please mark the form clearly.",
            "I waited in room 204.",
            "I paid 1,250 euros.",
            "Will anyone read this?",
            "May was the worst month.",
        ),
    },
    "de-x-ls": {
        "open": (
            "Ich war im Amt.",
            "Ich musste lange warten.",
            "Das Formular war schwer.",
            "Alle waren nett.",
        ),
        "close": ("Danke.", "Bitte besser machen.", ""),
        "name": ("{x} hat mir gut geholfen.", "{x} war nett zu mir.", "{x} hat alles gut erklärt."),
        "email": ("Meine E-Mail ist {x}.",),
        "phone": ("Meine Telefon-Nummer ist {x}.",),
        "iban": ("Mein Konto: {x}.",),
        "birth_date": ("Mein Geburts-Tag ist am {x}.",),
        "address": ("Ich wohne in der {x}.",),
        "vehicle": ("Mein Auto hat die Nummer {x}.",),
        "case_number": ("Meine Akten-Nummer ist Aktenzeichen {x}.",),
        "lookalike": (
            "Ich habe 3 Wochen gewartet.",
            "Ich war im Zimmer 204.",
            "Im Sommer ist es voll.",
            "Das Formular 4711 ist schwer.",
            "Ich wohne seit 2019 hier.",
        ),
    },
}
_PHONE_LOCALE = {"tr": "tr_TR", "ru": "ru_RU", "uk": "uk_UA", "en": "en_GB"}


def _item(c: Comment, s: Sources, language: str, kind: str) -> None:
    if kind == "name":
        plant_name(c, s, language)
    elif kind == "email":
        c.add(s.faker[_name_forms(language)[0]].email(), "email")
    elif kind == "phone":
        local = _PHONE_LOCALE.get(language)
        c.add(phone(s, local if local and s.random.random() < 0.4 else "de_DE"), "phone")
    elif kind == "iban":
        c.add(iban(s), "iban")
    elif kind == "birth_date":
        c.add(birth_date(s, language), "birth_date")
    elif kind == "address":
        c.add(address(s), "address")
    elif kind == "vehicle":
        c.add(plate(s), "vehicle")
    else:
        c.add(case_number(s)[1], "case_number")


def other_comment(s: Sources, language: str) -> Comment:
    texts = _TEMPLATES[language]
    c = Comment(language)
    c.add(s.pick(texts["open"]))
    kinds = s.random.choices(KINDS, weights=(30, 10, 10, 10, 10, 10, 10, 10), k=s.random.randint(1, 2))
    parts = [*kinds, *(["lookalike"] * s.random.randint(0, 1))]
    s.random.shuffle(parts)
    for part in parts:
        c.add(" ")
        if part == "lookalike":
            c.add(s.pick(texts["lookalike"]), "lookalike")
        else:
            _fill(c, s, s.pick(texts[part]), lambda part=part: _item(c, s, language, part))
    closing = s.pick(texts["close"])
    if closing:
        c.add(" " + closing)
    return c


LANGUAGES = ("tr", "ar", "uk", "ru", "en", "de-x-ls")


def corpus(seed: int = SEED, german: int = 320, per_language: int = 16) -> list[Comment]:
    """The comments, the same for the same seed (and Faker version)."""
    s = Sources(seed)
    comments = [german_comment(s) for _ in range(german)]
    for language in LANGUAGES:
        comments.extend(other_comment(s, language) for _ in range(per_language))
    return comments


if __name__ == "__main__":  # print a sample
    for comment in corpus()[::25]:
        print(comment.language, comment.text)
        print("   ", [(p.kind, p.text) for p in comment.planted], comment.lookalikes)


# --- evaluation ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\[[^\[\]\n]{1,40}\]|\w+|[^\w\s]")


@dataclass
class Score:
    """Recall per kind, and the ordinary words removed, per kind of the marker that removed them."""

    planted: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    #: found and replaced by the marker of the right kind
    right_marker: dict[str, int] = field(default_factory=dict)
    words: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    wrongly_removed: list[tuple[str, str]] = field(default_factory=list)
    by_form: dict[str, list[int]] = field(default_factory=dict)

    def recall(self, kind: str | None = None) -> float:
        if kind is None:
            return sum(self.found.values()) / max(1, sum(self.planted.values()))
        return self.found.get(kind, 0) / max(1, self.planted.get(kind, 0))

    def false_removal(self, kind: str | None = None) -> float:
        removed = sum(self.removed.values()) if kind is None else self.removed.get(kind, 0)
        return removed / max(1, self.words)


def evaluate(
    comments: list[Comment], redact: Callable[[str, str], str], markers: dict[str, dict[str, str]]
) -> Score:
    import difflib

    kind_of = {marker: kind for table in markers.values() for kind, marker in table.items()}
    score = Score()
    for comment in comments:
        redacted = redact(comment.text, comment.language)
        before = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(comment.text)]
        after = [m.group() for m in _TOKEN.finditer(redacted)]
        removed: dict[int, str | None] = {}  # token index → kind of the marker that replaced it
        matcher = difflib.SequenceMatcher(None, [t for t, _, _ in before], after, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op in ("replace", "delete"):
                inserted = [kind_of[t] for t in after[j1:j2] if t in kind_of]
                for i in range(i1, i2):
                    removed[i] = inserted[0] if inserted else None
        _score_comment(comment, redacted, before, removed, score)
    return score


def _score_comment(
    comment: Comment,
    redacted: str,
    before: list[tuple[str, int, int]],
    removed: dict[int, str | None],
    score: Score,
) -> None:
    inside = set()
    for item in comment.planted:
        tokens = [
            i for i, (t, s, e) in enumerate(before) if s < item.end and item.start < e and t[0].isalnum()
        ]
        inside.update(i for i, (_, s, e) in enumerate(before) if s < item.end and item.start < e)
        gone = all(i in removed for i in tokens) and any(removed[i] for i in tokens)
        score.planted[item.kind] = score.planted.get(item.kind, 0) + 1
        if item.form:
            score.by_form.setdefault(item.form, [0, 0])[1] += 1
        if gone:
            score.found[item.kind] = score.found.get(item.kind, 0) + 1
            if item.form:
                score.by_form[item.form][0] += 1
            if any(removed[i] == item.kind for i in tokens):
                score.right_marker[item.kind] = score.right_marker.get(item.kind, 0) + 1
        else:
            score.missed.append((item.kind, item.text, redacted))
    for i, (token, _, _) in enumerate(before):
        if i in inside or not token[0].isalnum():
            continue
        score.words += 1
        if i in removed:
            kind = removed[i] or "(none)"
            score.removed[kind] = score.removed.get(kind, 0) + 1
            score.wrongly_removed.append((token, comment.text))
