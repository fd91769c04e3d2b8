"""How the API shows stations, months, scores and import jobs (read-only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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


class MonthSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    status = serializers.CharField()
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

    def get_method_version(self, run) -> int | None:
        return _version(run.method_version)

    def get_weight_version(self, run) -> int | None:
        return _version(run.weight_set)


class ScoreSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
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
