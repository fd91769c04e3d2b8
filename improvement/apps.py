from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = _("Improvement work")

    def ready(self) -> None:
        from improvement import noticecount
        from improvement.receivers import queue_grade_drop_notices, queue_regrade_notices
        from improvement.services.submission_notices import notify_objection_answered
        from improvement.views.station import station_work_context
        from mapviews.panels import add_station_section
        from scoring.signals import grades_published, objection_answered

        grades_published.connect(
            queue_grade_drop_notices, dispatch_uid="improvement.queue_grade_drop_notices"
        )
        grades_published.connect(
            queue_regrade_notices, dispatch_uid="improvement.queue_regrade_notices"
        )
        objection_answered.connect(
            notify_objection_answered, dispatch_uid="improvement.notify_objection_answered"
        )
        add_station_section(station_work_context)
        noticecount.connect()
