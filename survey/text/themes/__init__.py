"""Themes per Leitbild value for free-text comments, near-duplicates merged, keywords as a hint.

Leads read a wave's comments (redacted already: `[Name]` and the like stand in for what was
removed) grouped per Leitbild value into themes, with counts. Everything runs on the Kommune's own
server: simplemma's German dictionary, rapidfuzz and YAKE ship with their packages; no model is
downloaded, nothing leaves the machine.

The codebook (one per Leitbild; the demo's is questionnaires/_codebooks/lindenau.yaml, the
survey office edits its copy in the browser) lists per value the themes, each with a key (the
theme code in exports), a label per language, German words (`lemmas`) and phrases. How a comment
is matched:

- Its words are lemmatised with simplemma (German); a theme matches where one of the words is one
  of its lemmas, or ends in one (a compound: `Bürgerbürotermin` is about `Termin`, see `_assign`),
  or where one of its phrases occurs. Redaction markers are no words.
- German only, honestly: the codebook's words are German, so themes match German comments and
  Leichte Sprache (`de-x-ls`). A comment in another language (tr, ar, uk, ru, en …) is listed
  under its language, merged but not themed. simplemma could lemmatise most of those languages,
  but matching them would need the codebook's words in each language as well; until a Kommune
  asks for that, listing them apart is the truthful answer, where a translated word list kept
  half up to date would silently undercount.
- A word or phrase belongs to one theme of a value (the file is refused otherwise); two themes of
  different values may share one.
- A comment may be about several themes, and so several values: counts per theme and per value
  then overlap.

The rooms:

    _model      Theme, Codebook, CodebookFileError
    _codebook   reading and checking a codebook file or text
    _words      words, markers, lemmas (cached), German or not
    _assign     which themes a comment is about
    _merge      identical and near-identical comments merged
    _groups     comments grouped per value and theme for a page, in random order
    _keywords   YAKE keywords of a set of comments
"""

from survey.text.themes._assign import assign
from survey.text.themes._codebook import check_codebook_text, load_codebook, read_codebook_text
from survey.text.themes._groups import LanguageGroup, ThemeGroup, ThemeGroups, ValueGroup, group_comments
from survey.text.themes._keywords import keywords
from survey.text.themes._merge import MERGE_THRESHOLD, MergedComment, merge_near_duplicates
from survey.text.themes._model import Codebook, CodebookFileError, Theme
from survey.text.themes._words import MARKER

__all__ = [
    "MARKER",
    "MERGE_THRESHOLD",
    "Codebook",
    "CodebookFileError",
    "LanguageGroup",
    "MergedComment",
    "Theme",
    "ThemeGroup",
    "ThemeGroups",
    "ValueGroup",
    "assign",
    "check_codebook_text",
    "group_comments",
    "keywords",
    "load_codebook",
    "merge_near_duplicates",
    "read_codebook_text",
]
