from django.urls import path, re_path

from improvement.views import (
    allred,
    bulletin,
    help,
    measures,
    notifications,
    pairing,
    projects,
    review,
    statuschange,
    submissions,
)

app_name = "improvement"

urlpatterns = [
    path("review/", review.review, name="review"),
    # <path:code>: every stored code links, even one with a "/" (stations.codes).
    path("stations/<path:code>/measures/new/", measures.measure_new, name="measure_new"),
    path("measures/<int:pk>/", measures.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/edit/", measures.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/check-in/", measures.measure_check_in, name="measure_check_in"),
    path("pairing/", pairing.pairing, name="pairing"),
    path("pairing/<int:pk>/end/", pairing.pairing_end, name="pairing_end"),
    path("help/", help.department_help, name="help"),
    path("help/<int:pk>/end/", help.help_end, name="help_end"),
    path("stations/<path:code>/projects/new/", projects.project_new, name="project_new"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/check-in/", projects.project_check_in, name="project_check_in"),
    path("projects/<int:pk>/milestones/", projects.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/done/", projects.milestone_done, name="milestone_done"),
    path("bulletin/", bulletin.bulletin, name="bulletin"),
    re_path(
        r"^bulletin/(?P<period>\d{4}-\d{2})\.(?P<file_format>xlsx|pdf)$",
        bulletin.bulletin_download,
        name="bulletin_download",
    ),
    re_path(
        r"^bulletin/(?P<period>\d{4}-\d{2})/(?P<list_key>moves|weak|projects)\.(?P<file_format>csv|xlsx)$",
        bulletin.bulletin_list,
        name="bulletin_list",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path("all-red/", allred.all_red, name="all_red"),
    path("submissions/", submissions.submission_page, name="submissions"),
    path("submissions/remind/", submissions.remind, name="submissions_remind"),
    re_path(
        r"^submissions/(?P<period>\d{4}-\d{2})/missing\.csv$",
        submissions.missing_download,
        name="submissions_missing",
    ),
    re_path(
        r"^submissions/(?P<period>\d{4}-\d{2})/anomalies\.csv$",
        submissions.anomaly_download,
        name="submissions_anomalies",
    ),
    path("status-change/", statuschange.status_change, name="status_change"),
]
