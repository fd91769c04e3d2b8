"""Changes recorded automatically wherever they are made: a page, the Django admin, a
command or a task. ``connect`` is called by ``AuditConfig.ready``.

Bulk writes (``QuerySet.update``, ``bulk_create``) send no signals. A weight version's
weights are bulk-created after its row, so a new weight version is recorded when its
transaction commits (``create_weight_set`` is atomic; a bare ``WeightSet.objects.create``
outside a transaction would be recorded at once, with no weights yet); everything else is
recorded in the transaction of the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from audit.middleware import current_user
from audit.models import Action
from audit.services import record
from indicators.models import ImportBatch, ImportStatus, Indicator
from indicators.periods import format_period
from scoring.engine import DEFAULT_METHOD
from scoring.models import MethodVersion, WeightSet
from stations.models import Company, OrgMember, OrgUnit, Station, StationMember

#: The user fields that are rights; never the password hash or the last login.
USER_RIGHTS = ("is_staff", "is_superuser", "is_active")
#: A new user is recorded only when created with other rights than these.
PLAIN_USER_RIGHTS = {"is_staff": False, "is_superuser": False, "is_active": True}
STATION_FIELDS = ("code", "name", "county", "latitude", "longitude", "staff_count", "active")
IMPORT_FIELDS = ("file_name", "file_sha256", "source", "row_count", "value_count", "periods")


def _actor(instance: models.Model):
    """The request's user, else the user the row names as its author (commands pass one)."""
    return (
        current_user()
        or getattr(instance, "created_by", None)
        or getattr(instance, "requested_by", None)
    )


def _values(instance: models.Model, names: tuple[str, ...]) -> dict:
    """The named fields' values as stored (110 in a float field is 110.0), a related row
    as its text."""
    values = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if field.is_relation:
            values[name] = None if value is None else str(value)
        else:
            values[name] = field.to_python(value)
    return values


# --- Versions and imports: recorded when created ---------------------------------------


def _owner(version: WeightSet | MethodVersion) -> dict:
    """A company's version names its company; a unit's common version its unit."""
    if version.company is not None:
        return {"company": version.company.name}
    return {"unit": version.unit.name if version.unit else ""}


def _version_values(version: WeightSet | MethodVersion, **extra) -> dict:
    return {
        **_owner(version),
        "version": version.version,
        "effective_from": format_period(version.effective_from),
        "reason": version.reason,
        **extra,
    }


def _previous_version(version: WeightSet | MethodVersion) -> WeightSet | MethodVersion | None:
    return (
        type(version)
        .objects.filter(
            company_id=version.company_id, unit_id=version.unit_id, version__lt=version.version
        )
        .order_by("-version")
        .first()
    )


def _weights(weight_set: WeightSet) -> dict:
    rows = weight_set.weights.order_by("indicator__display_order", "indicator__code")
    return dict(rows.values_list("indicator__code", "weight"))


def weight_set_saved(sender, instance: WeightSet, created: bool, raw=False, using=None, **kwargs):
    if created and not raw:
        callback = partial(_record_weight_set, instance.pk, _actor(instance))
        transaction.on_commit(callback, using=using)


def _record_weight_set(weight_set_id: int, actor) -> None:
    weight_set = (
        WeightSet.objects.select_related("company", "unit").filter(pk=weight_set_id).first()
    )
    if weight_set is None:  # deleted again before the commit
        return
    previous = _previous_version(weight_set)
    record(
        Action.WEIGHTS_CREATED,
        weight_set,
        before=_version_values(previous, weights=_weights(previous)) if previous else None,
        after=_version_values(weight_set, weights=_weights(weight_set)),
        reason=weight_set.reason,
        actor=actor,
        unit=weight_set.unit,
    )


def method_version_saved(sender, instance: MethodVersion, created: bool, raw=False, **kwargs):
    if not created or raw:
        return
    previous = _previous_version(instance)
    if previous is not None:
        before = _version_values(previous, params=previous.params)
    else:  # before its first version, the company was scored with the default method
        before = {**_owner(instance), "params": DEFAULT_METHOD.as_record()}
    record(
        Action.METHOD_CREATED,
        instance,
        before=before,
        after=_version_values(instance, params=instance.params),
        reason=instance.reason,
        actor=_actor(instance),
        unit=instance.unit,
    )


def version_deleted(sender, instance: WeightSet | MethodVersion, **kwargs):
    """An unused version (a typo) may be deleted in the admin; recorded with what it held."""
    if isinstance(instance, WeightSet):
        action, before = Action.WEIGHTS_DELETED, {"weights": _weights(instance)}
    else:
        action, before = Action.METHOD_DELETED, {"params": instance.params}
    before = _version_values(instance, **before)
    record(
        action,
        instance,
        before=before,
        reason=instance.reason,
        actor=current_user(),
        unit=instance.unit,
    )


