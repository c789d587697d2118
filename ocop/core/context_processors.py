from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """Main navigation entries (filled in by the UI shell)."""
    return {}
