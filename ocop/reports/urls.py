"""The reports' own addresses, served in the `core` namespace beside core's pages (ocop/urls.py).

The dashboard (views.home) has no pattern here: it is shown at `/` (URL name `core:home`) to a
signed-in user by ocop.public.views.home, which shows the public home to anyone else — the
address is the public site's as well, and the public app sits above this one.
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
