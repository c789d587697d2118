from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ocop.core import queues

from . import dashboard, extensions


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Tổng quan: the user's "Việc cần làm" first (ocop.core.queues: each app's providers, one
    aggregate query per item), then greeting, role and scope, quick links, the registry figures and
    the sections apps above add (ocop.reports.extensions: oversight's "Kiểm tra, giám sát").

    The figures are counted on the user's restricted querysets (see ocop.reports.dashboard);
    the tables are the data, the charts (ocop/core/static/core/js/dashboard.js) only draw them.
    """
    figures = dashboard.build(request.user)
    context = {
        "queue": queues.collect(request.user),
        "dashboard": figures,
        "chart_data": figures.chart_data(),
        "sections": extensions.collect(request.user),
    }
    return render(request, "reports/home.html", context)
