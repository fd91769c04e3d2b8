"""The API's endpoints: thin, each parses the request, calls a selector or the service,
and answers JSON (errors too: ``api.errors``)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from api import selectors
from api.auth import SeesImports, TokenOnly, company_id_of, token_of
from api.batches import BadBatch, ValuesBody
from api.errors import ApiError, rejection
from api.pagination import Pages
from api.parsers import XLSX_MEDIA_TYPE, CSVValuesParser, JSONValuesParser, XLSXValuesParser
from api.serializers import (
    CountySerializer,
    ErrorSerializer,
    ImportJobSerializer,
    IndicatorSerializer,
    MonthSerializer,
    ScoreSerializer,
    StationSerializer,
    SubmitAnswerSerializer,
)
from api.services import BatchRejected, KeyReused, submit_values
from api.throttling import SubmitRate
from api.tokens import allowed_indicator_codes
from indicators.periods import PERIOD_FORMAT_HINT, PERIOD_PATTERN, PeriodError, parse_period
from stations.models import Station
from tabular.defects import MAX_LISTED_DEFECTS

MONTH = OpenApiParameter(
    "month",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="YYYY-MM",
    pattern=PERIOD_PATTERN.pattern,
)
MONTH_FILTER = OpenApiParameter(
    "month",
    OpenApiTypes.STR,
    description="Only this month (YYYY-MM).",
    pattern=PERIOD_PATTERN.pattern,
)
COUNTY_FILTER = OpenApiParameter(
    "county", OpenApiTypes.INT, description="Only this county (its id, see /counties/)."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Sent twice, the batch is recorded once (default: the body's SHA-256).",
)


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


READ_ERRORS = _errors(400, 401, 403, 404, 429)


def _month(text: str) -> date:
    try:
        return parse_period(text)
    except PeriodError as error:
        raise ApiError(
            _("%(value)r is not a month of the form %(hint)s")
            % {"value": text, "hint": PERIOD_FORMAT_HINT}
        ) from error


def _month_filter(request) -> date | None:
    text = request.query_params.get("month")
    return _month(text) if text is not None else None


def _county_filter(request, company_id: int) -> int | None:
    text = request.query_params.get("county")
    if text is None:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ApiError(_("county must be a county's id (a whole number)."))
    county_id = int(text)
    if not selectors.company_counties(company_id).filter(pk=county_id).exists():
        raise ApiError(_("There is no county %(id)s in this company.") % {"id": county_id})
    return county_id


class IndicatorList(generics.ListAPIView):
    """The indicators a batch may name: code, names, unit, valid range, direction, the
    months they count in, and whether the calling token may send each."""

    serializer_class = IndicatorSerializer
    pagination_class = Pages

    @extend_schema(responses={200: IndicatorSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        company_id_of(self.request)  # a caller with no company yet gets the same 404
        return selectors.indicators()

    def get_serializer_context(self):
        token = token_of(self.request)
        allowed = allowed_indicator_codes(token) if token is not None else None
        return {**super().get_serializer_context(), "allowed_codes": allowed}


class CountyList(generics.ListAPIView):
    """The counties of the caller's company."""

    serializer_class = CountySerializer
    pagination_class = Pages

    @extend_schema(responses={200: CountySerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.company_counties(company_id_of(self.request))


class StationList(generics.ListAPIView):
    """The stations of the caller's company, by code."""

    serializer_class = StationSerializer
    pagination_class = Pages

    @extend_schema(
        parameters=[COUNTY_FILTER], responses={200: StationSerializer(many=True), **READ_ERRORS}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        company_id = company_id_of(self.request)
        return selectors.company_stations(company_id, _county_filter(self.request, company_id))


def _station(request, code: str) -> Station:
    station = selectors.company_station(company_id_of(request), code)
    if station is None:
        raise exceptions.NotFound(_("There is no station %(code)s.") % {"code": code})
    return station


class StationDetail(APIView):
    @extend_schema(responses={200: StationSerializer, **READ_ERRORS})
    def get(self, request, code: str):
        """One station."""
        return Response(StationSerializer(_station(request, code)).data)


class StationHistory(generics.ListAPIView):
    """The station's score, rank and grade in every scored month, newest first."""

    serializer_class = ScoreSerializer
    pagination_class = Pages

    @extend_schema(responses={200: ScoreSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.station_history(_station(self.request, self.kwargs["code"]))


class MonthList(generics.ListAPIView):
    """The scored months, newest first, with the method and weight version of each."""

    serializer_class = MonthSerializer
    pagination_class = Pages

    @extend_schema(responses={200: MonthSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.scored_months(company_id_of(self.request))


def _run(request, month: str):
    period = _month(month)
    run = selectors.month_run(company_id_of(request), period)
    if run is None:
        raise exceptions.NotFound(_("%(month)s has no scores.") % {"month": month})
    return period, run


class MonthDetail(APIView):
    @extend_schema(parameters=[MONTH], responses={200: MonthSerializer, **READ_ERRORS})
    def get(self, request, month: str):
        """One scored month: its run's state, method and weight version."""
        _period, run = _run(request, month)
        return Response(MonthSerializer(run).data)


class MonthScores(generics.ListAPIView):
    """A month's scores and grades, best rank first (optionally one county's)."""

    serializer_class = ScoreSerializer
    pagination_class = Pages

    @extend_schema(
        parameters=[MONTH, COUNTY_FILTER],
        responses={200: ScoreSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        company_id = company_id_of(self.request)
        period, _shown = _run(self.request, self.kwargs["month"])
        county_id = _county_filter(self.request, company_id)
        return selectors.month_scores(company_id, period, county_id)


class ImportList(generics.ListAPIView):
    """The company's import jobs (web uploads and API batches), newest first."""

    serializer_class = ImportJobSerializer
    pagination_class = Pages
    permission_classes = [SeesImports]

    @extend_schema(
        parameters=[MONTH_FILTER], responses={200: ImportJobSerializer(many=True), **READ_ERRORS}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.company_imports(company_id_of(self.request), _month_filter(self.request))


class ImportDetail(APIView):
    permission_classes = [SeesImports]

    @extend_schema(responses={200: ImportJobSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        """One import job: poll it until ``finished``."""
        batch = selectors.company_imports(company_id_of(request)).filter(pk=pk).first()
        if batch is None:
            raise exceptions.NotFound(_("There is no import job %(id)s.") % {"id": pk})
        return Response(ImportJobSerializer(batch).data)


VALUES_REQUEST = {
    "application/json": {
        "type": "object",
        "required": ["values"],
        "properties": {
            "values": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "station_code": {"type": "string"},
                        "period": {"type": "string", "description": "YYYY-MM"},
                        "indicator_code": {"type": "string"},
                        "value": {"type": "number"},
                    },
                },
            }
        },
    },
    "text/csv": {"type": "string", "description": "Long or wide form, as a file import."},
    XLSX_MEDIA_TYPE: {"type": "string", "format": "binary"},
}


class Values(APIView):
    permission_classes = [TokenOnly]
    parser_classes = [JSONValuesParser, CSVValuesParser, XLSXValuesParser]

    def get_throttles(self):
        return [*super().get_throttles(), SubmitRate()]

    def _unsupported(self, media_type: str) -> Response:
        accepted = [parser.media_type for parser in self.parser_classes]
        message = _("The content type %(type)s is not accepted; send one of: %(accepted)s.") % {
            "type": media_type or _("(none)"),
            "accepted": ", ".join(accepted),
        }
        return Response({"detail": message, "accepted": accepted}, status=415)

    @extend_schema(
        request=VALUES_REQUEST,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(SubmitAnswerSerializer, description="Written (small batch)."),
            202: OpenApiResponse(SubmitAnswerSerializer, description="Queued: poll the job."),
            **_errors(400, 401, 403, 411, 413, 415, 422, 429),
        },
    )
    def post(self, request):
        """Send a batch of values: all of it is written, or nothing (422 lists every
        problem by row)."""
        token = token_of(request)
        assert token is not None  # TokenOnly
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        try:
            body = request.data
        except exceptions.UnsupportedMediaType:
            return self._unsupported(media_type)
        if not isinstance(body, ValuesBody):  # DRF parses no empty body
            accepted = {parser.media_type for parser in self.parser_classes}
            if media_type not in accepted and (media_type or request.stream is not None):
                return self._unsupported(media_type)
            body = ValuesBody("", b"")
        if not body.data:
            raise ApiError(_("The body is empty: send the batch of values."))
        key = request.headers.get("Idempotency-Key", "")
        if len(key) > 200 or not key.isprintable() or not key.isascii():
            raise ApiError(_("The Idempotency-Key must be at most 200 printable ASCII characters."))
        try:
            received = submit_values(token=token, body=body, key=key.strip())
        except BatchRejected as rejected:
            return rejection(
                rejected.message, rejected.defects[:MAX_LISTED_DEFECTS], len(rejected.defects)
            )
        except BadBatch as bad:
            raise ApiError(bad.message) from bad
        except KeyReused as reused:
            return Response({"detail": str(reused)}, status=422)
        batch = received.submission.batch
        headers = {"Location": f"{request.path.rstrip('/').rsplit('/', 1)[0]}/imports/{batch.pk}/"}
        if received.replayed:
            headers["Idempotent-Replayed"] = "true"
        context = {
            "replayed": received.replayed,
            "closed_months": selectors.closed_months(token.company_id, received.periods),
        }
        answer = SubmitAnswerSerializer(batch, context=context).data
        return Response(answer, status=received.status, headers=headers)
