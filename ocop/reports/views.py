from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import dashboard


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Tổng quan: greeting, role and scope, the registry figures of the user's scope, quick links.

    The figures are counted on the user's restricted querysets (see ocop.reports.dashboard);
    the tables are the data, the charts (ocop/core/static/core/js/dashboard.js) only draw them.
    """
    figures = dashboard.build(request.user)
    return render(request, "reports/home.html", {"dashboard": figures, "chart_data": figures.chart_data()})
