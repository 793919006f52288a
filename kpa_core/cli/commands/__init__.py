"""Subcommands of ``kpa``; every module here is registered automatically by ``kpa_core.cli``."""
