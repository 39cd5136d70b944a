from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms.utils import pretty_name

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(value: Any) -> None:
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise forms.ValidationError("Remove the invisible control characters from this text.")


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates render fields without per-field markup.
    Text fields also refuse control characters (pasted from other systems, they break exports).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        """Styles the fields not styled yet: a form that adds fields in its own __init__ (one
        per question, per outcome, per competency) calls it once it has added them."""
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            style_field(field)
            name_required(field, name)


DEFAULT_REQUIRED = str(forms.Field.default_error_messages["required"])


def name_required(field: forms.Field, name: str) -> None:
    """A required field left empty says which one and what to do, not Django's bare "This field
    is required." (read out of context by a screen reader's list of errors, and in an API
    client's message)."""
    if str(field.error_messages.get("required", "")) != DEFAULT_REQUIRED:
        return  # the form wrote its own
    label = str(field.label or pretty_name(name)).rstrip(":")
    if isinstance(field.widget, forms.CheckboxInput):
        text = f"Tick “{label}”."
    elif isinstance(field, forms.FileField):
        text = f"Choose a file for “{label}”."
    elif isinstance(field.widget, forms.Select | forms.SelectMultiple | forms.RadioSelect):
        text = f"Choose “{label}”."
    else:
        text = f"Fill in “{label}”."
    field.error_messages = {**field.error_messages, "required": text}


def style_field(field: forms.Field) -> forms.Field:
    """What StyledFormMixin does to each field, for a field a form adds after its __init__
    (e.g. the import form's options, one set per import kind). Styling a field twice changes
    nothing."""
    if getattr(field, "_trellis_styled", False):
        return field
    field._trellis_styled = True  # type: ignore[attr-defined]
    if isinstance(field, forms.CharField):
        field.validators.append(no_control_characters)
    widget = field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
        # A group of radios or checkboxes is rendered one option at a time (includes/field.html,
        # or the page's own template): the class goes on each input.
        if "form-check-input" in widget.attrs.get("class", ""):
            return field
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return field


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def add_service_errors(form: forms.BaseForm, error: Any) -> None:
    """Show a service's ValidationError on the form: on the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def form_status(*forms: forms.BaseForm | None) -> int:
    """The status of a page that shows these forms: 400 when one was sent and is shown again
    with its errors (as the evaluations pages answer), else 200."""
    return 400 if any(f is not None and f.is_bound and f.errors for f in forms) else 200
