"""What a checked questionnaire folder holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from survey.domain.questionnaire import Leitbild, QuestionnaireVersion
from survey.errors import UnknownVersion


@dataclass
class Catalog:
    """The checked content of a questionnaire folder."""

    root: Path
    leitbilder: dict[str, Leitbild] = field(default_factory=dict)
    versions: dict[tuple[str, int], QuestionnaireVersion] = field(default_factory=dict)
    files: dict[tuple[str, int], str] = field(default_factory=dict)

    def questionnaires(self) -> list[str]:
        return sorted({q for q, _ in self.versions})

    def versions_of(self, questionnaire: str) -> list[QuestionnaireVersion]:
        return [self.versions[k] for k in sorted(self.versions) if k[0] == questionnaire]

    def version(self, questionnaire: str, number: int) -> QuestionnaireVersion:
        try:
            return self.versions[(questionnaire, number)]
        except KeyError:
            known = ", ".join(f"v{v.version}" for v in self.versions_of(questionnaire))
            if not known:
                names = ", ".join(self.questionnaires()) or "none"
                raise UnknownVersion(
                    f"there is no questionnaire `{questionnaire}` in {self.root} (questionnaires: {names})"
                ) from None
            raise UnknownVersion(
                f"{questionnaire} has no version {number} in {self.root} (versions: {known})"
            ) from None
