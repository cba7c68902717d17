"""A local fake of the Bedrock "mantle" OpenAI-compatible endpoint, for tests (stdlib only).

It serves what the real ``openai`` SDK calls for reinforcement fine-tuning and inference, on
127.0.0.1 with a random port, from a daemon thread::

    with FakeMantle(statuses=["running", "running", "succeeded"]) as mantle:
        monkeypatch.setenv("MANTLE_BASE_URL", mantle.base_url)   # http://127.0.0.1:PORT/v1
        ...                                                      # code under test
        assert len(mantle.requests_to("POST", "/v1/fine_tuning/jobs")) == 1

Routes (OpenAI shapes; errors are ``{"error": {"message", "type", "code"}}``):
  POST /v1/files                            multipart (file, purpose) -> file object
  GET  /v1/files/{id}
  POST /v1/fine_tuning/jobs                 JSON body kept verbatim in ``job["request"]``
  GET  /v1/fine_tuning/jobs                 newest first, ``after`` (job id) / ``limit``, ``has_more``
  GET  /v1/fine_tuning/jobs/{id}            each retrieve advances the job one step in ``statuses``
  POST /v1/fine_tuning/jobs/{id}/cancel     -> status "cancelled" (sticks)
  GET  /v1/fine_tuning/jobs/{id}/events     newest first, ``after`` (event id) / ``limit``, ``has_more``
  GET  /v1/fine_tuning/jobs/{id}/checkpoints newest first, ``after`` / ``limit``
  POST /v1/chat/completions                 text from ``respond(model, messages)``
  POST /v1/responses                        same; ``input`` (string or message list) -> messages

Scripting (constructor arguments, all optional):
  statuses         statuses a job walks through, one per retrieve, the last one sticks
                   (default ``["running", "succeeded"]``). On "succeeded" the job gets
                   ``fine_tuned_model`` = ``ft:<model>:<job id>`` and ``finished_at``.
  events           metric/message events every new job starts with: dicts with ``type``,
                   ``message``, ``data`` (ids and increasing ``created_at`` are assigned).
  checkpoints      dicts with ``step_number`` and ``metrics`` every new job gets; the model id
                   is ``ft:<model>:<job id>:ckpt-step-<n>``.
  respond          ``respond(model, messages) -> str`` for chat and responses (default echoes
                   the model id). Raising ``HttpFailure(status)`` from it gives that status
                   (400: the SDK does not retry); any other exception gives a 500 (retried).
  require_bearer   when true (default) a request without ``Authorization: Bearer ...`` gets 401.

Helpers: ``add_events(job_id, [..])``, ``set_checkpoints(job_id, [..])``,
``create_job_directly(...)`` (a job the workflow did not record, e.g. a crash after create),
``fail_next(method, path_prefix, status=500, times=1)``.

Recorded: ``requests`` (list of ``Request``: method, path, query, headers, json, form),
``requests_to(method, path_prefix)``, ``files`` and ``jobs`` (dicts by id), ``models_called``.
Unknown fine-tuned model ids (``ft:`` prefix, not issued by this server) get a 404 on inference.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    form: dict[str, Any] = field(default_factory=dict)

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


class HttpFailure(Exception):
    """Raise from ``respond`` to answer with this HTTP status."""

    def __init__(self, status: int = 400, message: str = "scripted failure"):
        super().__init__(message)
        self.status, self.message = status, message


class _HttpError(Exception):
    def __init__(self, status: int, message: str, code: str = "error"):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _default_respond(model: str, messages: list) -> str:
    return f"ok from {model}"


class FakeMantle:
    def __init__(
        self,
        *,
        statuses: list[str] | None = None,
        events: list[dict] | None = None,
        checkpoints: list[dict] | None = None,
        respond: Callable[[str, list], str] | None = None,
        require_bearer: bool = True,
    ):
        self.statuses = list(statuses or ["running", "succeeded"])
        self.initial_events = list(events or [])
        self.initial_checkpoints = list(checkpoints or [])
        self.respond = respond or _default_respond
        self.require_bearer = require_bearer
        self.requests: list[Request] = []
        self.files: dict[str, dict] = {}
        self.jobs: dict[str, dict] = {}
        self.models_called: list[str] = []
        self._events: dict[str, list[dict]] = {}
        self._checkpoints: dict[str, list[dict]] = {}
        self._script_pos: dict[str, int] = {}
        self._failures: list[list] = []
        self._ids = itertools.count(1)
        self._clock = itertools.count(int(time.time()) - 10_000)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeMantle:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-mantle", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeMantle:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # ---- scripting helpers -----------------------------------------------------------------
    def requests_to(self, method: str, path_prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def fail_next(self, method: str, path_prefix: str, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._failures.append([method, path_prefix, status, times])

    def add_events(self, job_id: str, events: list[dict]) -> list[dict]:
        with self._lock:
            added = [self._event(job_id, e) for e in events]
            self._events.setdefault(job_id, []).extend(added)
            return added

    def set_checkpoints(self, job_id: str, checkpoints: list[dict]) -> None:
        with self._lock:
            job = self.jobs[job_id]
            self._checkpoints[job_id] = [self._checkpoint(job, c) for c in checkpoints]

    def create_job_directly(self, model: str, training_file: str, **extra: Any) -> dict:
        """Create a job as if the endpoint had received a create call (bypasses the recorder)."""
        with self._lock:
            return self._create_job({"model": model, "training_file": training_file, **extra})

    # ---- internals ---------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):06d}"

    def _event(self, job_id: str, spec: dict) -> dict:
        return {
            "object": "fine_tuning.job.event",
            "id": self._new_id("ftevent"),
            "created_at": spec.get("created_at", next(self._clock)),
            "level": spec.get("level", "info"),
            "message": spec.get("message", ""),
            "type": spec.get("type", "message"),
            "data": spec.get("data"),
        }

    def _checkpoint(self, job: dict, spec: dict) -> dict:
        step = int(spec["step_number"])
        return {
            "object": "fine_tuning.job.checkpoint",
            "id": self._new_id("ftckpt"),
            "created_at": next(self._clock),
            "fine_tuned_model_checkpoint": spec.get(
                "fine_tuned_model_checkpoint", f"ft:{job['model']}:{job['id']}:ckpt-step-{step}"
            ),
            "fine_tuning_job_id": job["id"],
            "metrics": spec.get("metrics", {}),
            "step_number": step,
        }

    def _create_job(self, body: dict) -> dict:
        job_id = self._new_id("ftjob")
        method = body.get("method") or {}
        job: dict[str, Any] = {
            "object": "fine_tuning.job",
            "id": job_id,
            "model": body.get("model"),
            "created_at": next(self._clock),
            "finished_at": None,
            "fine_tuned_model": None,
            "organization_id": "org-fake",
            "result_files": [],
            "status": "validating_files",
            "training_file": body.get("training_file"),
            "validation_file": body.get("validation_file"),
            "hyperparameters": (method.get("reinforcement") or {}).get("hyperparameters") or {},
            "method": method,
            "trained_tokens": None,
            "error": None,
            "seed": 0,
            "request": body,
        }
        self.jobs[job_id] = job
        self._script_pos[job_id] = 0
        self._events[job_id] = [self._event(job_id, e) for e in self.initial_events]
        self._checkpoints[job_id] = [self._checkpoint(job, c) for c in self.initial_checkpoints]
        return job

    def _advance(self, job: dict) -> None:
        if job["status"] in ("cancelled",):
            return
        pos = self._script_pos[job["id"]]
        status = self.statuses[min(pos, len(self.statuses) - 1)]
        self._script_pos[job["id"]] = pos + 1
        job["status"] = status
        if status == "succeeded" and not job["fine_tuned_model"]:
            job["fine_tuned_model"] = f"ft:{job['model']}:{job['id']}"
            job["finished_at"] = next(self._clock)
        if status == "failed" and not job["error"]:
            job["error"] = {"code": "training_failed", "message": "fake training failure", "param": None}
            job["finished_at"] = next(self._clock)

    def _known_models(self) -> set[str]:
        models = {j["fine_tuned_model"] for j in self.jobs.values() if j["fine_tuned_model"]}
        for checkpoints in self._checkpoints.values():
            models.update(c["fine_tuned_model_checkpoint"] for c in checkpoints)
        return models

    def _check_model(self, model: Any) -> str:
        if not isinstance(model, str) or not model:
            raise _HttpError(400, "model is required", "invalid_request_error")
        if model.startswith("ft:") and model not in self._known_models():
            raise _HttpError(404, f"model {model} not found", "model_not_found")
        return model

    @staticmethod
    def _page(items: list[dict], query: dict, default_limit: int = 20) -> dict:
        limit = int(query.get("limit", default_limit))
        start = 0
        if "after" in query:
            ids = [i["id"] for i in items]
            start = ids.index(query["after"]) + 1 if query["after"] in ids else len(items)
        page = items[start : start + limit]
        return {"object": "list", "data": page, "has_more": start + limit < len(items)}

    def handle(self, req: Request) -> tuple[int, Any]:
        with self._lock:
            self.requests.append(req)
            for failure in self._failures:
                method, prefix, status, times = failure
                if times > 0 and req.method == method and req.path.startswith(prefix):
                    failure[3] -= 1
                    raise _HttpError(status, "injected failure", "injected")
            if self.require_bearer and not req.bearer:
                raise _HttpError(401, "missing bearer token", "unauthorized")
            return self._route(req)

    def _route(self, req: Request) -> tuple[int, Any]:
        parts = [p for p in req.path.split("/") if p]
        if parts[:1] != ["v1"]:
            raise _HttpError(404, "not found")
        parts = parts[1:]
        m = req.method
        if parts == ["files"] and m == "POST":
            upload = req.form.get("file")
            if not isinstance(upload, dict) or req.form.get("purpose") != "fine-tune":
                raise _HttpError(400, "need a file and purpose=fine-tune", "invalid_request_error")
            file_id = self._new_id("file")
            record = {
                "object": "file",
                "id": file_id,
                "bytes": len(upload["content"]),
                "created_at": next(self._clock),
                "filename": upload["filename"],
                "purpose": "fine-tune",
                "status": "processed",
            }
            self.files[file_id] = {**record, "content": upload["content"]}
            return 200, record
        if len(parts) == 2 and parts[0] == "files" and m == "GET":
            if parts[1] not in self.files:
                raise _HttpError(404, "no such file")
            return 200, {k: v for k, v in self.files[parts[1]].items() if k != "content"}
        if parts[:2] == ["fine_tuning", "jobs"]:
            return self._jobs(req, parts[2:])
        if parts == ["chat", "completions"] and m == "POST":
            body = req.json or {}
            model = self._check_model(body.get("model"))
            text = self._respond(model, body.get("messages") or [])
            return 200, {
                "id": self._new_id("chatcmpl"),
                "object": "chat.completion",
                "created": next(self._clock),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {"role": "assistant", "content": text},
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        if parts == ["responses"] and m == "POST":
            body = req.json or {}
            model = self._check_model(body.get("model"))
            raw = body.get("input")
            messages = [{"role": "user", "content": raw}] if isinstance(raw, str) else list(raw or [])
            text = self._respond(model, messages)
            return 200, {
                "id": self._new_id("resp"),
                "object": "response",
                "created_at": next(self._clock),
                "model": model,
                "status": "completed",
                "store": body.get("store", True),
                "output": [
                    {
                        "type": "message",
                        "id": self._new_id("msg"),
                        "role": "assistant",
                        "status": "completed",
                        "content": [{"type": "output_text", "text": text, "annotations": []}],
                    }
                ],
                "parallel_tool_calls": True,
                "tool_choice": "auto",
                "tools": [],
                "usage": {
                    "input_tokens": 1,
                    "output_tokens": 1,
                    "total_tokens": 2,
                    "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens_details": {"reasoning_tokens": 0},
                },
            }
        raise _HttpError(404, f"no route {m} {req.path}")

    def _respond(self, model: str, messages: list) -> str:
        self.models_called.append(model)
        try:
            return self.respond(model, messages)
        except HttpFailure as exc:
            raise _HttpError(exc.status, exc.message, "scripted") from None
        except Exception as exc:  # noqa: BLE001 - scripted failure
            raise _HttpError(500, f"respond failed: {type(exc).__name__}", "server_error") from None

    def _jobs(self, req: Request, rest: list[str]) -> tuple[int, Any]:
        m = req.method
        if not rest:
            if m == "POST":
                body = req.json or {}
                for key in ("model", "training_file"):
                    if not body.get(key):
                        raise _HttpError(400, f"{key} is required", "invalid_request_error")
                for key in ("training_file", "validation_file"):
                    if body.get(key) and body[key] not in self.files:
                        raise _HttpError(400, f"{key} {body[key]} does not exist", "invalid_request_error")
                return 200, self._public(self._create_job(body))
            newest_first = sorted(self.jobs.values(), key=lambda j: (j["created_at"], j["id"]), reverse=True)
            page = self._page([self._public(j) for j in newest_first], req.query)
            return 200, page
        job = self.jobs.get(rest[0])
        if job is None:
            raise _HttpError(404, f"no fine-tuning job {rest[0]}", "not_found")
        if len(rest) == 1 and m == "GET":
            self._advance(job)
            return 200, self._public(job)
        if rest[1:] == ["cancel"] and m == "POST":
            if job["status"] in ("succeeded", "failed", "cancelled"):
                raise _HttpError(400, f"job is already {job['status']}", "invalid_request_error")
            job["status"] = "cancelled"
            job["finished_at"] = next(self._clock)
            return 200, self._public(job)
        if rest[1:] == ["events"] and m == "GET":
            events = sorted(self._events[job["id"]], key=lambda e: (e["created_at"], e["id"]), reverse=True)
            return 200, self._page(events, req.query)
        if rest[1:] == ["checkpoints"] and m == "GET":
            checkpoints = sorted(self._checkpoints[job["id"]], key=lambda c: c["step_number"], reverse=True)
            return 200, self._page(checkpoints, req.query, default_limit=10)
        raise _HttpError(404, f"no route {m} {req.path}")

    @staticmethod
    def _public(job: dict) -> dict:
        return {k: v for k, v in job.items() if k != "request"}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeMantle
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(self.command, split.path, {k: v[-1] for k, v in parse_qs(split.query).items()}, headers)
        ctype = headers.get("content-type", "")
        try:
            if ctype.startswith("application/json") and body:
                req.json = json.loads(body)
            elif ctype.startswith("multipart/form-data"):
                req.form = _parse_multipart(ctype, body)
            status, payload = self.owner.handle(req)
        except _HttpError as exc:
            status, payload = exc.status, {"error": {"message": exc.message, "type": exc.code, "code": exc.code}}
        except Exception as exc:  # noqa: BLE001 - a bug in the fake shows up as a 500
            status, payload = 500, {"error": {"message": f"fake error: {exc!r}", "type": "server_error"}}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _serve


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    form: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        assert isinstance(name, str)  # a form-data part names its field (no RFC 2231 tuple from our clients)
        payload = part.get_payload(decode=True) or b""
        assert isinstance(payload, bytes)  # decode=True on a non-multipart part gives bytes
        filename = part.get_filename()
        form[name] = {"filename": filename, "content": payload} if filename is not None else payload.decode()
    return form
