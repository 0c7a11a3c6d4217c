"""A condition of a conditional go in a request body: a string, or {"text", "due_on"}."""

import marshmallow as ma
from marshmallow import fields

from tracker.reviews.rules import MAX_CONDITION

_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_CONDITION}
DOCUMENTED = {
    "oneOf": [
        {**_TEXT, "description": "The condition's text."},
        {
            "type": "object",
            "title": "ConditionInput",
            "properties": {
                "text": _TEXT,
                "due_on": {
                    "anyOf": [{"type": "string", "format": "date"}, {"type": "null"}],
                    "description": "When it must be done; shown as overdue after it.",
                },
            },
            "required": ["text"],
            "additionalProperties": False,
        },
    ]
}


class ConditionItem(fields.Field):
    """Loads {"text": str, "due_on": date | None} from either form."""

    default_error_messages = {
        "invalid": "Give a condition as a text or as an object with text and due_on.",
        "length": f"Length must be between 1 and {MAX_CONDITION}.",
    }
    _date = fields.Date(allow_none=True)

    def _deserialize(self, value, attr, data, **kwargs) -> dict:
        if isinstance(value, str):
            text, due_on = value, None
        elif isinstance(value, dict) and set(value) <= {"text", "due_on"} and "text" in value:
            text = value["text"]
            if not isinstance(text, str):
                raise self.make_error("invalid")
            due_on = value.get("due_on")
            if due_on is not None:
                due_on = self._date.deserialize(due_on)
        else:
            raise self.make_error("invalid")
        text = text.strip()
        if not 1 <= len(text) <= MAX_CONDITION:
            raise self.make_error("length")
        return {"text": text, "due_on": due_on}


def condition_list(description: str, max_items: int) -> fields.List:
    return fields.List(
        ConditionItem(metadata=DOCUMENTED),
        load_default=list,
        validate=ma.validate.Length(max=max_items),
        metadata={"description": description},
    )
