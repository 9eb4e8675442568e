"""Import every ``db/models*.py`` module so ``Base.metadata`` knows all tables (migrations,
test clean-up). Each business area keeps its tables in its own module."""

from __future__ import annotations

import importlib
import pkgutil

import db
from db.models import Base


def load() -> type[Base]:
    for module in pkgutil.iter_modules(db.__path__):
        if module.name.startswith("models"):
            importlib.import_module(f"db.{module.name}")
    return Base
