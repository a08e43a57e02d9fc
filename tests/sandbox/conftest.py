"""Shared fixtures: a fresh demo dataset, a live sandbox server and a small API client per test."""

import pytest
import requests

from classhub.clever.sandbox import SandboxServer, generate_demo


class Api:
    """Thin requests wrapper that knows the sandbox URL."""

    def __init__(self, server, session):
        self.server, self.session = server, session

    def get(self, uri, token=None, **kwargs):
        """GET a sandbox-relative URI, with a Bearer token when given."""
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.get(self.server.url + uri, headers=headers, allow_redirects=False, **kwargs)

    def post(self, uri, **kwargs):
        """POST a sandbox-relative URI."""
        return self.session.post(self.server.url + uri, allow_redirects=False, **kwargs)

    def district_get(self, district_id, uri, **kwargs):
        """GET with the district's current district-app token."""
        return self.get(uri, self.server.token_for(district_id), **kwargs)

    def follow(self, first_uri, token):
        """Follow rel=next links; returns (items, pages), stopping on an empty page or no next."""
        items, pages, uri = [], [], first_uri
        while uri:
            resp = self.get(uri, token)
            assert resp.status_code == 200, resp.text
            body = resp.json()
            pages.append(body)
            if not body["data"]:
                break
            items.extend(wrapped["data"] for wrapped in body["data"])
            uri = next((link["uri"] for link in body["links"] if link["rel"] == "next"), None)
        return items, pages


@pytest.fixture
def dataset():
    """A fresh seed-1 demo dataset (tests may mutate it)."""
    return generate_demo(1)


@pytest.fixture
def server(dataset):
    """A running sandbox on a free port."""
    with SandboxServer(dataset, quiet=True) as srv:
        yield srv


@pytest.fixture
def api(server):
    """An Api client with a keep-alive session, like the product's."""
    with requests.Session() as session:
        yield Api(server, session)
