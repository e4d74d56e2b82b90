"""The HTTP API: /api/ask, /api/ask/stream (SSE), /healthz, /widget.js, docs at /docs.

`create_app(settings, pipeline)` builds it; `qa serve` runs it with uvicorn and mounts the reader UI
at `/`. Safety is on by default: browser requests from an origin that is neither the app's own nor
in `allowed_origins` get 403, each client has a request budget per moving minute (429 with
Retry-After), request bodies and questions have size limits, and every error is a small JSON
object, never a traceback.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.chain import Pipeline
from qa.config import Settings
from qa.errors import (
    AnswerModelError,
    IndexMismatchError,
    IndexNotBuiltError,
    InvalidQuestionError,
    QAError,
)
from qa.feedback import log_refusal, open_feedback_store
from qa.ratelimit import RateLimiter, retry_after_header
from qa.types import Turn

logger = logging.getLogger(__name__)

API_PREFIX = "/api"
MAX_HISTORY_TURNS = 20
ORIGIN_REFUSAL = "This site is not allowed to use this assistant."
CORS_METHODS = ["GET", "POST"]
CORS_HEADERS = ["Content-Type"]

ERROR_CODES = {
    400: "bad_request",
    403: "origin_not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    431: "headers_too_large",
}


class TurnIn(BaseModel):
    """A prior exchange, replayed so follow-up questions ("and what did he say?") make sense."""

    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "Who asked Clinton to review the case?"}]},
    )

    question: str = Field(description="The reader's question (at most QA_MAX_QUESTION_CHARS).")
    history: list[TurnIn] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description="Earlier turns of the same conversation, oldest first.",
    )

    def turns(self) -> tuple[Turn, ...]:
        return tuple(Turn(question=t.question, answer=t.answer) for t in self.history)


EDITOR_USER = "editor"


def create_app(settings: Settings, pipeline: Pipeline, *, with_ui: bool = False) -> FastAPI:
    """The API app. With `with_ui` the Gradio reader UI (qa/ui.py) is mounted at `/` too, and
    the editors' UI at `/editors/` when QA_EDITOR_PASSWORD is set."""
    app = FastAPI(
        title="case-qa",
        summary="Cited answers about one news story.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.pipeline = pipeline
    app.state.feedback = open_feedback_store(settings)
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_storage)
    app.state.widget_js = read_widget_script()

    # Added inner first, so a request meets the origin guard, then CORS (which answers preflights
    # and dresses every error below it), then the error shape, the size limit, the nesting limit
    # and the guard on Gradio's routes. Gradio sees a CORSMiddleware and leaves CORS to it rather
    # than adding its own, more permissive one.
    app.add_middleware(
        ReaderGradioGuard, limiter=app.state.limiter, max_bytes=settings.max_body_bytes
    )
    app.add_middleware(ShallowJson, max_bytes=settings.max_body_bytes)
    app.add_middleware(DeclaredBodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(ErrorShape, routes=route_methods([*api.routes, *site.routes]))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=CORS_METHODS,
        allow_headers=CORS_HEADERS,
        expose_headers=["Retry-After"],
        max_age=600,
    )
    app.add_middleware(OriginGuard, allowed=settings.allowed_origins)
    app.add_middleware(HostGuard)
    app.add_middleware(StandardForwarded)

    app.add_exception_handler(QAError, _qa_error_response)
    app.add_exception_handler(RequestValidationError, _validation_error_response)
    app.add_exception_handler(HTTPException, _http_error_response)
    app.add_exception_handler(Exception, _server_error_response)

    app.include_router(api, max_body_size=settings.max_body_bytes)
    app.include_router(site)
    if with_ui:
        import gradio as gr

        from qa.editors import build_editors_ui
        from qa.ui import build_ui

        # Editors' tools run evaluations (minutes of CPU) and show readers' private notes: they
        # exist only behind a password, and never on the reader's page.
        password = settings.editor_password.get_secret_value()
        if password:
            editors = build_editors_ui(pipeline, settings)
            gr.mount_gradio_app(app, editors, path="/editors", auth=(EDITOR_USER, password))
        reader = build_ui(pipeline, settings)
        app.state.reader_events = set(reader.fns)  # what ReaderGradioGuard lets through
        # Mounted last: a mount at "/" would shadow every route registered after it.
        gr.mount_gradio_app(app, reader, path="/")
    return app


