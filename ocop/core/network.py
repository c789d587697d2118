"""The client's IP address, also behind reverse proxies (used by the login lock-out)."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or — behind OCOP_TRUSTED_PROXIES proxies — the address the outermost one saw.

    Only the last N entries of X-Forwarded-For were written by our own proxies; anything left of
    them came from the client and could be forged, so it is never trusted.
    """
    proxies = getattr(settings, "OCOP_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
