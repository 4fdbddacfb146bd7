"""The server and everything that talks to the outside: app, sessions, storage, formats, CLI.

``create_app(Settings(...), sources)`` builds the app; ``tolerance.api.cli.main`` is the
``tolerance`` command. Importing this package stays light: the app and its dependencies load
from their modules on first use, so ``tolerance --help`` starts without FastAPI.

Subpackages: :mod:`.session` (source -> stages -> sinks), :mod:`.protocol` (frames, commands,
codes), :mod:`.storage` (SQLite: rows, migrations, one writer), :mod:`.formats` (readers and
writers), :mod:`.routes` (HTTP and websocket), :mod:`.cli` (the command line).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .settings import Settings
    from .storage import Store, StoreError

__all__ = ["Settings", "Store", "StoreError", "create_app"]

_LAZY = {"create_app": "app", "Settings": "settings", "Store": "storage", "StoreError": "storage"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
