"""Access logs without secrets: the token in /invite/<token> (one-time sign-in and reset
links), /unsubscribe/<token> and /calendar/<token>.ics is replaced by "…" in every logged
field (request line, path, query, referer)."""

import re

from gunicorn.glogging import Logger

SECRET_PATHS = re.compile(r"/(invite|unsubscribe|calendar)/[^/?#\s\"]+")


def redact(text: str) -> str:
    return SECRET_PATHS.sub(lambda match: f"/{match.group(1)}/…", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "q"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        for key in list(atoms):  # headers in the format, e.g. {referer}i
            if key.startswith("{") and isinstance(atoms[key], str):
                atoms[key] = redact(atoms[key])
        return atoms
