"""Load and check the questionnaire folder: Leitbild files and questionnaire versions.

Layout (DESIGN §4): `questionnaires/<leitbild>.yaml` for each Leitbild, and
`questionnaires/<questionnaire>/v<N>.yaml` for each version. Every problem in every file is
collected before anything is refused, so one run of `survey questionnaires check` lists them all.

A version names its Leitbild by key (`leitbild: lindenau`), never by a path: the schema lets only
an id through (`leitbild: ../../etc/passwd` is a problem of the file), and the key is looked up
among the Leitbild files read from this folder. Nothing else in a file refers to another file.

The rooms behind this door:

    _model      Catalog: what a checked folder holds
    _folder     the folder walk: which files are read, in which order, and what loads
    _texts      languages and text maps (one text per declared language)
    _leitbild   the checks of a Leitbild file
    _version    the checks of one version file on its own
    _changes    the checks between v(N-1) and vN
    _document   one version's document checked: on its own and against the version before
    _text_check one version or Leitbild given as text (a draft, an upload), and the YAML written
"""

from survey.domain.catalog._folder import check_catalog, load_catalog
from survey.domain.catalog._model import Catalog
from survey.domain.catalog._text_check import (
    CheckedText,
    check_leitbild_text,
    check_version_text,
    items_with_problems,
    yaml_text,
)
from survey.domain.catalog._texts import valid_language

__all__ = [
    "Catalog",
    "CheckedText",
    "check_catalog",
    "check_leitbild_text",
    "check_version_text",
    "items_with_problems",
    "load_catalog",
    "valid_language",
    "yaml_text",
]
