"""Production serving: the app under gunicorn (``assetmap serve``).

Each worker loads the built areas itself when it starts (no preloading), so after
``assetmap build`` a graceful reload — ``kill -HUP <master pid>`` (see ``--pid``) — starts
workers on the new builds while the old ones finish their requests, with no request dropped.

Workers are **gevent** workers by default (:class:`AssetmapGeventWorker`): each connection is a
greenlet, so clients that send their request slowly (a form body dripped a byte a second) hold
only a greenlet each, never a worker, and ``/healthz`` and every page keep answering
(tests/test_slow_clients.py). Up to ``worker_connections`` (1000) connections a worker. Threads
stay real threads (``threading`` is not patched), so work the app starts in a background thread
runs beside the event loop instead of stalling it (and getting the worker killed for silence);
the registry's connection pool then never makes a request wait for a connection
(``max_overflow=-1``), since a greenlet waiting on a real lock would stop the whole worker.
Time limits on what a client sends:

* the request line and headers within ``keepalive`` seconds (gunicorn's gevent worker);
* the body within ``REQUEST_BODY_SECONDS`` (default 30, env ``ASSETMAP_REQUEST_BODY_SECONDS``)
  plus a second per 64 KB it declares (an upload on a slow line still gets through):
  :class:`BodyDeadline` reads it whole before the app runs and answers 408 when it is late.

Each connection carries one request (:func:`one_request_per_connection`). Nothing heavy runs on
the event loop: publishing runs ``assetmap refresh`` in a child process (``app/publishing.py``),
and everything else a request does is a lookup in precomputed data.
"""
from __future__ import annotations

import io
import os
import sys
import tempfile

from gunicorn.app.base import BaseApplication
from gunicorn.workers.ggevent import GeventWorker

from assetmap.registry.db import default_url

WORKER_CLASSES = ("gevent", "gthread", "sync")
BODY_SECONDS = 30.0
MIN_RATE = 64 * 1024  # bytes a second a declared body is given on top of the base time
SPOOL_BYTES = 1024 * 1024  # bodies larger than this wait in a temporary file, not in memory
LATE_BODY = (b"The request body did not arrive in time (the connection is too slow, or the client stopped "
             b"sending). Try again on a better connection.\n")


class BodyDeadline:
    """WSGI middleware (gevent workers only): read each request body whole, within ``seconds`` in
    all, before the app sees it; a body that is late gets 408 and closes the connection."""

    def __init__(self, app, seconds: float = BODY_SECONDS, max_bytes: int | None = None):
        self.app, self.seconds, self.max_bytes = app, seconds, max_bytes

    def __call__(self, environ, start_response):
        import gevent

        length = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and length in ("", "0"):
            return self.app(environ, start_response)
        if self.max_bytes is not None and length.isdigit() and int(length) > self.max_bytes:
            return self.app(environ, start_response)  # the app answers 413 without reading it
        body = tempfile.SpooledTemporaryFile(SPOOL_BYTES)
        seconds = self.seconds + (int(length) / MIN_RATE if length.isdigit() else 0)
        try:
            with gevent.Timeout(seconds):
                size = _copy(environ["wsgi.input"], body, self.max_bytes)
        except gevent.Timeout:
            body.close()
            start_response("408 Request Timeout", [("Content-Type", "text/plain; charset=utf-8"),
                                                   ("Content-Length", str(len(LATE_BODY))), ("Connection", "close")])
            return [LATE_BODY]
        body.seek(0)
        environ["wsgi.input"] = body
        if chunked:
            environ["CONTENT_LENGTH"] = str(size)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)


def _copy(src, dst: io.IOBase, limit: int | None) -> int:
    size = 0
    while True:
        chunk = src.read(64 * 1024)
        if not chunk:
            return size
        size += len(chunk)
        dst.write(chunk)
        if limit is not None and size > limit:
            return size  # the app refuses it (413) from its length


class AssetmapGeventWorker(GeventWorker):
    """gunicorn's gevent worker with everything patched but threads (see the module's docstring)."""

    def patch(self):
        from gevent import monkey

        monkey.patch_all(thread=False)
        import socket

        self.sockets = [socket.socket(s.FAMILY, socket.SOCK_STREAM, fileno=s.sock.detach()) for s in self.sockets]


class AssetmapServer(BaseApplication):
    """gunicorn with its settings given as a dict, serving ``create_app(app_config)``."""

    def __init__(self, app_config: dict, options: dict):
        self.app_config = app_config
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self):
        from app import create_app

        gevent = self.cfg.worker_class is AssetmapGeventWorker
        app = create_app({**self.app_config, "SERVED_BY": "gunicorn", "SERVED_BY_GEVENT": gevent})
        if gevent:
            seconds = float(os.environ.get("ASSETMAP_REQUEST_BODY_SECONDS", app.config.get("REQUEST_BODY_SECONDS",
                                                                                           BODY_SECONDS)))
            app.wsgi_app = BodyDeadline(app.wsgi_app, seconds, app.config.get("MAX_CONTENT_LENGTH"))
        return app