def run_server(app: FastAPI, host: str, port: int, *, access_log: bool = True) -> None:
    """Serve the app with uvicorn. A client's address comes from X-Forwarded-For (uvicorn) or
    Forwarded (StandardForwarded) only when the request comes from an address in
    FORWARDED_ALLOW_IPS (default: none; uvicorn's own default trusts loopback, which let anyone on
    the machine dodge the rate limit with a made-up header).
    """
    import uvicorn

    app.state.own_hosts = own_hosts(app.state.settings.public_url, host, port)
    trusted = os.environ.get("FORWARDED_ALLOW_IPS", "")
    app.state.trusted_proxies = trusted_proxies(trusted)
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=access_log,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


def read_widget_script() -> str:
    return (files("qa") / "widget" / "widget.js").read_text(encoding="utf-8")


# --- origins -----------------------------------------------------------------------------------


class HostGuard:
    """400 for a request whose Host is not one this server answers to, and 431 for headers past
    MAX_HEADERS or MAX_HEADER_BYTES in all.

    A page on evil.example whose name is re-pointed at 127.0.0.1 (DNS rebinding) sends
    `Host: evil.example` and `Origin: http://evil.example`, which would look like the app's own
    origin. The hosts are QA_PUBLIC_URL's and the address the server listens on (run_server
    records them); an app built without them (in-process tests) checks sizes only.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = scope["headers"]
        if len(raw) > MAX_HEADERS or sum(len(k) + len(v) for k, v in raw) > MAX_HEADER_BYTES:
            message = "The request headers are too many or too large."
            await error_response(431, message)(scope, receive, send)
            return
        hosts = getattr(scope["app"].state, "own_hosts", None)
        if hosts and Headers(scope=scope).get("host", "").lower() not in hosts:
            hint = "Set QA_PUBLIC_URL to the address readers use."
            await error_response(400, "This server does not answer to that host.", hint)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024


class StandardForwarded:
    """The client address from RFC 7239's `Forwarded: for=…`, believed only from a trusted proxy
    (FORWARDED_ALLOW_IPS), as uvicorn does for X-Forwarded-For. uvicorn applies X-Forwarded-For
    first; once it has, the client is no longer the proxy and this header is left alone.

    Elements are read from the nearest proxy outwards; the first `for` that is not itself a
    trusted proxy is the client. Obfuscated identifiers ("_hidden", "unknown") count as one client
    each, like any address.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state if "app" in scope else None
        trusted = getattr(state, "trusted_proxies", None)
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and trusted and client:
            header = Headers(scope=scope).get("forwarded")
            if header and _is_trusted(client[0], trusted):
                for_values = [v for v in _forwarded_for(header) if not _is_trusted(v, trusted)]
                if for_values:
                    scope = {**scope, "client": (for_values[-1], 0)}
        await self.app(scope, receive, send)


