"""Production serving: the app under gunicorn (``assetmap serve``).

Each worker loads the built areas itself when it starts (no preloading), so after
``assetmap build`` a graceful reload — ``kill -HUP <master pid>`` (see ``--pid``) — starts
workers on the new builds while the old ones finish their requests, with no request dropped.
"""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


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

        return create_app({**self.app_config, "SERVED_BY": "gunicorn"})


def gunicorn_options(bind: str, workers: int = 2, threads: int = 1, access_log: str | None = "-",
                     pidfile: str | None = None, timeout: int = 30) -> dict:
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": access_log or None,
        "errorlog": "-",
        "pidfile": pidfile,
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        "proc_name": "assetmap",
    }
