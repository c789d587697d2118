from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Tổng quan: greeting, role, scope and links to the modules that exist (menus come from `nav`).

    No figures yet: the dashboard's numbers arrive with the registry of producers and products.
    """
    return render(request, "core/home.html")
