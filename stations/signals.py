"""What the stations app tells the apps above it. It imports none of them: scoring
connects a receiver here in its ``AppConfig.ready`` (a new company's first weights)."""

from __future__ import annotations

from django.dispatch import Signal

from stations.models import Company

#: A company was created by a person or an import (``company``). Sent inside the creating
#: transaction, so what a receiver makes for it is saved with it or not at all.
company_created = Signal()


def announce_company_created(company: Company) -> None:
    company_created.send(sender=Company, company=company)


#: Stations were written without model signals (a station file's bulk writes): pages that
#: keep what they show must forget it (``mapviews.pagecache`` listens).
stations_imported = Signal()
