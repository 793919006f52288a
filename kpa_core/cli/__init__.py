"""The ``kpa`` command: one module per subcommand in ``commands/``, found automatically.

``main(argv)`` parses, imports only the subcommand named, runs it, and turns a
``KpaInputError`` into a bilingual message and exit status 2 (``program``). ``options`` holds
what several subcommands share (the data folder, the year read once).

May import: everything; nothing imports it.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "main": "program",
    "build_parser": "program",
})
