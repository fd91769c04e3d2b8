"""The parameters of the default method, recorded with every computed month."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from scoring.engine.grades import GRADE_ORDER


@dataclass(frozen=True)
class ScoringMethod:
    """Min-max normalisation, weighted mean over present indicators, grade by quotas.

    ``quotas_pct`` gives each grade's share of the graded stations, best first, in
    whole percent; ``coverage_min_pct`` is the share of the total weight a station
    must have data for to be graded at all.
    """

    name: str = "minmax_quota"
    version: int = 1
    coverage_min_pct: float = 80.0
    quotas_pct: tuple[int, ...] = field(default=(20, 20, 20, 20, 20))
    decimals: int = 2

    def __post_init__(self) -> None:
        if len(self.quotas_pct) != len(GRADE_ORDER):
            raise ValueError(f"quotas_pct needs {len(GRADE_ORDER)} shares, one per grade")
        if any(q < 0 for q in self.quotas_pct) or sum(self.quotas_pct) != 100:
            raise ValueError("quotas_pct must be non-negative and sum to 100")
        if not 0 <= self.coverage_min_pct <= 100:
            raise ValueError("coverage_min_pct must be between 0 and 100")

    @property
    def label(self) -> str:
        return f"{self.name}/v{self.version}"

    def as_record(self) -> dict:
        """A JSON-ready dict, stored with each run so the month can be recomputed exactly."""
        record = asdict(self)
        record["quotas_pct"] = list(self.quotas_pct)
        return record

    @classmethod
    def from_record(cls, record: dict) -> ScoringMethod:
        """Rebuild from a stored record (keys stored beside the parameters are ignored)."""
        names = {item.name for item in fields(cls)}
        known = {key: value for key, value in record.items() if key in names}
        return cls(**{**known, "quotas_pct": tuple(record["quotas_pct"])})


DEFAULT_METHOD = ScoringMethod()
