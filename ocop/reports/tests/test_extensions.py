"""The home page's sections added by apps above the reports (ocop.reports.extensions)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from ocop.reports import extensions

from .conftest import World, world  # noqa: F401


def test_sections_in_order_only_for_users_they_build_for(world: World, monkeypatch) -> None:  # noqa: F811
    registry = extensions._Sections()
    monkeypatch.setattr(extensions, "sections", registry)
    registry.register(extensions.Section("second", 20, lambda user: {"n": 2}, "b.html", queries=2))
    registry.register(extensions.Section("first", 10, lambda user: {"n": 1}, "a.html", queries=3))
    registry.register(
        extensions.Section("central_only", 30, lambda user: {} if user.role == "central" else None, "c.html")
    )
    shown = extensions.collect(world.users["province_hn"])
    assert [(s.key, s.template, s.context) for s in shown] == [
        ("first", "a.html", {"n": 1}),
        ("second", "b.html", {"n": 2}),
    ]
    assert [s.key for s in extensions.collect(world.users["central"])] == ["first", "second", "central_only"]
    assert extensions.collect(AnonymousUser()) == []
    assert registry.query_budget() == 6
    registry.unregister("second")
    assert registry.query_budget() == 4
