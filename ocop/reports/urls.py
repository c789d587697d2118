"""The home page (Tổng quan: greeting, quick links and the dashboard of the user's scope).

Its URL name stays `core:home` (settings.LOGIN_REDIRECT_URL, the menu, templates and links use
it): ocop/urls.py serves these patterns in the `core` namespace, beside core's own pages, since
core cannot import this app.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