def one_request_per_connection(worker, req) -> None:
    """Close each connection after its response (gunicorn's ``pre_request`` hook), as sync workers do.

    A kept-alive connection stays with the worker that accepted it; when that worker is busy (or
    the machine is), all its connections wait while the other worker idles: under saturation the
    p99 was 0.4–1 s with keep-alive and 24–42 ms without (bench/serve_bench.py, gevent workers).
    A new connection goes to whichever worker accepts first. Behind a proxy the clients keep theirs."""
    req.must_close = True


def gunicorn_options(bind: str, workers: int = 2, threads: int = 1, access_log: str | None = "-",
                     pidfile: str | None = None, timeout: int = 30, worker_class: str = "gevent") -> dict:
    if worker_class not in WORKER_CLASSES:
        raise ValueError(f"worker class {worker_class!r} is not one of {', '.join(WORKER_CLASSES)}")
    if worker_class == "sync" and threads > 1:
        worker_class = "gthread"
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "app.server.AssetmapGeventWorker" if worker_class == "gevent" else worker_class,
        "worker_connections": 1000,
        "accesslog": access_log or None,
        "errorlog": "-",
        "pidfile": pidfile,
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,  # gevent: the time a client has to send the request line and headers
        "pre_request": one_request_per_connection,
        "proc_name": "assetmap",
    }


def serve(args) -> int:
    """``assetmap serve``: the registry prepared once, then the development server or gunicorn."""
    from . import create_app
    from .registry_setup import prepare_database

    config = {"ASSETMAP_BUILD_ROOT": str(args.build_root), "SERVE_HOST": "" if args.bind else args.host}
    if args.bind and not args.bind.startswith("unix:"):
        config["SERVE_HOST"] = args.bind.rsplit(":", 1)[0].strip("[]")

    # the registry, once, before any worker starts: SQLite is created or migrated here; a PostgreSQL
    # database that is not current stops the server with the fix (`assetmap db upgrade`)
    prepare_database(default_url()).dispose()
    bind = args.bind or f"{args.host}:{args.port}"
    if args.debug:
        print(f"Development server on http://{bind}/ (--debug: never in production)", file=sys.stderr)
        create_app(config).run(host=args.host, port=args.port, debug=True, use_reloader=False, threaded=True)
        return 0
    if config["SERVE_HOST"] in ("", "0.0.0.0", "::") and not os.environ.get("ASSETMAP_TRUSTED_HOSTS"):
        print("note: only requests for 127.0.0.1 or localhost are answered (others get 400); set "
              "ASSETMAP_TRUSTED_HOSTS to the public host name(s)", file=sys.stderr)

    print(f"Serving on http://{bind}/ with gunicorn, {args.workers} {args.worker_class} worker(s); Ctrl+C to stop"
          + (f"; kill -HUP $(cat {args.pid}) reloads new builds" if args.pid else ""), file=sys.stderr)
    AssetmapServer(config, gunicorn_options(bind, args.workers, args.threads, None if args.no_access_log else "-",
                                            args.pid, worker_class=args.worker_class)).run()
    return 0


def add_serve_command(sub) -> None:
    """``assetmap serve``, added to the library's command line through its ``assetmap.commands`` entry
    point (pyproject.toml), so the library itself never imports the web layer."""
    from assetmap.cli import DEFAULT_BUILD_ROOT

    s = sub.add_parser("serve", help="serve the built areas with the web app")
    s.add_argument("--build-root", default=DEFAULT_BUILD_ROOT)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=5000)
    s.add_argument("--bind", help="host:port or unix:PATH (overrides --host and --port)")
    s.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    s.add_argument("--worker-class", choices=("gevent", "gthread", "sync"), default="gevent",
                   help="gevent (default: slow clients hold a greenlet, not a worker), gthread or sync")
    s.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    s.add_argument("--pid", help="write the master's pid here; `kill -HUP` it to reload after a build")
    s.add_argument("--no-access-log", action="store_true", help="do not log every request")
    s.add_argument("--debug", action="store_true", help="Flask's development server instead (never in production)")
    s.set_defaults(func=_serve_command)


def _serve_command(args) -> int:
    from assetmap.outputs.read import load_results

    load_results(args.build_root)  # fail here, with the fix, rather than in every worker
    return serve(args)
