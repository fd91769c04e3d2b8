from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = _("Improvement work")

    def ready(self) -> None:
        from improvement import noticecount
        from improvement.receivers import queue_grade_drop_notices, queue_regrade_notices
        from improvement.views.station import station_work_context
        from mapviews.panels import add_station_section
        from scoring.signals import grades_published

        grades_published.connect(
            queue_grade_drop_notices, dispatch_uid="improvement.queue_grade_drop_notices"
        )
        grades_published.connect(
            queue_regrade_notices, dispatch_uid="improvement.queue_regrade_notices"
        )
        add_station_section(station_work_context)
        noticecount.connect()
