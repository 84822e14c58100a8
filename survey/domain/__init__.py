"""The domain: Leitbild, questionnaires and their versions, the organisation.

Pure Python (plus msgspec, yaml, jsonschema, babel): no database, no web.
"""

from survey.domain.catalog import Catalog, check_catalog, load_catalog, valid_language
from survey.domain.diff import ValueTrend, VersionDiff, diff_versions
from survey.domain.org import Organisation, OrgUnit, ServicePoint, check_org, load_org
from survey.domain.questionnaire import (
    Item,
    Leitbild,
    LeitbildValue,
    Option,
    QuestionnaireVersion,
    Scale,
    content_hash,
)

__all__ = [
    "Catalog",
    "Item",
    "Leitbild",
    "LeitbildValue",
    "Option",
    "OrgUnit",
    "Organisation",
    "QuestionnaireVersion",
    "Scale",
    "ServicePoint",
    "ValueTrend",
    "VersionDiff",
    "check_catalog",
    "check_org",
    "content_hash",
    "diff_versions",
    "load_catalog",
    "load_org",
    "valid_language",
]
