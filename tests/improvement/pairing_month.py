"""A scored month small enough to check the pairing and help pages by hand.

Seven stations, equal weights; only two indicators differ between them (the other eight
are equal everywhere, so every station is at 100 there and nobody lags on them). Raw
values span 0–100 on both, so each normalised value equals the raw one:

| station | safety | customer_satisfaction | score | rank | grade |
|---|---|---|---|---|---|
| 鄞江 | 100 | 100 | 100.0 | 1 | red |
| 古林 | 90 | 60 | 95.0 | 2 | orange |
| 石碶 | 50 | 90 | 94.0 | 3 | orange |
| 集士港 | 70 | 60 | 93.0 | 4 | blue |
| 洞桥 | 20 | 50 | 87.0 | 5 | green |
| 横溪 | 60 | 0 | 86.0 | 6 | green |
| 梅林 | 0 | 40 | 84.0 | 7 | yellow |

(N = 7: cut-offs 1, 3, 4, 6, 7.) Medians: safety 60, customer satisfaction 60; each
indicator's share is 1/10. Benefits (share · gap · lead / 100):

- 梅林–鄞江: safety 0.1 · 60 · 100 / 100 = 6.0, customer 0.1 · 20 · 60 / 100 = 1.2: 7.2
- 洞桥–古林: 0.1 · 40 · 70 / 100 + 0.1 · 10 · 10 / 100 = 2.9; 洞桥–石碶: 1.2 + 0.4 = 1.6
- 横溪–古林: 0.1 · 60 · 60 / 100 = 3.6; 横溪–石碶: 0.1 · 60 · 90 / 100 = 5.4

The proposal: 梅林–鄞江 7.2, 洞桥–古林 2.9, 横溪–石碶 5.4 (total 15.5; the swap of the
green ones gives 1.6 + 3.6, a total of 12.4, 80 % of it). On its own, each indicator
grades 梅林 yellow on safety and 横溪 yellow on customer satisfaction.
"""

from __future__ import annotations

from stations.models import Station
from tests.builders import run_month, write_values
from tests.factories import SEPTEMBER, StationFactory

#: name → (safety, customer_satisfaction, latitude): all at longitude 121.5.
STATIONS = {
    "鄞江供电所": (100, 100, 29.5),
    "古林供电所": (90, 60, 29.6),
    "石碶供电所": (50, 90, 29.7),
    "集士港供电所": (70, 60, 29.8),
    "洞桥供电所": (20, 50, 29.9),
    "横溪供电所": (60, 0, 30.0),
    "梅林供电所": (0, 40, 29.0),
}
#: 梅林 and 鄞江 are half a degree of latitude apart: 55.6 km.
KM_MEILIN_YINJIANG = 6371.0 * 3.141592653589793 / 180 * 0.5


def make_stations(company) -> dict[str, Station]:
    county = company.counties.create(name="海曙")
    return {
        name: StationFactory(
            code=f"P{n}", name=name, county=county, latitude=latitude, longitude=121.5
        )
        for n, (name, (_s, _c, latitude)) in enumerate(STATIONS.items(), start=1)
    }


def score_pairing_month(stations: dict[str, Station], period=SEPTEMBER) -> None:
    """Write the table's values for ``period`` (5 on the other indicators) and score it."""
    values = {
        station: {"safety": STATIONS[name][0], "customer_satisfaction": STATIONS[name][1]}
        for name, station in stations.items()
    }
    write_values(period, values, default=5)
    run_month(next(iter(stations.values())).county.company, period)
