"""Users for the audit tests; the entries themselves come from real changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from audit.services import not_recorded
from stations.models import Company, OrgMember
from tests.factories import UNPLACED, CompanyFactory, UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def auditor(db):
    """Allowed to read the audit trail, nothing else; placed in the first company (or the
    first one made next), as a single-company installation places everyone: the trail
    shows a reader their company's entries and the shared ones (``audit.visibility``)."""
    user = UserFactory(username="auditor")
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    first = Company.objects.order_by("pk").first()
    if first is not None:
        OrgMember.objects.create(user=user, company=first)
    else:
        UNPLACED.append(user)
    return user


@pytest.fixture
def colleague(auditor):
    """A user placed where the auditor is (the trail shows a reader the entries about the
    people placed within their scope), placed without an entry of its own."""

    def make(username: str):
        user = UserFactory(username=username)
        with not_recorded():
            company = Company.objects.order_by("pk").first() or CompanyFactory()
            OrgMember.objects.create(user=user, company=company)
        return user

    return make


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the callbacks a transaction would run when it commits (a test never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
