"""/api/v1/docs: Swagger UI from this host's static files, under the site's CSP (offline intranets)."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

DOCS = "/api/v1/docs"


class Page(HTMLParser):
    """Start tags with their attributes, and the text of each <script>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def assets(self) -> list[str]:
        scripts = [a["src"] for t, a in self.tags if t == "script" and a.get("src")]
        links = [a["href"] for t, a in self.tags if t == "link" and a.get("href")]
        return scripts + links


@pytest.fixture
def static_client(settings) -> Client:
    # Tests run without collectstatic: let whitenoise find the files through the finders, as in DEBUG.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    return Client()  # a new client builds its middleware (whitenoise) with these settings


def test_docs_reference_no_external_host(client: Client, db) -> None:
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I), "an external URL in the docs"
    assert "cdn.jsdelivr.net" not in html
    page = Page(html)
    assets = page.assets()
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets)
    assert any(url.endswith("swagger-ui.css") for url in assets)
    for url in assets:
        assert url.startswith(settings.STATIC_URL) and not urlsplit(url).netloc, url


def test_docs_run_under_the_csp(client: Client, db) -> None:
    response = client.get(DOCS)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page = Page(response.content.decode())
    for attrs, text in page.scripts:
        if attrs.get("src"):
            continue
        # The only inline <script> is Swagger's settings as a JSON data block, which is never run.
        assert attrs.get("type") == "application/json", attrs
        config = json.loads(text)
        assert config["url"] == "/api/v1/openapi.json"
        assert config["validatorUrl"] is None  # the badge would load an image from validator.swagger.io
    # "Try it out" with the browser's session sends the CSRF token that session writes require.
    assert 'data-api-csrf="true"' in response.content.decode()
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], tag


def test_every_docs_asset_is_served(static_client: Client, db) -> None:
    page = Page(static_client.get(DOCS).content.decode())
    assets = page.assets()
    assert len(assets) >= 3  # Swagger's css, bundle and init script (plus favicons)
    for url in assets:
        response = static_client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, url
        if url.endswith(".js"):
            # Swagger's init script builds the UI from the JSON block: nothing inline is needed.
            assert "javascript" in response.headers["Content-Type"], url
    init = next(url for url in assets if url.endswith("swagger-ui-init.js"))
    script = b"".join(static_client.get(init).streaming_content).decode()
    assert 'getElementById("swagger-settings")' in script
