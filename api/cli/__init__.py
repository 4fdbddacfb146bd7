"""The ``tolerance`` command line: :func:`main` (parser and dispatch), one module per command."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
