"""Users for the audit tests; the entries themselves come from real changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def auditor(db):
    """Allowed to read the audit trail, nothing else."""
    user = UserFactory(username="auditor")
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    return user


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the callbacks a transaction would run when it commits (a test never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
