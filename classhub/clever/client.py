"""HTTP client for Clever's OAuth host and v3.0 data API.

Retries follow CLEVER.md: 429 waits for the rate-limit reset (``Retry-After`` or
``X-RateLimit-Reset``), 5xx and network failures back off exponentially with jitter, and
400/401/404/413/501 are never retried. Every call has a timeout.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests
from django.conf import settings

from classhub.clever.errors import (
    CleverAuthError,
    CleverError,
    CleverMalformedResponse,
    CleverNotFound,
    CleverRateLimited,
    CleverRequestRejected,
    CleverTokenRevoked,
    CleverUnavailable,
)

logger = logging.getLogger(__name__)

NEVER_RETRY = {400, 401, 404, 413, 501}
MAX_PAGE_LIMIT = 10_000


@dataclass(frozen=True)
class DistrictToken:
    """One entry of Clever's district-token list: a connected district and its app token."""

    district_id: str
    access_token: str
    scopes: tuple[str, ...] = ()
    created: str = ""


@dataclass
class RetryPolicy:
    """How long and how often to retry; injectable so tests need not sleep."""

    max_retries: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_rate_limit_wait: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time
    jitter: Callable[[], float] = field(default=random.random)

    def backoff(self, attempt: int) -> float:
        """Capped exponential backoff with full jitter for the given retry attempt (0-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return ceiling * (0.5 + self.jitter() / 2)

    def rate_limit_wait(self, response: requests.Response, attempt: int) -> float:
        """Seconds to wait after a 429, from Retry-After or the latest X-RateLimit-Reset."""
        retry_after = response.headers.get("Retry-After", "").strip()
        if retry_after:
            try:
                return min(self.max_rate_limit_wait, max(0.0, float(retry_after)))
            except ValueError:
                pass  # An HTTP-date or garbage: fall through to the reset header.
        resets = []
        for part in response.headers.get("X-RateLimit-Reset", "").split(","):
            try:
                value = float(part.strip())
            except ValueError:
                continue
            if math.isfinite(value):  # "nan" and "inf" parse as floats but are no time
                resets.append(value)
        if resets:
            # Several buckets may be reported; waiting for the latest frees all of them.
            return min(self.max_rate_limit_wait, max(0.0, max(resets) - self.now()) + 0.05)
        return self.backoff(attempt)


def _error_message(response: requests.Response) -> str:
    """Clever's own message for a failed call; the body may be JSON of two shapes, or HTML."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason or "no message"
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error_description") or body.get("error") or body)
    return str(body)[:200]


