"""Schemas registered in code by form key (``camunda:formKey``)."""
from __future__ import annotations

from .base import FormSchema

_REGISTRY: dict[str, type[FormSchema]] = {}


def register(key: str):
    """Class decorator: make a schema available to diagrams as ``camunda:formKey="key"``."""
    def deco(cls: type[FormSchema]) -> type[FormSchema]:
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise ValueError(f"form key {key!r} registered twice")
        _REGISTRY[key] = cls
        return cls
    return deco


def get_schema(key: str) -> type[FormSchema] | None:
    return _REGISTRY.get(key)

