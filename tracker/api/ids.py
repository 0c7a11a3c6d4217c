"""Object ids in paths and bodies: positive and within the database's 32-bit integer range."""

from marshmallow import fields
from marshmallow.validate import Range
from werkzeug.routing import BaseConverter

MAX_ID = 2**31 - 1


NO_ID = 0  # no row has it


class IdConverter(BaseConverter):
    """`<id:name>`: digits; a number beyond any id becomes NO_ID, so the view answers 404.

    (Refusing it in the converter would make werkzeug answer 405 for other methods.)
    """

    regex = r"\d{1,30}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else NO_ID

    def to_url(self, value) -> str:
        return str(int(value))


def id_param_schema(converter: IdConverter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def id_field(description: str, strict: bool = True, **kwargs) -> fields.Integer:
    """An id in a body (a JSON integer, not a numeric string) or, with strict=False, a query."""
    return fields.Integer(
        strict=strict,
        validate=Range(min=1, max=MAX_ID),
        metadata={"description": description},
        **kwargs,
    )
