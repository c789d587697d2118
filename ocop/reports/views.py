import tempfile
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ocop.core import clock, datacache, queues
from ocop.core.generic import EXPORT_CONTENT_TYPES, EXPORT_SPOOL_BYTES, export_filename
from ocop.geo.models import Unit

from . import dashboard, exports, extensions

FIRST_YEAR = 2018  # the programme's first recognitions (QĐ 490/QĐ-TTg, 07/05/2018)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Tổng quan: the user's "Việc cần làm" first (ocop.core.queues: each app's providers, one
    aggregate query per item), then greeting, role and scope, quick links, the figures and the
    sections apps above add (ocop.reports.extensions: oversight's "Kiểm tra, giám sát").

    The figures (ocop.reports.statistics, through dashboard.figures) are those of the user's
    scope, or of ``?unit=<code>`` within it, as of ``?date=dd/mm/yyyy`` (default today), with
    the years up to ``?year=``; a unit outside the scope is a 403. The tables are the data, the
    charts (ocop/core/static/core/js/dashboard.js) only draw them.
    """
    asked = dashboard.read_request(request.user, request.GET)
    # One stamp for the whole page: its figures, queue, cards and unit picker are cached until
    # the audited records each reads change (ocop.core.datacache).
    stamp = datacache.stamp()
    figures = dashboard.figures(asked.scope, asked.day, asked.year, years=False, stamp=stamp)
    context = {
        "queue": queues.collect(request.user, stamp=stamp),
        "dashboard": figures.snapshot,
        "figures": figures,
        "asked": asked,
        "unit_choices": datacache.get_or_build(
            stamp,
            ("unit_choices", request.user.pk, asked.scope.key),
            lambda: dashboard.unit_choices(request.user, asked.scope),
            reads=(Unit,),
        ),
        "year_choices": list(range(clock.today().year, min(FIRST_YEAR, asked.year) - 1, -1)),
        "chart_data": figures.snapshot.chart_data(),
        "sections": extensions.collect(request.user, stamp),
        "years_query": urlencode({key: value for key, value in asked.values.items() if value}),
    }
    return render(request, "reports/home.html", context)


@login_required
@require_safe
def years(request: HttpRequest) -> HttpResponse:
    """/reports/years/: the dashboard's year-on-year table for the same ``?unit=``, ``?date=`` and
    ``?year=``, loaded by the home page after its figures (htmx), or as a page of its own."""
    asked = dashboard.read_request(request.user, request.GET)
    years = dashboard.years_table(asked.scope, asked.day, asked.year, stamp=datacache.stamp())
    context = {"years": years, "asked": asked}
    if getattr(request, "htmx", False):
        return render(request, "reports/includes/years.html", context)
    return render(request, "reports/years.html", context)


@login_required
@require_safe
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """/reports/statistics.xlsx|csv: the dashboard's products by area and star category, for the
    same ``?unit=`` and ``?date=`` (the same code computes both); a bad parameter is a 400 saying
    which, a unit outside the user's scope a 403."""
    if fmt not in EXPORT_CONTENT_TYPES:
        raise Http404
    asked = dashboard.read_request(request.user, request.GET)
    if asked.errors:
        return HttpResponseBadRequest(" ".join(asked.errors), content_type="text/plain; charset=utf-8")
    snapshot = dashboard.figures(asked.scope, asked.day, asked.year, stamp=datacache.stamp()).snapshot
    stream = tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    exports.write_statistics(snapshot, stream, fmt)
    stream.seek(0)
    name = _("Thống kê OCOP %(scope)s") % {"scope": asked.scope.label}
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=export_filename(name, fmt, asked.day),
        content_type=EXPORT_CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "private, no-store"
    return response
