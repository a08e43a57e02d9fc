"""Local HTTP stand-in for Clever's OAuth host and v3.0 data API (standard library only)."""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import hmac
import html
import json
import secrets
import socket
import sys
import threading
import time
import traceback
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .dataset import KINDS, ROLES, SandboxDataset, _is_hex, has_role, now_iso, user_school_ids

MAX_LIMIT = 10000
DEFAULT_LIMIT = 100
SCOPES = [
    "read:district_admins",
    "read:school_admins",
    "read:schools",
    "read:sections",
    "read:students",
    "read:teachers",
    "read:user_id",
    "read:contacts",
]
ROLE_LABELS = (
    ("teacher", "Teachers"),
    ("staff", "Staff"),
    ("district_admin", "District admins"),
    ("student", "Students"),
)


SESSION_COOKIE = "clever_sandbox_user"


def _session_user(headers) -> str | None:
    """The user an Instant Login left signed in to the sandbox's "Clever", from its cookie."""
    for part in (headers.get("Cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return value
    return None


@dataclass
class Response:
    """What a route returns: status, content type, body and extra headers."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


def json_response(status: int, payload, headers: dict | None = None) -> Response:
    """A JSON response."""
    return Response(status, json.dumps(payload).encode(), "application/json", dict(headers or {}))


def message(status: int, text: str | None = None) -> Response:
    """Clever's error shape: {"message": ...}."""
    return json_response(status, {"message": text or HTTPStatus(status).phrase})


def oauth_error(status: int, error: str, description: str) -> Response:
    """OAuth error shape: {"error", "error_description"}."""
    headers = {"WWW-Authenticate": 'Basic realm="clever"'} if status == 401 else {}
    return json_response(status, {"error": error, "error_description": description}, headers)


def html_response(status: int, text: str) -> Response:
    """An HTML page."""
    return Response(status, text.encode(), "text/html; charset=utf-8")


def redirect(location: str) -> Response:
    """A 302 redirect."""
    return Response(302, b"", "text/plain", {"Location": location})


def add_query(uri: str, params: dict) -> str:
    """Append query parameters to a URI that may already have some."""
    parts = urlsplit(uri)
    query = "&".join(p for p in (parts.query, urlencode(params)) if p)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


@dataclass
class Fault:
    """A canned response (or delay) for the next `remaining` matching requests."""

    path_prefix: str
    status: int | None
    remaining: int = 1
    headers: dict | None = None
    body: str | dict | None = None
    delay_seconds: float = 0.0

    def response(self) -> Response:
        """Build the canned response, with Clever-like defaults."""
        headers = dict(self.headers or {})
        if self.status == 429 and self.headers is None:
            headers["X-RateLimit-Reset"] = str(int(time.time()) + 1)
        content_type = headers.pop("Content-Type", None)
        if self.body is None:
            resp = message(self.status)
        elif isinstance(self.body, (dict, list)):
            resp = json_response(self.status, self.body)
        else:
            looks_html = self.body.lstrip().startswith("<")
            resp = Response(self.status, self.body.encode(), "text/html" if looks_html else "text/plain")
        resp.headers.update(headers)
        if content_type:
            resp.content_type = content_type
        return resp


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers open connections so stop() can close keep-alives."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, sandbox: SandboxServer):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.sandbox = sandbox
        self.open_sockets: set = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        """Track the connection before handing it to a thread."""
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        """Forget the connection once its thread is done."""
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        """A client that hung up (e.g. after its own timeout) is normal; anything else is logged."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Drop idle keep-alive connections so a stopped server really stops answering."""
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into SandboxServer.handle() calls."""

    protocol_version = "HTTP/1.1"
    server_version = "CleverSandbox/1.0"
    timeout = 60  # idle keep-alive connections give up after a minute
    disable_nagle_algorithm = True  # headers and body go out in two writes; avoid 40 ms stalls

    def _dispatch(self) -> None:
        """Read the body, route, write the response."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        resp = self.server.sandbox.handle(self.command, self.path, self.headers, body)
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers.items():
            self.send_header(name, str(value))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(resp.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up waiting; nothing to tell it

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = _dispatch

    def send_error(self, code, message=None, explain=None):
        """Malformed requests get JSON too, never the default HTML page."""
        body = json.dumps({"message": message or HTTPStatus(code).phrase}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def log_message(self, format, *args):
        """One quiet line per request on stderr unless the sandbox is quiet."""
        if not self.server.sandbox.quiet:
            sys.stderr.write("clever-sandbox %s\n" % (format % args))


class SandboxServer:
    """Clever's OAuth host and v3.0 API on one local host:port, backed by a SandboxDataset."""

    def __init__(
        self,
        dataset: SandboxDataset,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str = "classhub-sandbox-client",
        client_secret: str = "classhub-sandbox-secret",  # noqa: S107 - a public sandbox default
        quiet: bool = False,
        code_ttl: float = 60.0,
    ):
        self.dataset = dataset
        self.client_id = client_id
        self.client_secret = client_secret
        self.quiet = quiet
        self.code_ttl = code_ttl
        self.lock = threading.RLock()
        self.request_log: list[tuple[str, str]] = []
        self._faults: list[Fault] = []
        self._generation: dict[str, int] = {}  # connected district -> token generation
        self._last_generation: dict[str, int] = {}  # never reissue a revoked token
        self._token_created: dict[str, str] = {}
        self._district_by_token: dict[str, str] = {}
        self._codes: dict[str, dict] = {}  # code -> {user_id, redirect_uri, expires}
        self._user_tokens: dict[str, str] = {}  # user token -> user id
        for did in sorted(dataset.districts):
            self._connect(did)
        self._httpd = _HTTPServer((host, port), _Handler, self)
        self._thread: threading.Thread | None = None
        self._serving = False

    # ----- lifecycle -----------------------------------------------------

    @property
    def host(self) -> str:
        """The bound host."""
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        """The bound port (the real one when constructed with port=0)."""
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Base URL for both CLEVER_API_BASE and CLEVER_OAUTH_BASE."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._serving = True
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="clever-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until stop() or KeyboardInterrupt."""
        self._serving = True
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving and close the socket and any open connections."""
        if self._serving:
            self._httpd.shutdown()
            self._serving = False
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.close_connections()
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----- tokens --------------------------------------------------------

    def _make_token(self, district_id: str, generation: int) -> str:
        """Opaque but reproducible district-app token."""
        msg = f"district:{district_id}:{generation}".encode()
        return hmac.new(self.client_secret.encode(), msg, hashlib.sha256).hexdigest()[:40]

    def _connect(self, district_id: str) -> str:
        """Issue the district's next-generation token, dropping the current one."""
        old = self._generation.get(district_id)
        if old is not None:
            self._district_by_token.pop(self._make_token(district_id, old), None)
        generation = self._last_generation.get(district_id, 0) + 1
        self._last_generation[district_id] = generation
        token = self._make_token(district_id, generation)
        self._generation[district_id] = generation
        self._token_created[district_id] = now_iso()
        self._district_by_token[token] = district_id
        return token

    def token_for(self, district_id: str) -> str:
        """Current district-app token; KeyError when the district is not connected."""
        with self.lock:
            return self._make_token(district_id, self._generation[district_id])

    def connected_districts(self) -> list[str]:
        """Ids of districts that currently have a token."""
        with self.lock:
            return sorted(self._generation)

    def revoke_token(self, district_id: str) -> None:
        """Disconnect: the token leaves /oauth/tokens and gets 401 from now on."""
        with self.lock:
            gen = self._generation.pop(district_id, None)
            if gen is not None:
                self._district_by_token.pop(self._make_token(district_id, gen), None)
                self._token_created.pop(district_id, None)

    disconnect = revoke_token

    def rotate_token(self, district_id: str) -> str:
        """Replace the district's token with a new one; the old one gets 401."""
        with self.lock:
            if district_id not in self._generation:
                raise KeyError(district_id)
            return self._connect(district_id)

    def connect(self, district_id: str) -> str:
        """(Re)connect a district, as when it adds the app again; returns its new token."""
        with self.lock:
            if district_id not in self.dataset.districts:
                raise KeyError(district_id)
            if district_id in self._generation:
                return self.token_for(district_id)
            return self._connect(district_id)

    # ----- data changes ---------------------------------------------------

    def share(self, district_id: str, school_ids) -> list[dict]:
        """Thread-safe SandboxDataset.share()."""
        with self.lock:
            return self.dataset.share(district_id, school_ids)

    def add_event(self, type: str, obj: dict, previous: dict | None = None) -> dict:
        """Thread-safe SandboxDataset.add_event()."""
        with self.lock:
            return self.dataset.add_event(type, obj, previous)

    # ----- faults -------------------------------------------------------

    def inject_fault(
        self,
        *,
        path_prefix: str,
        status: int | None,
        count: int = 1,
        headers: dict | None = None,
        body: str | dict | None = None,
        delay_seconds: float = 0.0,
    ) -> None:
        """Answer the next `count` requests starting with path_prefix this way (status None: just delay)."""
        if status is not None and not 100 <= int(status) <= 599:
            raise ValueError("status must be an HTTP status code or None")
        with self.lock:
            self._faults.append(
                Fault(
                    path_prefix,
                    None if status is None else int(status),
                    int(count),
                    headers,
                    body,
                    float(delay_seconds),
                )
            )

    def clear_faults(self) -> None:
        """Remove every pending fault."""
        with self.lock:
            self._faults.clear()

    def _take_fault(self, path: str, raw: str) -> Fault | None:
        """Consume one use of the first fault matching this request."""
        if path.startswith("/sandbox/") and not path.startswith("/sandbox/instant-login"):
            return None  # control endpoints stay reachable so tests can clear faults
        with self.lock:
            for fault in self._faults:
                if raw.startswith(fault.path_prefix) and fault.remaining > 0:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # ----- request entry point ----------------------------------------

    def handle(self, method: str, raw_path: str, headers, body: bytes) -> Response:
        """Route one request; never lets an exception reach the client."""
        try:
            parts = urlsplit(raw_path)
            path, pairs = parts.path, parse_qsl(parts.query, keep_blank_values=True)
            with self.lock:
                self.request_log.append((method, raw_path))
            fault = self._take_fault(path, raw_path)
            if fault is not None:
                if fault.delay_seconds:
                    time.sleep(fault.delay_seconds)
                if fault.status is not None:
                    return fault.response()
            with self.lock:
                return self._route(method, path, pairs, headers, body)
        except Exception:  # noqa: BLE001 - the client must never see a traceback
            traceback.print_exc(file=sys.stderr)
            return message(500, "sandbox internal error")

    def _route(self, method: str, path: str, pairs: list, headers, body: bytes) -> Response:
        """Pick the endpoint for a path."""
        query = dict(pairs)
        if path == "/oauth/tokens":
            if method == "GET":
                return self._list_tokens(query, headers)
            if method == "POST":
                return self._exchange_code(headers, body)
            return message(405)
        if path == "/oauth/authorize":
            return self._authorize(query, _session_user(headers)) if method == "GET" else message(405)
        if path == "/sandbox/instant-login":
            return self._instant_login(query) if method == "GET" else message(405)
        if path == "/sandbox" or path.startswith("/sandbox/"):
            return self._control(method, path, query, headers, body)
        if path.startswith("/v3.0/"):
            return self._api(method, path, pairs, headers)
        return message(404, "Not Found")

    # ----- OAuth ------------------------------------------------------------

    def _client_ok(self, headers) -> bool:
        """HTTP Basic auth with the sandbox's client id and secret."""
        auth = headers.get("Authorization") or ""
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.client_id) and hmac.compare_digest(password, self.client_secret)

    def _list_tokens(self, query: dict, headers) -> Response:
        """GET /oauth/tokens?owner_type=district[&district=id]."""
        if not self._client_ok(headers):
            return oauth_error(
                401, "invalid_client", "client authentication failed (HTTP Basic client_id:client_secret)"
            )
        if query.get("owner_type") != "district":
            return oauth_error(400, "invalid_request", "owner_type=district is required")
        wanted = query.get("district")
        data = []
        for did in sorted(self._generation):
            if wanted and did != wanted:
                continue
            token = self._make_token(did, self._generation[did])
            data.append(
                {
                    "id": hashlib.sha256(token.encode()).hexdigest()[:24],
                    "created": self._token_created[did],
                    "owner": {"type": "district", "id": did},
                    "access_token": token,
                    "scopes": list(SCOPES),
                }
            )
        return json_response(200, {"data": data, "links": []})

    def _parse_form(self, headers, body: bytes) -> dict | None:
        """Form-encoded or JSON body as a flat dict (None when unreadable)."""
        ctype = (headers.get("Content-Type") or "").lower()
        try:
            text = body.decode()
            if "json" in ctype or text.lstrip().startswith("{"):
                data = json.loads(text or "{}")
                return data if isinstance(data, dict) else None
            return dict(parse_qsl(text, keep_blank_values=True))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    def _exchange_code(self, headers, body: bytes) -> Response:
        """POST /oauth/tokens: authorization code -> user token."""
        if not self._client_ok(headers):
            return oauth_error(
                401, "invalid_client", "client authentication failed (HTTP Basic client_id:client_secret)"
            )
        form = self._parse_form(headers, body)
        if form is None:
            return oauth_error(400, "invalid_request", "body must be form-encoded or JSON")
        if form.get("grant_type") != "authorization_code":
            return oauth_error(400, "unsupported_grant_type", "grant_type must be authorization_code")
        code = form.get("code")
        if not code:
            return oauth_error(400, "invalid_request", "code is required")
        grant = self._codes.pop(code, None)  # a code works once, even when the attempt fails
        if grant is None:
            return oauth_error(400, "invalid_grant", "authorization code is unknown or was already used")
        if time.monotonic() > grant["expires"]:
            return oauth_error(400, "invalid_grant", "authorization code expired")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return oauth_error(400, "invalid_grant", "redirect_uri does not match the authorize request")
        token = secrets.token_hex(20)
        self._user_tokens[token] = grant["user_id"]
        return json_response(200, {"access_token": token, "token_type": "bearer"}, {"Cache-Control": "no-store"})

    def _issue_code(self, user_id: str, redirect_uri: str) -> str:
        """A one-time code valid for code_ttl seconds."""
        code = secrets.token_hex(16)
        self._codes[code] = {
            "user_id": user_id,
            "redirect_uri": redirect_uri,
            "expires": time.monotonic() + self.code_ttl,
        }
        return code

    def _sso_users(self, district_id: str | None) -> list[dict]:
        """Users who may sign in: visible to a connected district (optionally one district)."""
        out = []
        for did in sorted(self._generation):
            if district_id and did != district_id:
                continue
            out.extend(self.dataset.visible(did, "users"))
        return out

    def _authorize(self, query: dict, session_user: str | None = None) -> Response:
        """GET /oauth/authorize: a sign-in-as page; choosing a user redirects with a code."""
        if query.get("client_id") != self.client_id:
            return html_response(400, _page("Clever sandbox — error", "<p class=err>Unknown client_id.</p>"))
        if query.get("response_type") != "code":
            return html_response(400, _page("Clever sandbox — error", "<p class=err>response_type must be code.</p>"))
        if not query.get("redirect_uri"):
            return html_response(400, _page("Clever sandbox — error", "<p class=err>redirect_uri is required.</p>"))
        district = query.get("district_id") or None
        if district and district not in self._generation:
            return html_response(
                400,
                _page(
                    "Clever sandbox — error",
                    f"<p class=err>District {html.escape(district)} is not connected to this app.</p>",
                ),
            )
        users = self._sso_users(district)
        base = {
            k: query[k] for k in ("response_type", "client_id", "redirect_uri", "state", "district_id") if k in query
        }
        if not query.get("sandbox_user") and not query.get("sandbox_login") and session_user:
            # Like Clever: someone already signed in to Clever (here, by an Instant Login) is not asked again.
            remembered = [u for u in users if u["id"] == session_user]
            if remembered:
                return self._sign_in(remembered[0], base)
        if query.get("sandbox_user"):
            chosen = [u for u in users if u["id"] == query["sandbox_user"]]
            if chosen:
                return self._sign_in(chosen[0], base)
            return html_response(200, self._chooser(users, base, "That user cannot sign in to this app here."))
        typed = (query.get("sandbox_login") or "").strip()
        if typed:
            matches = [
                u
                for u in users
                if u["id"] == typed or (isinstance(u.get("email"), str) and u["email"].casefold() == typed.casefold())
            ]
            if len(matches) == 1:
                return self._sign_in(matches[0], base)
            if matches:
                return html_response(
                    200,
                    self._chooser(
                        matches,
                        base,
                        f"Several users have the email {typed!r}; choose one.",
                        include_contacts=True,
                    ),
                )
            return html_response(
                200,
                self._chooser(users, base, f"No user with email or Clever id {typed!r} can sign in to this app."),
            )
        return html_response(200, self._chooser(users, base))

    def _sign_in(self, user: dict, base: dict) -> Response:
        """Redirect to redirect_uri with a fresh code (and the state, if one was given)."""
        params = {"code": self._issue_code(user["id"], base["redirect_uri"])}
        if base.get("state"):
            params["state"] = base["state"]
        return redirect(add_query(base["redirect_uri"], params))

    def _chooser(self, users: list[dict], base: dict, note: str = "", include_contacts: bool = False) -> str:
        """The sign-in page: users grouped by district then role, plus a type-in form."""
        parts = [
            f"<p class=err>{html.escape(note)}</p>" if note else "",
            "<p>No passwords here: pick who you are. Students are listed too — the app must refuse them.</p>",
            "<form method=get action='/oauth/authorize'>",
        ]
        parts += [f"<input type=hidden name='{html.escape(k)}' value='{html.escape(v)}'>" for k, v in base.items()]
        parts.append(
            "<label>Email or Clever id <input name=sandbox_login size=40 autofocus></label> "
            "<button type=submit>Sign in</button></form>"
        )
        by_district: dict[str, list[dict]] = {}
        for u in users:
            by_district.setdefault(u.get("district", ""), []).append(u)
        for did, members in by_district.items():
            name = self.dataset.districts.get(did, {}).get("name") or did
            parts.append(f"<h2>{html.escape(str(name))} <small>{html.escape(str(did))}</small></h2>")
            groups = list(ROLE_LABELS) + ([("contact", "Contacts")] if include_contacts else [])
            for role, label in groups:
                holders = [u for u in members if has_role(u, role)]
                if holders:
                    parts.append(f"<h3>{label} ({len(holders)})</h3><ul>")
                    parts += [self._user_item(u, base) for u in holders]
                    parts.append("</ul>")
        return _page("Clever sandbox — sign in as…", "".join(parts))

    def _user_item(self, user: dict, base: dict) -> str:
        """One sign-in link."""
        name = user.get("name")
        parts = [name.get(k) for k in ("first", "middle", "last")] if isinstance(name, dict) else [name]
        full = " ".join(str(p) for p in parts if p) or user["id"]  # loaded data may hold names of any type
        roles = ", ".join(r for r in ROLES if has_role(user, r))
        email = user.get("email") or "no email"
        href = "/oauth/authorize?" + urlencode({**base, "sandbox_user": user["id"]})
        return (
            f"<li><a href='{html.escape(href)}'>{html.escape(full)}</a> "
            f"<span class=meta>{html.escape(str(email))} · {html.escape(roles)} · {user['id']}</span></li>"
        )

    def _instant_login(self, query: dict) -> Response:
        """GET /sandbox/instant-login: a Clever Portal launch, i.e. a code with no state."""
        uri, uid = query.get("redirect_uri"), query.get("user_id")
        if not uri or not uid:
            return html_response(
                400,
                _page("Clever sandbox — error", "<p class=err>user_id and redirect_uri are required.</p>"),
            )
        if not any(u["id"] == uid for u in self._sso_users(None)):
            return html_response(
                400,
                _page(
                    "Clever sandbox — error",
                    f"<p class=err>User {html.escape(uid)} cannot sign in to this app.</p>",
                ),
            )
        response = redirect(add_query(uri, {"code": self._issue_code(uid, uri)}))
        # The launch leaves a "signed in to Clever" session, so a restarted authorize needs no choosing.
        response.headers["Set-Cookie"] = f"{SESSION_COOKIE}={uid}; Path=/; HttpOnly; SameSite=Lax"
        return response

    # ----- data API ---------------------------------------------------------

    def _api(self, method: str, path: str, pairs: list, headers) -> Response:
        """Everything under /v3.0/."""
        auth = headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return message(401, "Missing or malformed Authorization header; expected Bearer token")
        token = token.strip()
        district = self._district_by_token.get(token)
        user_id = self._user_tokens.get(token)
        if district is None and user_id is None:
            return message(401, "Invalid or revoked token")
        if method not in ("GET", "HEAD"):
            return message(405)
        segments = [s for s in path[len("/v3.0/") :].split("/") if s]
        if segments == ["me"]:
            return self._me(district, user_id)
        if user_id is not None:
            return self._api_for_user(user_id, segments, pairs, path)
        return self._api_for_district(district, segments, pairs, path)

    def _me(self, district: str | None, user_id: str | None) -> Response:
        """GET /v3.0/me for either kind of token."""
        if district is not None:
            return json_response(
                200,
                {
                    "type": "district",
                    "data": {"id": district, "type": "district"},
                    "links": [{"rel": "canonical", "uri": f"/v3.0/districts/{district}"}],
                },
            )
        user = self.dataset.users.get(user_id)
        if user is None:
            return message(401, "Invalid or revoked token")
        return json_response(
            200,
            {
                "type": "user",
                "data": {
                    "id": user_id,
                    "district": user.get("district"),
                    "type": "user",
                    "authorized_by": "district",
                },
                "links": [{"rel": "canonical", "uri": f"/v3.0/users/{user_id}"}],
            },
        )

    def _api_for_user(self, user_id: str, segments: list, pairs: list, path: str) -> Response:
        """A user token reads its own user, district and schools; lists need a district token."""
        user = self.dataset.users.get(user_id)
        if user is None:
            return message(401, "Invalid or revoked token")
        district = user.get("district", "")
        if len(segments) == 3 and segments[0] == "users" and segments[1] == user_id and segments[2] == "sections":
            return self._api_for_district(district, segments, pairs, path)
        if len(segments) != 2:
            return message(401, "This endpoint needs a district-app token")
        kind, oid = segments
        allowed = {("users", user_id), ("districts", district)} | {("schools", s) for s in user_school_ids(user)}
        if (kind, oid) not in allowed:
            return message(404, "Not Found")
        obj = self.dataset.collection(kind).get(oid)
        return single(obj, path) if obj else message(404, "Not Found")

    def _api_for_district(self, district: str, segments: list, pairs: list, path: str) -> Response:
        """List, single and nested endpoints for a district-app token."""
        if not segments or segments[0] not in KINDS + ("events",):
            return message(404, "Not Found")
        kind = segments[0]
        query = dict(pairs)
        role = query.get("role") or None
        if role is not None and role not in ROLES:
            return message(400, f"role must be one of {', '.join(ROLES)}")
        if len(segments) == 1:
            role = role if kind == "users" else None
            return self._page(
                self.dataset.visible(district, kind, role),
                kind,
                path,
                pairs,
                events=kind == "events",
                ids=self.dataset.visible_ids(district, kind, role),
            )
        if len(segments) == 2:
            if not self.dataset.is_visible(district, kind, segments[1]):
                return message(404, "Not Found")
            return single(self._lookup(kind, segments[1]), path)
        if len(segments) == 3:
            return self._nested(district, kind, segments[1], segments[2], role, path, pairs)
        return message(404, "Not Found")

    def _lookup(self, kind: str, oid: str) -> dict:
        """One object of any kind by id (events included)."""
        if kind == "events":
            return next(e for e in self.dataset.events if e["id"] == oid)
        return self.dataset.collection(kind)[oid]

    def _nested(self, district: str, kind: str, oid: str, child: str, role, path: str, pairs: list) -> Response:
        """/schools|sections/{id}/users, /users/{id}/sections, /schools|terms|courses/{id}/sections."""
        supported = {
            ("schools", "users"),
            ("sections", "users"),
            ("users", "sections"),
            ("schools", "sections"),
            ("terms", "sections"),
            ("courses", "sections"),
        }
        if (kind, child) not in supported:
            return message(404, "Not Found")
        if not self.dataset.is_visible(district, kind, oid):
            return message(404, "Not Found")
        ds = self.dataset
        if (kind, child) == ("schools", "users"):
            items = [u for u in ds.visible(district, "users", role) if oid in user_school_ids(u)]
        elif (kind, child) == ("sections", "users"):
            sec = ds.sections[oid]
            members = set(sec.get("students") or []) | set(sec.get("teachers") or [])
            items = [u for u in ds.visible(district, "users", role) if u["id"] in members]
        elif kind == "users":
            items = [
                s
                for s in ds.visible(district, "sections")
                if oid in (s.get("students") or []) or oid in (s.get("teachers") or [])
            ]
        else:
            field_name = {"schools": "school", "terms": "term_id", "courses": "course"}[kind]
            items = [s for s in ds.visible(district, "sections") if s.get(field_name) == oid]
        return self._page(items, child, path, pairs)

    def _page(
        self,
        items: list[dict],
        kind: str,
        path: str,
        pairs: list,
        events: bool = False,
        ids: list[str] | None = None,
    ) -> Response:
        """Clever paging over id-sorted items: limit, starting_after, ending_before (or 'last').

        For /events an unknown starting_after/ending_before id answers 404, as for an event
        older than Clever's 30-day window: the product must then resync fully.
        """
        query = dict(pairs)
        raw_limit = query.get("limit")
        try:
            limit = DEFAULT_LIMIT if raw_limit in (None, "") else int(raw_limit)
        except ValueError:
            return message(400, "limit must be an integer")
        if limit < 1:
            return message(400, "limit must be at least 1")
        if limit > MAX_LIMIT:
            return message(413, f"limit must be at most {MAX_LIMIT}")
        after, before = query.get("starting_after"), query.get("ending_before")
        if after and before:
            return message(400, "use starting_after or ending_before, not both")
        # an unknown event cursor cannot be resumed: 404 tells the client to resync fully
        if events and (
            (after and after not in self.dataset.event_ids())
            or (before and before != "last" and before not in self.dataset.event_ids())
        ):
            return message(404, "Not Found: unknown event id")
        ids = ids if ids is not None else [o["id"] for o in items]
        requested = limit
        if after:
            start = bisect_right(ids, after)
        elif before:
            end = len(ids) if before == "last" else bisect_left(ids, before)
            start = max(0, end - limit)
            limit = min(limit, end - start)
        else:
            start = 0
        page = items[start : start + limit] if limit else []
        links = [{"rel": "self", "uri": path + ("?" + urlencode(pairs) if pairs else "")}]
        full = len(page) == requested
        if page and (full or start + len(page) < len(ids)):
            links.append({"rel": "next", "uri": _cursor_link(path, pairs, "starting_after", page[-1]["id"])})
        if page and start > 0:
            links.append({"rel": "prev", "uri": _cursor_link(path, pairs, "ending_before", page[0]["id"])})
        data = [{"data": o, "uri": f"/v3.0/{kind}/{o['id']}"} for o in page]
        return json_response(200, {"data": data, "links": links})

    # ----- sandbox control ----------------------------------------------------

    def _control(self, method: str, path: str, query: dict, headers, body: bytes) -> Response:
        """Loopback-only knobs for tests and demos (no auth)."""
        segments = [s for s in path.split("/") if s][1:]
        if not segments:
            return self._overview(query, headers) if method == "GET" else message(405)
        if segments == ["events"] and method == "POST":
            return self._control_events(body)
        payload = self._parse_form({"Content-Type": "application/json"}, body) if body else {}
        if payload is None:
            return message(400, "body must be a JSON object")
        if segments == ["faults"]:
            return self._control_faults(method, payload)
        if len(segments) == 3 and segments[0] == "districts" and method == "POST":
            return self._control_district(segments[1], segments[2], payload)
        return message(404, "Not Found")

    def _control_events(self, body: bytes) -> Response:
        """POST /sandbox/events: one {type, object, previous_attributes}, or a JSON list of them (all or none)."""
        try:
            payload = json.loads(body.decode() or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return message(400, "body must be a JSON object or a list of objects")
        if isinstance(payload, list):
            try:
                events = self.add_events(payload)
            except ValueError as exc:
                return message(400, str(exc))
            return json_response(201, {"count": len(events), "ids": [e["id"] for e in events]})
        if not isinstance(payload, dict):
            return message(400, "body must be a JSON object or a list of objects")
        try:
            event = self.dataset.add_event(
                payload.get("type", ""), payload.get("object"), payload.get("previous_attributes")
            )
        except ValueError as exc:
            return message(400, str(exc))
        return json_response(201, {"data": event})

    def add_events(self, items: list) -> list[dict]:
        """Apply many created/updated/deleted changes and record their events, in order, in one go.

        SandboxDataset.add_event() recomputes what a district sees after every change, which takes
        hours for 10k events in a 100k-student district; here visibility is judged once for the whole
        batch (before it for deletions, after it otherwise). Nothing is applied if any item is invalid.
        """
        changes = []
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise ValueError(f"event {n}: not an object")
            event_type, obj = item.get("type", ""), item.get("object")
            kind, _, action = str(event_type).partition(".")
            if kind not in KINDS or action not in ("created", "updated", "deleted"):
                raise ValueError(f"event {n}: unknown event type {event_type!r}")
            if not isinstance(obj, dict) or not obj.get("id") or not isinstance(obj["id"], str):
                raise ValueError(f"event {n}: event object needs an 'id'")
            district = obj["id"] if kind == "districts" else obj.get("district", "")
            changes.append((event_type, kind, action, copy.deepcopy(obj), item.get("previous_attributes"), district))
        with self.lock:
            ds = self.dataset
            seen_before = [
                bool(district) and ds.is_visible(district, kind, obj["id"]) if action == "deleted" else None
                for _type, kind, action, obj, _prev, district in changes
            ]
            for _type, kind, action, obj, _prev, _district in changes:
                if action == "deleted":
                    ds.collection(kind).pop(obj["id"], None)
                else:
                    ds.collection(kind)[obj["id"]] = copy.deepcopy(obj)
            ds.invalidate()
            top = max((int(e["id"], 16) for e in ds.events if _is_hex(e.get("id", ""))), default=0x65 << 88)
            events = []
            for n, (event_type, kind, action, obj, previous, district) in enumerate(changes):
                seen = (
                    seen_before[n]
                    if action == "deleted"
                    else bool(district) and ds.is_visible(district, kind, obj["id"])
                )
                event = {"id": f"{top + n + 1:024x}", "created": now_iso(), "type": event_type, "data": {"object": obj}}
                if action == "updated":
                    event["data"]["previous_attributes"] = copy.deepcopy(previous or {})
                ds.events.append(event)
                ds.event_audience[event["id"]] = district if seen else ""
                events.append(event)
            ds.invalidate()
        return events

    def _control_faults(self, method: str, payload: dict) -> Response:
        """POST adds a fault (inject_fault kwargs), DELETE clears them."""
        if method == "DELETE":
            self.clear_faults()
            return json_response(200, {"faults": []})
        if method != "POST":
            return message(405)
        try:
            self.inject_fault(**payload)
        except (TypeError, ValueError) as exc:
            return message(400, f"bad fault: {exc}")
        return json_response(201, {"faults": [f.__dict__ for f in self._faults]})

    def _control_district(self, did: str, action: str, payload: dict) -> Response:
        """sharing / revoke / rotate / connect for one district."""
        if did not in self.dataset.districts:
            return message(404, f"unknown district {did}")
        if action == "sharing":
            ids = payload.get("school_ids")
            if not isinstance(ids, list) or not all(isinstance(s, str) for s in ids):
                return message(400, "school_ids must be a list of school ids")
            try:
                events = self.dataset.share(did, ids)
            except ValueError as exc:
                return message(400, str(exc))
            return json_response(
                200, {"district": did, "shared_schools": sorted(ids), "events": [e["id"] for e in events]}
            )
        if action == "revoke":
            self.revoke_token(did)
            return json_response(200, {"district": did, "access_token": None})
        if action == "rotate":
            if did not in self._generation:
                return message(409, "district is not connected")
            return json_response(200, {"district": did, "access_token": self.rotate_token(did)})
        if action == "connect":
            return json_response(200, {"district": did, "access_token": self.connect(did)})
        return message(404, "Not Found")

    def overview(self) -> dict:
        """Districts, tokens, shared schools and counts."""
        out = []
        summary = self.dataset.summary()
        for did, info in summary.items():
            token = self._make_token(did, self._generation[did]) if did in self._generation else None
            out.append(
                {
                    "id": did,
                    "name": info["name"],
                    "connected": token is not None,
                    "access_token": token,
                    "shared_schools": [
                        {"id": s, "name": self.dataset.schools.get(s, {}).get("name", "")}
                        for s in info["shared_schools"]
                    ],
                    # Every school of the district, so a test (or a person) can pick one to start sharing.
                    "all_schools": [
                        {"id": sid, "name": school.get("name", ""), "shared": sid in info["shared_schools"]}
                        for sid, school in sorted(self.dataset.schools.items())
                        if school.get("district") == did
                    ],
                    "counts": {k: v for k, v in info.items() if k not in ("name", "shared_schools")},
                }
            )
        return {
            "url": self.url,
            "client_id": self.client_id,
            "districts": out,
            "pending_faults": len(self._faults),
            "requests_served": len(self.request_log),
        }

    def _overview(self, query: dict, headers) -> Response:
        """GET /sandbox/: JSON with ?format=json or Accept: application/json, else HTML."""
        data = self.overview()
        accept = headers.get("Accept") or ""
        if query.get("format") == "json" or ("application/json" in accept and "text/html" not in accept):
            return json_response(200, data)
        rows = []
        for d in data["districts"]:
            schools = (
                "<br>".join(
                    f"{'✓' if s['shared'] else '✗'} {html.escape(str(s['name'] or s['id']))} <code>{s['id']}</code>"
                    for s in d["all_schools"]
                )
                or "—"
            )
            counts = ", ".join(f"{k}: {v}" for k, v in d["counts"].items())
            rows.append(
                f"<tr><td>{html.escape(str(d['name'] or d['id']))}<br><code>{d['id']}</code></td>"
                f"<td><code>{d['access_token'] or 'not connected'}</code></td>"
                f"<td>{schools}</td><td>{html.escape(counts)}</td></tr>"
            )
        body = (
            f"<p>Base URL <code>{html.escape(data['url'])}</code> · client_id "
            f"<code>{html.escape(data['client_id'])}</code> · {data['requests_served']} requests served · "
            f"<a href='/sandbox/?format=json'>JSON</a></p><table><tr><th>District</th><th>Token</th>"
            f"<th>Schools (✓ shared)</th><th>Visible</th></tr>{''.join(rows)}</table>"
        )
        return html_response(200, _page("Clever sandbox", body))


def single(obj: dict, path: str) -> Response:
    """Clever's single-object envelope."""
    return json_response(200, {"data": obj, "links": [{"rel": "self", "uri": path}]})


def _cursor_link(path: str, pairs: list, key: str, value: str) -> str:
    """Same query (limit, role, ...) with the paging cursor replaced."""
    kept = [(k, v) for k, v in pairs if k not in ("starting_after", "ending_before")]
    return path + "?" + urlencode(kept + [(key, value)])


_CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2733}"
    "h1{color:#1464ff}h2{margin-top:2rem;border-bottom:1px solid #dde}"
    "h2 small,.meta{color:#667;font-size:.8em}"
    "ul{padding-left:1.2rem}li{margin:.2rem 0}.err{background:#fee;border:1px solid #f99;padding:.5rem}"
    "form{background:#f4f6fb;padding:.8rem;border-radius:6px}table{border-collapse:collapse}"
    "td,th{border:1px solid #dde;padding:.4rem;vertical-align:top;text-align:left}"
)


def _page(title: str, body: str) -> str:
    """A small self-contained HTML page."""
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
