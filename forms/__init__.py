"""Form schemas: marshmallow schemas keyed by form key, and schemas built from a diagram's
``camunda:formData`` so that an uploaded diagram needs no Python."""
from .base import FormSchema, describe, messages_from
from .form_data import FieldSpec, FormSpec, schema_from_spec
from .registry import get_schema, register

__all__ = ["FieldSpec", "FormSchema", "FormSpec", "describe", "get_schema", "messages_from",
           "register", "schema_from_spec"]