def trusted_proxies(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | str:
    """FORWARDED_ALLOW_IPS as networks ("*": every address); entries that are not addresses or
    networks are ignored."""
    if setting.strip() == "*":
        return "*"
    networks = []
    for entry in filter(None, (e.strip() for e in setting.split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            logger.warning("FORWARDED_ALLOW_IPS: %r is not an address or network; ignored", entry)
    return networks


def _is_trusted(address: str, trusted: list[Any] | str) -> bool:
    if trusted == "*":
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _forwarded_for(header: str) -> list[str]:
    """The `for` values of a Forwarded header, outermost first, as bare addresses."""
    values = []
    for element in header.split(","):
        for pair in element.split(";"):
            name, _, value = pair.strip().partition("=")
            if name.strip().lower() == "for" and value:
                value = value.strip().strip('"')
                if value.startswith("["):  # "[2001:db8::1]:4711"
                    value = value[1 : value.find("]")] if "]" in value else value[1:]
                elif value.count(":") == 1:  # "192.0.2.1:4711"
                    value = value.split(":")[0]
                values.append(value[:64])  # a client id for the rate limit: keep it short
    return values


def own_hosts(public_url: str, host: str, port: int) -> set[str]:
    """The Host values this server answers to: QA_PUBLIC_URL's, and the address it listens on
    (by any loopback name when it listens on loopback); empty (no check) when it listens on
    every interface and no public URL says which name readers use."""
    hosts = {urlsplit(public_url).netloc.lower()} if public_url else set()
    if host in ("0.0.0.0", "::", ""):
        return hosts
    names = (
        {"127.0.0.1", "localhost", "[::1]"} if host in ("127.0.0.1", "localhost", "::1") else {host}
    )
    return hosts | {f"{name}:{port}" for name in names} | (names if port == 80 else set())


class OriginGuard:
    """403 for browser requests whose `Origin` is neither the app's own nor allowed.

    Requests without an `Origin` (curl, servers, a page loading /widget.js with a script tag) pass:
    the header is how browsers say a page on another site is calling. The refusal carries CORS
    headers for the refused origin, and its preflight is answered, so the widget on that page can
    read the 403 and say why instead of failing with an opaque network error. No work is done and
    nothing but the refusal is readable: successful responses get CORS headers only for allowed
    origins (CORSMiddleware).
    """

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = set(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or self.allows(origin, own_origin(scope, headers)):
            await self.app(scope, receive, send)
            return
        cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        response: Response
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            cors["Access-Control-Allow-Methods"] = ", ".join(CORS_METHODS)
            cors["Access-Control-Allow-Headers"] = ", ".join(CORS_HEADERS)
            response = Response(status_code=204, headers=cors)
        else:
            response = error_response(403, ORIGIN_REFUSAL, headers=cors)
        await response(scope, receive, send)

    def allows(self, origin: str, own: str) -> bool:
        origin = origin.lower()
        return origin == own or "*" in self.allowed or origin in self.allowed


def own_origin(scope: Scope, headers: Headers) -> str:
    """The origin a browser shows for pages served by this app: scheme and Host as requested.

    Behind a TLS-terminating proxy the scheme comes from X-Forwarded-Proto (uvicorn's proxy-headers
    support); otherwise list the public origin in QA_ALLOWED_ORIGINS.
    """
    return f"{scope['scheme']}://{headers.get('host', '')}".lower()


class ErrorShape:
    """One error shape everywhere: a 404 or 405 answered in Starlette's `{"detail": …}` (for a
    path no route has, or a method a route of ours does not take, the reader UI mounted at "/"
    answers instead) becomes `{"error", "message"}`, and a 405 names the allowed methods. Gradio's
    own routes keep the bodies its pages read.
    """

    def __init__(self, app: ASGIApp, routes: dict[str, set[str]]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if not path or path.startswith(_GRADIO_OWN):
            await self.app(scope, receive, send)
            return
        allowed = self.routes.get(path)
        if allowed and scope["method"] not in allowed:
            message = f"{path} takes {', '.join(sorted(allowed))}."
            headers = {"Allow": ", ".join(sorted(allowed))}
            await error_response(405, message, headers=headers)(scope, receive, send)
            return
        start: Message | None = None
        replaced = False

        async def reshape(message: Message) -> None:
            nonlocal start, replaced
            if replaced:  # the rest of a body already answered in our shape
                return
            if message["type"] == "http.response.start" and message["status"] == 404:
                start = message  # held until the body shows whose 404 it is
                return
            if start is not None and message["type"] == "http.response.body":
                held, start = start, None
                if message.get("body", b"").startswith(b'{"detail":'):
                    replaced = True
                    await error_response(404, "Not found.")(scope, receive, send)
                    return
                await send(held)
            await send(message)

        await self.app(scope, receive, reshape)


_GRADIO_OWN = ("/gradio_api/", "/editors", "/login", "/logout", "/config", "/theme", "/assets/")


def route_methods(routes: Iterable[BaseRoute]) -> dict[str, set[str]]:
    """Each route's path and the methods it takes."""
    found: dict[str, set[str]] = {}
    for route in routes:
        methods = getattr(route, "methods", None)
        if methods and hasattr(route, "path") and "{" not in route.path:
            found.setdefault(route.path, set()).update(methods)
    return found


class DeclaredBodyLimit:
    """413 before reading an API request body whose Content-Length is over the limit.

    FastAPI's `max_body_size` on the API router counts the bytes actually received, which also
    covers bodies sent without a length; but when the declared length is over, Starlette answers
    in plain text. This check answers that case first, in the same JSON as every other error.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX + "/"):
            declared = Headers(scope=scope).get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                response = error_response(413, body_too_large_message(self.max_bytes))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ShallowJson:
    """422 for an API request body nested deeper than MAX_JSON_DEPTH, before any parser reads it
    (the reader page's queue is held to it by ReaderGradioGuard, which reads that body anyway).

    Python's JSON parser recurses once per level, so a body of a few thousand "[" takes it to the
    interpreter's recursion limit. It fails cleanly there, but a garbage collection that happens
    at that depth runs finalizers with no stack left, and they fail unseen (a flaky test_hostile
    batch was traced to this).
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if scope.get("method") not in ("POST", "PUT", "PATCH") or not path.startswith(
            API_PREFIX + "/"
        ):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive, self.max_bytes)
        if body is None:
            await error_response(413, body_too_large_message(self.max_bytes))(scope, receive, send)
            return
        if problem := _nested_too_deep(body):
            await error_response(422, problem)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _nested_too_deep(body: bytes) -> str:
    """Why the body is not to be parsed (see ShallowJson), or ""."""
    if json_depth(body) > MAX_JSON_DEPTH:
        return f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
    return ""


def json_depth(body: bytes) -> int:
    """How deep a JSON text nests arrays and objects, read without parsing it (strings skipped)."""
    depth = deepest = 0
    for bracket in _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


class ReaderGradioGuard:
    """The reader page's Gradio routes pass the API's checks: a question sent through Gradio's
    queue is rate-limited per client address with the same buckets as /api/, its body is held to
    QA_MAX_BODY_BYTES and MAX_JSON_DEPTH, and it must name an event the page has (an unknown
    `fn_index` is a 422, not an error inside Gradio). Gradio's named-endpoint and upload routes
    are closed: the page needs neither, and the HTTP API is the way to ask from a program. The
    editors' app, behind its login, is not affected.
    """

    def __init__(self, app: ASGIApp, limiter: RateLimiter, max_bytes: int) -> None:
        self.app = app
        self.limiter = limiter
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if path.startswith(_GRADIO_CLOSED):
            await error_response(404, "Not found.")(scope, receive, send)
            return
        if path != _GRADIO_JOIN or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        wait = await self.limiter.acquire(client)
        if wait:
            headers = {"Retry-After": retry_after_header(wait)}
            await error_response(429, _TOO_MANY, headers=headers)(scope, receive, send)
            return
        body = await _read_body(receive, self.max_bytes)
        problem = (
            body_too_large_message(self.max_bytes)
            if body is None
            else _nested_too_deep(body)
            or _unknown_event(body, getattr(scope["app"].state, "reader_events", set()))
        )
        if problem:
            await error_response(413 if body is None else 422, problem)(scope, receive, send)
            return
        await self.app(scope, _replay(body or b"", receive), send)


_GRADIO_JOIN = "/gradio_api/queue/join"
_GRADIO_CLOSED = ("/gradio_api/call/", "/gradio_api/run/", "/gradio_api/api/", "/gradio_api/upload")
_TOO_MANY = "Too many questions from this address. Please wait a moment and try again."


async def _read_body(receive: Receive, max_bytes: int) -> bytes | None:
    """The request body, or None as soon as it is longer than max_bytes."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > max_bytes:
            return None
        if not message.get("more_body"):
            return body


def _unknown_event(body: bytes, events: set[int]) -> str:
    """Why a queue request names no event of the reader's page, or ""."""
    try:
        data = json.loads(body)
    except ValueError:  # bodies nested too deep to parse are turned away before
        return "The request body is not valid JSON."
    index = data.get("fn_index") if isinstance(data, dict) else None
    if type(index) is not int or index not in events:
        return "The request names no event of this page."
    return ""


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then whatever comes next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def body_too_large_message(max_bytes: int) -> str:
    return f"The request body is too large (the limit is {max_bytes:,} bytes)."


# --- errors --------------------------------------------------------------------------------------


def error_response(
    status: int, message: str, hint: str = "", headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """Every error body: a stable machine code, a sentence for people, and what to do about it."""
    body = {"error": ERROR_CODES.get(status, "server_error"), "message": message}
    if hint:
        body["hint"] = hint
    return JSONResponse(body, status_code=status, headers=headers)


def _qa_error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QAError)
    status = 500
    if isinstance(exc, InvalidQuestionError):
        status = 422
    elif isinstance(exc, IndexNotBuiltError | IndexMismatchError | AnswerModelError):
        status = 503
    return error_response(status, exc.user_message, exc.hint)


def _validation_error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and what: echoing the input back would return whatever the client sent.
    problems = [
        "the body is not valid JSON"
        if error["type"] == "json_invalid"
        else f"{'.'.join(str(part) for part in error['loc'][1:]) or 'body'}: {error['msg']}"
        for error in exc.errors()
    ]
    return error_response(
        422,
        "The request is not valid: " + "; ".join(problems[:5]),
        'Send JSON like {"question": "…", "history": [{"question": "…", "answer": "…"}]} '
        "with Content-Type: application/json.",
    )


def _http_error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    status, message = exc.status_code, str(exc.detail)
    if status == 413:
        message = body_too_large_message(request.app.state.settings.max_body_bytes)
    elif status == 400:  # FastAPI could not parse the body: invalid UTF-8, too deep, too long
        status, message = 422, "The request body is not valid JSON."
    return error_response(status, message, headers=exc.headers)


def _server_error_response(request: Request, exc: Exception) -> JSONResponse:
    logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "Something went wrong on our side. Please try again later.")


# --- routes --------------------------------------------------------------------------------------


def get_pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


async def limit_rate(request: Request) -> None:
    """One request counted per client address (shared by every replica with a Redis store)."""
    client = request.client.host if request.client else "unknown"
    wait = await request.app.state.limiter.acquire(client)
    if wait:
        raise HTTPException(429, _TOO_MANY, headers={"Retry-After": retry_after_header(wait)})


def checked_request(
    body: AskRequest, pipeline: Annotated[Pipeline, Depends(get_pipeline)]
) -> AskRequest:
    """Reject an unusable question before any answer, or stream, starts (422)."""
    pipeline.check_question(body.question)
    return body


api = APIRouter(prefix=API_PREFIX, tags=["questions"], dependencies=[Depends(limit_rate)])
site = APIRouter()
CheckedRequest = Annotated[AskRequest, Depends(checked_request)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]


@api.post("/ask")
def ask(body: CheckedRequest, pipeline: PipelineDep, request: Request) -> dict[str, Any]:
    """Answer a question: the answer text, whether it was refused, and its citations."""
    answer = pipeline.ask(body.question, body.turns())
    if answer.refused:  # editors see what readers of the API and widget wanted, too
        log_refusal(request.app.state.feedback, answer, body.turns())
    return answer.to_dict(passages=False)


@api.post("/ask/stream", response_class=EventSourceResponse)
def ask_stream(
    body: CheckedRequest, pipeline: PipelineDep, request: Request
) -> Iterator[ServerSentEvent]:
    """Server-sent events: `delta` (answer text pieces), `citations`, `related` (a refusal's
    nearest passage), then `done` (the whole Answer), or `error`."""
    try:
        for item in pipeline.stream(body.question, body.turns()):
            if isinstance(item, str):
                yield ServerSentEvent(event="delta", data={"text": item})
                continue
            yield ServerSentEvent(
                event="citations", data={"citations": [asdict(c) for c in item.citations]}
            )
            if item.refused:
                log_refusal(request.app.state.feedback, item, body.turns())
                if item.passages:
                    yield ServerSentEvent(event="related", data=item.passages[0].to_dict())
            yield ServerSentEvent(event="done", data=item.to_dict(passages=False))
    except QAError as exc:
        yield ServerSentEvent(
            event="error", data={"error": "server_error", "message": exc.user_message}
        )


@site.get("/healthz", tags=["service"])
@site.head("/healthz", include_in_schema=False)
def healthz(pipeline: PipelineDep) -> dict[str, Any]:
    """Liveness and readiness: the index is open and holds passages; and whether the start-up
    sync of the corpus folder is still running (answers come from the index there was until it
    publishes)."""
    # The passages this process answers from, counted once when its lexical index was built:
    # health checks are polled often and must not read the whole index each time.
    return {
        "status": "ok",
        "chunks": len(pipeline.retriever.lexical.passages),
        "corpus_sync": pipeline.corpus_sync,
    }


@site.get("/widget.js", tags=["service"], response_class=Response)
def widget_js(request: Request) -> Response:
    """The embeddable chat widget (see the README's "Embed on your site")."""
    return Response(
        request.app.state.widget_js,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
