"""Command-line tasks: flask --app tracker <command>."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
