"""Background tasks (Django's tasks framework; `manage.py db_worker` runs them)."""

from django.tasks import task

from .models import Report


@task()
def archive_report(report_id, url, requested_by_id=None):
    """Fetch a report's page and store it as a capture; return the capture's id."""
    from .archiving import archive

    report = Report.objects.filter(pk=report_id).first()
    if report is None:  # deleted before the worker got to it
        return None
    return archive(report, url, requested_by_id=requested_by_id).pk
