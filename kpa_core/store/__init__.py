"""The workspace's files: where they are, and how they are read and written safely.

One YAML reader (``read_yaml``, safe loading and bounded) and one round-trip writer that keeps
a human's comments (``store.yaml_write``); atomic writes that honour the umask (``atomic``); bounded
reads; the workspace and its folders (``find_workspace``, ``paths``); where a year's files live
(``layout``: ``record_path``, ``check_unit_id``); schema errors in words (``schema``).

May import: ``kpa_core.errors`` and ``kpa_core.text``. Nothing here knows the rubric.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "atomic_write_text": "atomic",
    "atomic_write_bytes": "atomic",
    "read_yaml": "yaml_io",
    "find_workspace": "workspace",
    "Workspace": "workspace",
    "record_path": "layout",
    "check_unit_id": "layout",
    "year_dir": "layout",
    "available_years": "layout",
})