def import_batch_saved(
    sender, instance: ImportBatch, created: bool, raw=False, update_fields=None, **kwargs
):
    """Recorded when the file is loaded: a batch created loaded (command line), or a web
    import job saved with its state ``done`` (``indicators.jobs``). Rejected files are not
    recorded (nothing was written). A rollback (``indicators.rollback``) is recorded when
    the batch is saved with its ``rolled_back_at``."""
    if raw or instance.status != ImportStatus.DONE:
        return
    if update_fields is not None and "rolled_back_at" in update_fields:
        after = {
            "company": instance.company.name,
            "periods": instance.periods,
            "value_count": instance.value_count,
        }
        record(
            Action.IMPORT_ROLLED_BACK,
            instance,
            after=after,
            reason=instance.rollback_reason,
            actor=instance.rolled_back_by or current_user(),
        )
        return
    if created or (update_fields is not None and "status" in update_fields):
        after = {"company": instance.company.name, **_values(instance, IMPORT_FIELDS)}
        record(
            Action.IMPORT_LOADED,
            instance,
            after=after,
            actor=_actor(instance),
            actor_name=f"API: {instance.feeding_system}" if instance.feeding_system else "",
        )


# --- Rows whose fields are watched: before → after of the fields that changed ------------


@dataclass(frozen=True)
class Watch:
    fields: tuple[str, ...]
    changed: str
    #: Recorded for a new row when this says so (None: new rows are not recorded).
    created: str | None = None
    is_worth_recording: Callable[[dict], bool] = lambda values: True
    deleted: str | None = None


def _watches() -> dict[type[models.Model], Watch]:
    indicator_fields = tuple(
        field.name for field in Indicator._meta.concrete_fields if not field.primary_key
    )
    return {
        Indicator: Watch(
            indicator_fields, Action.INDICATOR_CHANGED, created=Action.INDICATOR_CREATED
        ),
        # One by one (the Django admin, a shell); imports write in bulk and are recorded
        # once per file by their service (stations.services, stations.geoimport).
        Station: Watch(
            STATION_FIELDS,
            Action.STATION_CHANGED,
            created=Action.STATION_CREATED,
            deleted=Action.STATION_DELETED,
        ),
        StationMember: Watch(
            ("station",),
            Action.STATION_MEMBER_CHANGED,
            created=Action.STATION_MEMBER_CHANGED,
            deleted=Action.STATION_MEMBER_CHANGED,
        ),
        # The organisation tree: one by one in the admin and by import_org (a few
        # hundred rows at most, so the import saves each and is recorded like the admin).
        OrgUnit: Watch(
            ("code", "name", "parent"),
            Action.ORG_UNIT_CHANGED,
            created=Action.ORG_UNIT_CREATED,
            deleted=Action.ORG_UNIT_DELETED,
        ),
        Company: Watch(("name", "code", "parent"), Action.COMPANY_CHANGED),
        OrgMember: Watch(
            ("company", "unit"),
            Action.ORG_MEMBER_CHANGED,
            created=Action.ORG_MEMBER_CHANGED,
            deleted=Action.ORG_MEMBER_CHANGED,
        ),
        get_user_model(): Watch(
            USER_RIGHTS,
            Action.USER_CHANGED,
            created=Action.USER_CHANGED,
            is_worth_recording=lambda rights: rights != PLAIN_USER_RIGHTS,
        ),
    }


WATCHES: dict[type[models.Model], Watch] = {}
_BEFORE = "_audit_before"


def _watched_fields(watch: Watch, update_fields) -> tuple[str, ...]:
    if update_fields is None:
        return watch.fields
    return tuple(name for name in watch.fields if name in update_fields)


def remember_before(sender, instance, raw=False, update_fields=None, **kwargs):
    """Read the stored row before it is overwritten (nothing to read for a new row, or a
    save of unwatched fields only, like a login's ``last_login``)."""
    names = _watched_fields(WATCHES[sender], update_fields)
    before = None
    if not raw and not instance._state.adding and names:
        stored = sender._base_manager.filter(pk=instance.pk).first()
        before = None if stored is None else _values(stored, names)
    instance.__dict__[_BEFORE] = before


