"""A scoring method: every choice of how a month is scored, recorded with each run.

The default is absolute: each indicator placed between fixed goalposts (its floor and
target, values beyond them clipped), missing indicators' weights spread over the present
ones (with a coverage minimum), grades by fixed score thresholds, so a colour is a level
of management and every station can reach red. ``LEAGUE_TABLE`` is the foundation's
method (min-max normalisation against the month's best and worst, 20 % of the stations
per colour), kept for companies that want stations ranked against each other.
A company may choose another method as a new version (``scoring.models.MethodVersion``);
the engine reads only this frozen dataclass, so it stays free of Django.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from scoring.engine.grades import GRADE_ORDER

MINMAX = "minmax"
GOALPOSTS = "goalposts"
ZSCORE = "zscore"
PERCENTILE = "percentile"
NORMALISATIONS = (MINMAX, GOALPOSTS, ZSCORE, PERCENTILE)

REWEIGHT = "reweight"
CARRY_FORWARD = "carry_forward"
DISQUALIFY = "disqualify"
MISSING_POLICIES = (REWEIGHT, CARRY_FORWARD, DISQUALIFY)

QUOTAS = "quotas"
THRESHOLDS = "thresholds"
NATURAL_BREAKS = "natural_breaks"
GRADINGS = (QUOTAS, THRESHOLDS, NATURAL_BREAKS)

CAP_OPERATORS = (">=", ">", "<=", "<")


@dataclass(frozen=True)
class Cap:
    """An indicator rule limiting the grade: if ``indicator`` ``operator`` ``value`` holds
    for the station's raw value, its grade is at best ``grade`` (e.g. safety incidents
    ≥ 1 → at best blue). A missing value never triggers a cap."""

    indicator: str
    operator: str
    value: float
    grade: str

    def __post_init__(self) -> None:
        if self.operator not in CAP_OPERATORS:
            raise ValueError(f"cap operator must be one of {', '.join(CAP_OPERATORS)}")
        if self.grade not in GRADE_ORDER[1:]:
            raise ValueError(f"a cap limits the grade to one of {', '.join(GRADE_ORDER[1:])}")
        if not math.isfinite(self.value):
            raise ValueError("a cap's value must be a finite number")

    @property
    def rule(self) -> str:
        return f"{self.operator} {self.value:g}"


def _pairs(mapping) -> tuple:
    """A dict (or pairs) as sorted pairs: hashable and equal whatever the input order."""
    items = mapping.items() if isinstance(mapping, dict) else mapping
    return tuple(sorted((str(key), value) for key, value in items))


@dataclass(frozen=True)
class ScoringMethod:
    """How one month is scored. Every field has the default (absolute) value.

    - ``normalisation``: ``minmax`` (relative to the month's best and worst),
      ``goalposts`` (fixed low/high per indicator, values outside clipped: absolute),
      ``zscore`` (50 + 50·z/``zscore_clip_sd``, clipped to 0–100) or ``percentile``
      (the share of the other stations the station does better than).
    - ``winsor_pct``: for min-max, clip each indicator at these percentiles first, so one
      extreme station does not squash everyone else (e.g. (5, 95)).
    - ``goalposts``: indicator code → (low, high) raw values mapped to 0 and 100 (the
      direction decides which end is good); an indicator not listed uses its valid range.
    - ``missing``: indicator code → ``reweight`` (default: the weight is spread over the
      present indicators), ``carry_forward`` (the station's last value of at most
      ``carry_forward_months`` months before, flagged) or ``disqualify`` (no grade).
    - ``coverage_min_pct``: share of the total weight a station needs data for.
    - ``grading``: ``quotas`` (``quotas_pct``, best first), ``thresholds`` (the score each
      grade starts at, red to green, e.g. (90, 80, 70, 60)) or ``natural_breaks`` (the
      optimal 1-D partition into five classes, Fisher–Jenks).
    - ``peer_groups``: grade within each station's peer group instead of the company.
    - ``caps``: indicator rules limiting the grade.
    - ``decimals``: scores are rounded half up and compared at this precision.
    """

    normalisation: str = GOALPOSTS
    winsor_pct: tuple[float, float] | None = None
    goalposts: tuple[tuple[str, tuple[float, float]], ...] = ()
    zscore_clip_sd: float = 3.0
    missing: tuple[tuple[str, str], ...] = ()
    carry_forward_months: int = 3
    coverage_min_pct: float = 80.0
    grading: str = THRESHOLDS
    quotas_pct: tuple[int, ...] = field(default=(20, 20, 20, 20, 20))
    thresholds: tuple[float, ...] = (90.0, 80.0, 70.0, 60.0)
    peer_groups: bool = False
    caps: tuple[Cap, ...] = ()
    decimals: int = 2

    def __post_init__(self) -> None:
        # Accept dicts and lists (from a form or a stored record), keep tuples.
        object.__setattr__(self, "quotas_pct", tuple(int(q) for q in self.quotas_pct))
        object.__setattr__(self, "thresholds", tuple(float(t) for t in self.thresholds))
        goalposts = tuple(
            (code, (float(low), float(high))) for code, (low, high) in _pairs(self.goalposts)
        )
        object.__setattr__(self, "goalposts", goalposts)
        object.__setattr__(self, "missing", _pairs(self.missing))
        caps = tuple(cap if isinstance(cap, Cap) else Cap(**cap) for cap in self.caps)
        object.__setattr__(self, "caps", caps)
        if self.winsor_pct is not None:
            low, high = (float(p) for p in self.winsor_pct)
            object.__setattr__(self, "winsor_pct", (low, high))
        self._check()

    def _check(self) -> None:
        if self.normalisation not in NORMALISATIONS:
            raise ValueError(f"normalisation must be one of {', '.join(NORMALISATIONS)}")
        if self.grading not in GRADINGS:
            raise ValueError(f"grading must be one of {', '.join(GRADINGS)}")
        if len(self.quotas_pct) != len(GRADE_ORDER):
            raise ValueError(f"quotas_pct needs {len(GRADE_ORDER)} shares, one per grade")
        if any(q < 0 for q in self.quotas_pct) or sum(self.quotas_pct) != 100:
            raise ValueError("quotas_pct must be non-negative and sum to 100")
        if not 0 <= self.coverage_min_pct <= 100:
            raise ValueError("coverage_min_pct must be between 0 and 100")
        if len(self.thresholds) != len(GRADE_ORDER) - 1:
            raise ValueError("thresholds needs 4 scores: where red, orange, blue, green start")
        if any(not 0 <= t <= 100 for t in self.thresholds) or any(
            a <= b for a, b in zip(self.thresholds, self.thresholds[1:], strict=False)
        ):
            raise ValueError("thresholds must lie in 0–100 and fall from red to green")
        if self.winsor_pct is not None:
            if self.normalisation != MINMAX:
                raise ValueError("winsor_pct applies to min-max normalisation only")
            low, high = self.winsor_pct
            if not 0 <= low < high <= 100:
                raise ValueError("winsor_pct must be two percentiles, 0 ≤ low < high ≤ 100")
        for code, (low, high) in self.goalposts:
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError(f"goalposts of {code}: low must be below high")
        if not self.zscore_clip_sd > 0:
            raise ValueError("zscore_clip_sd must be positive")
        for code, policy in self.missing:
            if policy not in MISSING_POLICIES:
                raise ValueError(f"missing-data policy of {code} must be one of {MISSING_POLICIES}")
        if not 1 <= self.carry_forward_months <= 24:
            raise ValueError("carry_forward_months must be between 1 and 24")
        if not 0 <= self.decimals <= 4:
            raise ValueError("decimals must be between 0 and 4")

    # --- reading the choices --------------------------------------------------------

    @property
    def label(self) -> str:
        """A short name stored with each run, e.g. ``minmax/quotas``."""
        return f"{self.normalisation}/{self.grading}"

    @property
    def relative(self) -> bool:
        """Whether a station's normalised value depends on the other stations' values."""
        return self.normalisation != GOALPOSTS

    def policy(self, code: str) -> str:
        return dict(self.missing).get(code, REWEIGHT)

    def codes_with(self, policy: str) -> list[str]:
        return [code for code, chosen in self.missing if chosen == policy]

    def goalposts_for(self, code: str) -> tuple[float, float] | None:
        return dict(self.goalposts).get(code)

    # --- storing -------------------------------------------------------------------

    def as_record(self) -> dict:
        """A JSON-ready dict, stored with each run so the month can be recomputed exactly."""
        record = asdict(self)
        record["quotas_pct"] = list(self.quotas_pct)
        record["thresholds"] = list(self.thresholds)
        record["winsor_pct"] = list(self.winsor_pct) if self.winsor_pct else None
        record["goalposts"] = {code: list(bounds) for code, bounds in self.goalposts}
        record["missing"] = dict(self.missing)
        record["caps"] = [asdict(cap) for cap in self.caps]
        return record

    @classmethod
    def from_record(cls, record: dict) -> ScoringMethod:
        """Rebuild from a stored record. Keys stored beside the parameters (directions,
        the name and version of earlier records) are ignored. A missing normalisation or
        grading is the one used before they could be chosen (min-max, quotas: records of
        that time name neither), other missing keys take their default, so every earlier
        run's record still reads as the method it used."""
        names = {item.name for item in fields(cls)}
        params: dict[str, Any] = {"normalisation": MINMAX, "grading": QUOTAS}
        params.update({key: value for key, value in record.items() if key in names})
        return cls(**params)


#: The product's default: absolute (goalposts, fixed thresholds 90/80/70/60). An
#: indicator it names no goalposts for is placed within its valid range.
DEFAULT_METHOD = ScoringMethod()

#: The league table: min-max against the month's best and worst station, a fixed 20 %
#: of the graded stations per colour (the foundation's method, the default until 2026-12).
LEAGUE_TABLE = ScoringMethod(normalisation=MINMAX, grading=QUOTAS)
