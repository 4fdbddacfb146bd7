"""The server: FastAPI app, live sessions, storage and the command line.

``create_app(Settings(...), sources)`` builds the app; ``tolerance.api.cli.main`` is the
``tolerance`` command. Importing this package stays light: the app and its dependencies load
from their modules, so ``tolerance --help`` starts without FastAPI.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .settings import Settings
    from .store import Store, StoreError

__all__ = ["Settings", "Store", "StoreError", "create_app"]

_LAZY = {"create_app": "app", "Settings": "settings", "Store": "store", "StoreError": "store"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
