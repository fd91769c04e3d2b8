"""How the API shows stations, months, scores and import jobs (read-only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import Direction
from indicators.periods import format_period
from scoring.grades import Grade
from scoring.models import CloseState


class DefectSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "JSON: the position in values, from 1. CSV and XLSX: the file's line (header = 1)."
            " Null: the batch as a whole."
        ),
    )
    column = serializers.CharField(allow_null=True)
    code = serializers.CharField(help_text=_("A stable name of the problem, e.g. unknown_station."))
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    defects = DefectSerializer(many=True, required=False)
    defect_count = serializers.IntegerField(required=False)
    accepted = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("415: the content types a batch may be sent as."),
    )


class IndicatorSerializer(serializers.Serializer):
    """An indicator a batch may name (``indicator_code``), as the caller's language says it."""

    code = serializers.CharField(help_text=_("What a batch names as indicator_code."))
    name = serializers.CharField(help_text=_("In the request's language."))
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField(source="unit_label", help_text=_("In the request's language."))
    min_value = serializers.FloatField(help_text=_("The lowest valid value."))
    max_value = serializers.FloatField(help_text=_("The highest valid value."))
    direction = serializers.ChoiceField(choices=Direction.choices)
    direction_label = serializers.CharField(source="get_direction_display")
    in_force_from = serializers.SerializerMethodField(
        help_text=_("The first month it counts (YYYY-MM); null: always.")
    )
    retired_from = serializers.SerializerMethodField(
        help_text=_("The first month it no longer counts (YYYY-MM); null: never.")
    )
    may_send = serializers.SerializerMethodField(
        help_text=_("Whether the calling token may send it (null for a logged-in user).")
    )

    def get_in_force_from(self, indicator) -> str | None:
        return format_period(indicator.active_from) if indicator.active_from else None

    def get_retired_from(self, indicator) -> str | None:
        return format_period(indicator.retired_from) if indicator.retired_from else None

    def get_may_send(self, indicator) -> bool | None:
        allowed = self.context.get("allowed_codes")
        return None if allowed is None else indicator.code in allowed


class CountySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    county = CountySerializer()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    staff_count = serializers.IntegerField()
    active = serializers.BooleanField()


def _version(version) -> int | None:
    return version.version if version is not None else None


PROVISIONAL_HELP = _(
    "True while the month is under review: its grades are provisional and may still change"
    " before an administrator closes the month."
)


def _provisional(row) -> bool:
    """``close_state`` is annotated by the selectors (``api.selectors``)."""
    return getattr(row, "close_state", None) == CloseState.PROVISIONAL


#: A month's state as the API shows it: under review, closed, or final (a month with no
#: close record: published before month close existed, or not held by its company).
CLOSE_STATES = ["provisional", "closed", "final"]
CLOSE_STATE_HELP = _(
    "provisional: the grades are under review and may change; closed: closed by an "
    "administrator, final (new values wait for a re-grade an administrator publishes); "
    "final: never held for review."
)


def _close_state(row) -> str:
    return getattr(row, "close_state", None) or "final"


class MonthSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    status = serializers.CharField()
    close_state = serializers.SerializerMethodField(help_text=CLOSE_STATE_HELP)
    method = serializers.CharField(help_text=_("The scoring method's name."))
    method_version = serializers.SerializerMethodField()
    weight_version = serializers.SerializerMethodField()
    station_count = serializers.IntegerField(allow_null=True)
    graded_count = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    provisional = serializers.SerializerMethodField(help_text=PROVISIONAL_HELP)

    def get_month(self, run) -> str:
        return format_period(run.period)

    def get_provisional(self, run) -> bool:
        return _provisional(run)

    @extend_schema_field(serializers.ChoiceField(choices=CLOSE_STATES))
    def get_close_state(self, run) -> str:
        return _close_state(run)

    def get_method_version(self, run) -> int | None:
        return _version(run.method_version)

    def get_weight_version(self, run) -> int | None:
        return _version(run.weight_set)


class ScoreSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    close_state = serializers.SerializerMethodField(help_text=CLOSE_STATE_HELP)
    station_code = serializers.CharField(source="station.code")
    station_name = serializers.CharField(source="station.name")
    county = CountySerializer(source="station.county")
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    grade = serializers.ChoiceField(choices=Grade.choices)
    grade_label = serializers.CharField(source="get_grade_display")
    coverage = serializers.FloatField()
    ungraded_reason = serializers.CharField()
    method = serializers.CharField(source="run.method")
    method_version = serializers.SerializerMethodField()
    weight_version = serializers.SerializerMethodField()
    provisional = serializers.SerializerMethodField(help_text=PROVISIONAL_HELP)

    def get_month(self, score) -> str:
        return format_period(score.period)

    def get_provisional(self, score) -> bool:
        return _provisional(score)

    @extend_schema_field(serializers.ChoiceField(choices=CLOSE_STATES))
    def get_close_state(self, score) -> str:
        return _close_state(score)

    def get_method_version(self, score) -> int | None:
        return _version(score.run.method_version)

    def get_weight_version(self, score) -> int | None:
        return _version(score.run.weight_set)


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="queued, validating, importing, done or failed")
    status_label = serializers.CharField(source="get_status_display")
    finished = serializers.BooleanField(source="is_finished")
    source = serializers.CharField()
    file_name = serializers.CharField()
    feeding_system = serializers.SerializerMethodField()
    idempotency_key = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    months = serializers.ListField(child=serializers.CharField(), source="periods")
    row_count = serializers.IntegerField()
    value_count = serializers.IntegerField()
    defect_count = serializers.IntegerField()
    defects = serializers.SerializerMethodField()
    error = serializers.CharField()

    def _submission(self, batch):
        return getattr(batch, "api_submission", None)

    def get_feeding_system(self, batch) -> str | None:
        submission = self._submission(batch)
        return submission.token.name if submission else None

    def get_idempotency_key(self, batch) -> str | None:
        submission = self._submission(batch)
        return submission.key if submission else None

    @extend_schema_field(DefectSerializer(many=True))
    def get_defects(self, batch) -> list[dict]:
        """A job checks the batch again when it runs; what it then finds is kept as text."""
        return [
            {"row": None, "column": None, "code": "", "message": str(message)}
            for message in batch.defects
        ]


class SubmitAnswerSerializer(ImportJobSerializer):
    """The answer to a batch sent: its import job, and what the caller should know."""

    replayed = serializers.SerializerMethodField(
        help_text=_(
            "True when this batch was sent before (same Idempotency-Key, or the same body "
            "without one): nothing was imported again, this is the earlier job."
        )
    )
    closed_months = serializers.SerializerMethodField(
        help_text=_(
            "The batch's months that are closed: their values are stored, but their "
            "published grades change only when an administrator publishes a re-grade."
        )
    )
    notices = serializers.SerializerMethodField(
        help_text=_("What the caller should know about this answer, in sentences.")
    )

    def get_replayed(self, batch) -> bool:
        return bool(self.context.get("replayed"))

    def get_closed_months(self, batch) -> list[str]:
        return [format_period(period) for period in self.context.get("closed_months", [])]

    def get_notices(self, batch) -> list[str]:
        notices = []
        if self.context.get("replayed"):
            notices.append(
                str(
                    _(
                        "This batch was sent before: nothing was imported again; this is "
                        "the earlier import job (#%(id)s)."
                    )
                    % {"id": batch.pk}
                )
            )
        closed = self.get_closed_months(batch)
        if closed:
            notices.append(
                str(
                    _(
                        "%(months)s closed: the values are stored, but the published grades "
                        "change only when an administrator publishes the re-grade."
                    )
                    % {"months": ", ".join(closed)}
                )
            )
        return notices
