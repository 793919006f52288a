"""`kpa report` takes the notice's office, time zone and grade bands from the workspace."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpa_core.cli.commands.report import document_options
from kpa_core.store.workspace import load_workspace


def _args(**given: object) -> argparse.Namespace:
    base = {"pdf": False, "lang": None, "office": None, "timezone": None, "bands": None,
            "jobs": None}
    base.update(given)
    return argparse.Namespace(**base)


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "kpa.toml").write_text(
        'office = "某学院纪委办公室"\ntimezone = "Asia/Urumqi"\nbands = "bands.yaml"\n',
        encoding="utf-8")
    (tmp_path / "bands.yaml").write_text("bands: []\n", encoding="utf-8")
    return tmp_path


def test_the_workspace_settings_reach_the_documents(tmp_path: Path) -> None:
    ws = load_workspace(_workspace(tmp_path))
    options = document_options(_args(), ws)
    assert options.office == "某学院纪委办公室"
    assert options.timezone == "Asia/Urumqi"
    assert options.bands == str((tmp_path / "bands.yaml").resolve())


def test_the_command_line_wins_over_the_workspace(tmp_path: Path) -> None:
    ws = load_workspace(_workspace(tmp_path))
    other = tmp_path / "other.yaml"
    options = document_options(_args(office="另一办公室", timezone="UTC", bands=str(other)), ws)
    assert (options.office, options.timezone) == ("另一办公室", "UTC")
    assert options.bands == str(other.resolve())


def test_without_a_workspace_the_documents_keep_their_defaults() -> None:
    options = document_options(_args(), None)
    assert (options.office, options.timezone, options.bands) == (None, None, None)