def watched_row_saved(sender, instance, created: bool, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    watch = WATCHES[sender]
    before = instance.__dict__.pop(_BEFORE, None)
    if created:
        after = _values(instance, watch.fields)
        if watch.created and watch.is_worth_recording(after):
            record(watch.created, instance, after=after, actor=_actor(instance))
        return
    if before is None:
        return
    after = _values(instance, tuple(before))
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        record(
            watch.changed,
            instance,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
            actor=_actor(instance),
        )


def watched_row_deleted(sender, instance, **kwargs):
    """Recorded before the row goes: the entry is in the delete's transaction, and a user
    who deletes themselves is cleared from it like from their earlier entries."""
    watch = WATCHES[sender]
    before = _values(instance, watch.fields)
    record(watch.deleted, instance, before=before, actor=current_user())


def user_deleted(sender, instance, **kwargs):
    groups = sorted(instance.groups.values_list("name", flat=True))
    before = {**_values(instance, USER_RIGHTS), "groups": groups}
    record(Action.USER_DELETED, instance, before=before, actor=current_user())


# --- Memberships: groups (roles) and permissions -----------------------------------------


@dataclass(frozen=True)
class Membership:
    field: models.ManyToManyField  # on the owner (user or group)
    granted: str
    revoked: str
    key: str
    label: Callable[[models.Model], str]


def _permission_label(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _memberships() -> dict[type[models.Model], Membership]:
    user = get_user_model()
    groups = user._meta.get_field("groups")
    user_permissions = user._meta.get_field("user_permissions")
    group_permissions = Group._meta.get_field("permissions")
    return {
        groups.remote_field.through: Membership(
            groups, Action.ROLE_GRANTED, Action.ROLE_REVOKED, "group", str
        ),
        user_permissions.remote_field.through: Membership(
            user_permissions,
            Action.PERMISSION_GRANTED,
            Action.PERMISSION_REVOKED,
            "permission",
            _permission_label,
        ),
        group_permissions.remote_field.through: Membership(
            group_permissions,
            Action.PERMISSION_GRANTED,
            Action.PERMISSION_REVOKED,
            "permission",
            _permission_label,
        ),
    }


MEMBERSHIPS: dict[type[models.Model], Membership] = {}
_LINKS = "_audit_links"


def _links(membership: Membership, instance, reverse: bool, pk_set) -> list[tuple[int, int]]:
    """The (owner id, item id) links of ``instance`` that exist now, limited to ``pk_set``."""
    owner, item = membership.field.m2m_field_name(), membership.field.m2m_reverse_field_name()
    mine, theirs = (item, owner) if reverse else (owner, item)
    links = membership.field.remote_field.through._default_manager.filter(**{mine: instance.pk})
    if pk_set is not None:
        links = links.filter(**{f"{theirs}__in": pk_set})
    return list(links.values_list(owner, item))


def membership_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """One entry per owner and item. Removals are read before they happen: Django names
    the items asked for, not the ones that were linked."""
    membership = MEMBERSHIPS[sender]
    if action in ("pre_remove", "pre_clear"):
        instance.__dict__[_LINKS] = _links(membership, instance, reverse, pk_set)
        return
    if action == "post_add":
        links = [(pk, instance.pk) if reverse else (instance.pk, pk) for pk in pk_set]
        _record_links(membership, links, granted=True)
    elif action in ("post_remove", "post_clear"):
        _record_links(membership, instance.__dict__.pop(_LINKS, []), granted=False)


def _record_links(membership: Membership, links: list[tuple[int, int]], *, granted: bool) -> None:
    if not links:
        return
    field = membership.field
    owners = field.model._default_manager.in_bulk({owner for owner, _item in links})
    items = field.related_model._default_manager.in_bulk({item for _owner, item in links})
    actor = current_user()
    for owner, item in sorted(links):
        if owner not in owners or item not in items:
            continue  # rows being loaded out of order (a test database's deserialisation)
        value = {membership.key: membership.label(items[item])}
        record(
            membership.granted if granted else membership.revoked,
            owners[owner],
            before=None if granted else value,
            after=value if granted else None,
            actor=actor,
        )


def group_deleted(sender, instance: Group, **kwargs):
    """Deleting a group removes it from its users without an m2m signal."""
    membership = MEMBERSHIPS[get_user_model()._meta.get_field("groups").remote_field.through]
    _record_links(membership, _links(membership, instance, True, None), granted=False)


def connect() -> None:
    WATCHES.update(_watches())
    MEMBERSHIPS.update(_memberships())
    uid = "audit."
    post_save.connect(weight_set_saved, sender=WeightSet, dispatch_uid=uid + "weights")
    post_save.connect(method_version_saved, sender=MethodVersion, dispatch_uid=uid + "method")
    for version in (WeightSet, MethodVersion):
        name = version._meta.label_lower
        pre_delete.connect(version_deleted, sender=version, dispatch_uid=uid + "del." + name)
    post_save.connect(import_batch_saved, sender=ImportBatch, dispatch_uid=uid + "import")
    for model in WATCHES:
        name = model._meta.label_lower
        pre_save.connect(remember_before, sender=model, dispatch_uid=uid + "pre." + name)
        post_save.connect(watched_row_saved, sender=model, dispatch_uid=uid + "post." + name)
        if WATCHES[model].deleted:
            pre_delete.connect(watched_row_deleted, sender=model, dispatch_uid=uid + "del." + name)
    pre_delete.connect(user_deleted, sender=get_user_model(), dispatch_uid=uid + "user.deleted")
    pre_delete.connect(group_deleted, sender=Group, dispatch_uid=uid + "group.deleted")
    for through in MEMBERSHIPS:
        m2m_changed.connect(membership_changed, sender=through, dispatch_uid=uid + str(through))
