"""The base of the services' refusals: a message safe to show, and the input it concerns."""


class Refused(Exception):
    """A refused step. message: why, for people; field: the input it belongs beside, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)
