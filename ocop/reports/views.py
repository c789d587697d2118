from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ocop.core import clock, queues

from . import dashboard, extensions

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
    figures = dashboard.figures(asked.scope, asked.day, asked.year)
    context = {
        "queue": queues.collect(request.user),
        "dashboard": figures.snapshot,
        "figures": figures,
        "asked": asked,
        "unit_choices": dashboard.unit_choices(request.user, asked.scope),
        "year_choices": list(range(clock.today().year, min(FIRST_YEAR, asked.year) - 1, -1)),
        "chart_data": figures.snapshot.chart_data(),
        "sections": extensions.collect(request.user),
    }
    return render(request, "reports/home.html", context)