class CleverClient:
    """Talks to Clever (or the sandbox) at the configured base URLs."""

    def __init__(
        self,
        *,
        api_base: str,
        oauth_base: str,
        client_id: str,
        client_secret: str,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()

    @classmethod
    def from_settings(cls, **overrides: Any) -> CleverClient:
        """Build a client from the CLEVER_* settings."""
        options: dict[str, Any] = {
            "api_base": settings.CLEVER_API_BASE,
            "oauth_base": settings.CLEVER_OAUTH_BASE,
            "client_id": settings.CLEVER_CLIENT_ID,
            "client_secret": settings.CLEVER_CLIENT_SECRET,
            "timeout": settings.CLEVER_TIMEOUT_SECONDS,
            "retry": RetryPolicy(max_retries=settings.CLEVER_MAX_RETRIES),
        }
        options.update(overrides)
        return cls(**options)

    # --- transport ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        basic_auth: bool = False,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> Any:
        """Send one call with retries and return its decoded JSON body."""
        headers = {"Accept": "application/json"}
        auth = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if basic_auth:
            auth = (self.client_id, self.client_secret)
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method, url, params=params, data=data, headers=headers, auth=auth, timeout=self.timeout
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                if attempt >= self.retry.max_retries:
                    raise CleverUnavailable(
                        f"Clever did not answer {url} after {attempt + 1} tries ({exc.__class__.__name__}).",
                        url=url,
                    ) from exc
                self._wait(self.retry.backoff(attempt), url, f"network error {exc.__class__.__name__}")
                attempt += 1
                continue

            status = response.status_code
            if status < 400:
                return self._decode(response, url)
            if status in NEVER_RETRY or (400 <= status < 500 and status != 429):
                raise self._final_error(response, url)
            if attempt >= self.retry.max_retries:
                error_class = CleverRateLimited if status == 429 else CleverUnavailable
                raise error_class(
                    f"Clever answered {status} to {url} {attempt + 1} times: {_error_message(response)}",
                    status=status,
                    url=url,
                )
            delay = self.retry.rate_limit_wait(response, attempt) if status == 429 else self.retry.backoff(attempt)
            self._wait(delay, url, f"HTTP {status}")
            attempt += 1

    def _wait(self, delay: float, url: str, why: str) -> None:
        logger.info("Clever call %s failed (%s); retrying in %.2fs", url, why, delay)
        self.retry.sleep(delay)

    @staticmethod
    def _decode(response: requests.Response, url: str) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise CleverError(
                f"Clever answered {url} with a body that is not JSON", status=response.status_code, url=url
            ) from exc

    @staticmethod
    def _final_error(response: requests.Response, url: str) -> CleverError:
        status = response.status_code
        message = _error_message(response)
        if status == 401:
            return CleverAuthError(f"Clever refused the credentials for {url}: {message}", status=401, url=url)
        if status == 404:
            return CleverNotFound(f"Not found or not shared: {url}", status=404, url=url)
        return CleverRequestRejected(f"Clever rejected {url} ({status}): {message}", status=status, url=url)

    # --- OAuth host ----------------------------------------------------------------------------

    def list_district_tokens(self, *, district_id: str | None = None) -> list[DistrictToken]:
        """Every connected district with its current app token (HTTP Basic auth), across all pages."""
        params: dict[str, Any] | None = {"owner_type": "district"}
        if district_id:
            params["district"] = district_id
        url = f"{self.oauth_base}/oauth/tokens"
        tokens: list[DistrictToken] = []
        seen_urls = set()
        while url and url not in seen_urls:
            seen_urls.add(url)
            body = expect_envelope(self.request("GET", url, basic_auth=True, params=params), url)
            for entry in body["data"]:
                token = _district_token(entry)
                if token is None:
                    logger.warning("Skipping a malformed district token entry from Clever")
                    continue
                tokens.append(token)
            next_uri = next_link(body)
            url = urljoin(self.oauth_base + "/", next_uri) if next_uri and body["data"] else ""
            params = None  # a next link carries every parameter itself
        return tokens

    def district_token(self, district_id: str) -> str:
        """The current token of one district; tokens rotate, so fetch it when needed."""
        for token in self.list_district_tokens(district_id=district_id):
            if token.district_id == district_id:
                return token.access_token
        raise CleverTokenRevoked(
            f"Clever lists no connection for district {district_id}: the district removed ClassHub.",
            status=401,
        )

    def for_district(self, district_id: str) -> DistrictAPI:
        """A data-API view of one district that fetches its current token, and again if it rotates."""
        return DistrictAPI(self, district_id=district_id, token=self.district_token(district_id))


def _district_token(entry: Any) -> DistrictToken | None:
    if not isinstance(entry, dict):
        return None
    owner = entry.get("owner")
    if not isinstance(owner, dict) or owner.get("type") != "district":
        return None
    district_id, access_token = owner.get("id"), entry.get("access_token")
    if not isinstance(district_id, str) or not district_id or not isinstance(access_token, str) or not access_token:
        return None
    scopes = entry.get("scopes")
    return DistrictToken(
        district_id=district_id,
        access_token=access_token,
        scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
        created=str(entry.get("created") or ""),
    )


def expect_envelope(body: Any, url: str) -> dict[str, Any]:
    """Check a list response has Clever's shape: {"data": [...], "links": [...]}; else CleverMalformedResponse."""
    if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
        raise CleverMalformedResponse(f"Clever answered {url} with a list response of an unexpected shape.", url=url)
    links = body.get("links") or []
    return {"data": body.get("data") or [], "links": links if isinstance(links, list) else []}


def next_link(body: dict[str, Any]) -> str | None:
    """The ``next`` link of an envelope, ignoring links that are not objects."""
    for link in body["links"]:
        if isinstance(link, dict) and link.get("rel") == "next" and isinstance(link.get("uri"), str):
            return link["uri"]
    return None


# Pages in a row that bring no higher id before paging is taken to be going round in a circle. Generous: Clever
# sorts lists by id, but pages of unusable records (no id, odd ids) must not end a run, and a real circle costs
# only this many extra page reads before it is stopped.
MAX_STALLED_PAGES = 100


class DistrictAPI:
    """The v3.0 data API as one district token sees it."""

    def __init__(self, client: CleverClient, *, district_id: str, token: str) -> None:
        self.client = client
        self.district_id = district_id
        self.token = token

    def _url(self, path: str) -> str:
        # Clever's links are relative paths that already carry the version prefix.
        if path.startswith(("http://", "https://")):
            return path
        if not path.startswith("/v3."):
            path = "/v3.0/" + path.lstrip("/")
        return self.client.api_base + path

    def _call(self, path: str, params: dict[str, Any] | None = None) -> Any:
        url = self._url(path)
        try:
            return self.client.request("GET", url, token=self.token, params=params)
        except CleverAuthError:
            pass
        # A refused token may only have rotated: ask Clever for the district's current one, once.
        fresh = self.client.district_token(self.district_id)  # raises CleverTokenRevoked if the connection is gone
        if fresh != self.token:
            logger.info("District %s token rotated; continuing with the new one", self.district_id)
            self.token = fresh
        # Clever still lists a token for the district, so the connection is there: try once more. Only the
        # token list (the connection poll) decides that a district removed ClassHub.
        try:
            return self.client.request("GET", url, token=self.token, params=params)
        except CleverAuthError as exc:
            raise CleverAuthError(
                "Clever refused the district's token twice although it still lists the connection; "
                "the sync will try again.",
                status=401,
                url=url,
            ) from exc

    def get(self, path: str) -> dict[str, Any]:
        """Fetch one object, e.g. ``get("districts/<id>")``, and return the inner object."""
        body = self._call(path)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise CleverMalformedResponse(f"Clever answered {path} without an object.", url=self._url(path))
        return data

    def page(self, path: str, **params: Any) -> list[Any]:
        """One page of a list as its inner objects (no paging), e.g. the newest event."""
        body = expect_envelope(self._call(path, params or None), self._url(path))
        return [item.get("data") if isinstance(item, dict) and "data" in item else item for item in body["data"]]

    def iter_pages(self, path: str, *, limit: int = 1000, **params: Any) -> Iterator[list[Any]]:
        """Yield each page of a list as its inner objects, following ``next`` links.

        Items are returned as Clever sent them (normally dicts); the parsers reject any that are not.
        """
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_LIMIT}, got {limit}")
        query: dict[str, Any] | None = {"limit": limit, **params}
        url = path
        highest: str | None = None
        stalled = 0
        while True:
            body = expect_envelope(self._call(url, query), self._url(url))
            items = body["data"]
            if not items:
                return  # A next link may lead to an empty page: that is the end.
            yield [item.get("data") if isinstance(item, dict) and "data" in item else item for item in items]
            next_uri = next_link(body)
            if not next_uri:
                return
            if next_uri.startswith(("http://", "https://")) and not next_uri.startswith(self.client.api_base + "/"):
                # Never send the district's token to another host, whatever a response says.
                raise CleverMalformedResponse(f"Clever's next link leaves {self.client.api_base}: {next_uri}", url=url)
            # Ids grow page after page; many pages that bring no higher id mean the links never get anywhere.
            inner = [item.get("data") for item in items if isinstance(item, dict)]
            page_ids = [obj.get("id") for obj in inner if isinstance(obj, dict)]
            top = max((i for i in page_ids if isinstance(i, str)), default=None)
            if top is not None and (highest is None or top > highest):
                highest, stalled = top, 0
            else:
                stalled += 1
                if stalled >= MAX_STALLED_PAGES:
                    raise CleverMalformedResponse(f"Clever's next links go round in a circle at {next_uri}", url=url)
            url, query = next_uri, None  # the next link carries every parameter itself

    def iter_objects(self, path: str, *, limit: int = 1000, **params: Any) -> Iterator[Any]:
        """Yield every object of a list, page after page."""
        for page in self.iter_pages(path, limit=limit, **params):
            yield from page
