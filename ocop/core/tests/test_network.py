"""The lock-out counts failures per real client, also behind a reverse proxy, and can't be fooled."""

from django.test import RequestFactory

from ocop.core.network import client_ip


def _request(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_direct_connection_uses_the_socket_address(settings):
    settings.OCOP_TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_uses_the_address_it_saw(settings):
    settings.OCOP_TRUSTED_PROXIES = 1
    assert client_ip(_request("127.0.0.1", "203.0.113.9")) == "203.0.113.9"


def test_a_forged_header_cannot_pick_the_address(settings):
    settings.OCOP_TRUSTED_PROXIES = 1
    # The client sent "X-Forwarded-For: 10.9.9.9"; nginx appended the real address.
    assert client_ip(_request("127.0.0.1", "10.9.9.9, 203.0.113.9")) == "203.0.113.9"


def test_missing_header_falls_back_to_the_socket(settings):
    settings.OCOP_TRUSTED_PROXIES = 1
    assert client_ip(_request("127.0.0.1")) == "127.0.0.1"
