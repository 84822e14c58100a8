"""Texts LimeSurvey prints itself (no answer, yes/no, …) in the languages a Kommune most often
offers. A language missing here gets the English text, and the import report says so, so the
survey office can translate it in the file."""

from __future__ import annotations

__all__ = ["fixed_label"]

_LABELS: dict[str, dict[str, str]] = {
    "no_answer": {
        "de": "keine Angabe", "en": "no answer", "fr": "sans réponse", "it": "nessuna risposta",
        "es": "sin respuesta", "ru": "нет ответа", "tr": "cevap yok", "uk": "без відповіді",
        "pl": "brak odpowiedzi", "nl": "geen antwoord", "ar": "لا إجابة", "pt": "sem resposta",
    },
    "yes": {
        "de": "Ja", "en": "Yes", "fr": "Oui", "it": "Sì", "es": "Sí", "ru": "Да", "tr": "Evet",
        "uk": "Так", "pl": "Tak", "nl": "Ja", "ar": "نعم", "pt": "Sim",
    },
    "no": {
        "de": "Nein", "en": "No", "fr": "Non", "it": "No", "es": "No", "ru": "Нет", "tr": "Hayır",
        "uk": "Ні", "pl": "Nie", "nl": "Nee", "ar": "لا", "pt": "Não",
    },
    "uncertain": {
        "de": "Unsicher", "en": "Uncertain", "fr": "Incertain", "it": "Incerto", "es": "Indeciso",
        "ru": "Не уверен(а)", "tr": "Emin değilim", "uk": "Не впевнений(а)", "pl": "Nie wiem",
        "nl": "Weet niet", "ar": "غير متأكد", "pt": "Incerto",
    },
    "increase": {
        "de": "Zunahme", "en": "Increase", "fr": "Augmentation", "it": "Aumento", "es": "Aumento",
        "ru": "Увеличение", "tr": "Artış", "uk": "Збільшення", "pl": "Wzrost", "nl": "Toename",
        "ar": "زيادة", "pt": "Aumento",
    },
    "same": {
        "de": "Gleich", "en": "Same", "fr": "Identique", "it": "Uguale", "es": "Igual", "ru": "Без изменений",
        "tr": "Aynı", "uk": "Без змін", "pl": "Bez zmian", "nl": "Gelijk", "ar": "كما هو", "pt": "Igual",
    },
    "decrease": {
        "de": "Abnahme", "en": "Decrease", "fr": "Diminution", "it": "Diminuzione", "es": "Disminución",
        "ru": "Уменьшение", "tr": "Azalış", "uk": "Зменшення", "pl": "Spadek", "nl": "Afname",
        "ar": "نقصان", "pt": "Diminuição",
    },
    "female": {
        "de": "Weiblich", "en": "Female", "fr": "Féminin", "it": "Femminile", "es": "Femenino",
        "ru": "Женский", "tr": "Kadın", "uk": "Жіноча", "pl": "Kobieta", "nl": "Vrouw", "ar": "أنثى",
        "pt": "Feminino",
    },
    "male": {
        "de": "Männlich", "en": "Male", "fr": "Masculin", "it": "Maschile", "es": "Masculino",
        "ru": "Мужской", "tr": "Erkek", "uk": "Чоловіча", "pl": "Mężczyzna", "nl": "Man", "ar": "ذكر",
        "pt": "Masculino",
    },
}  # fmt: skip


def fixed_label(key: str, language: str) -> tuple[str, bool]:
    """The label in `language` (or its base language), and whether it had to be English."""
    labels = _LABELS[key]
    for candidate in (language, language.split("-")[0]):
        if candidate in labels:
            return labels[candidate], False
    return labels["en"], language.split("-")[0] != "en"
