"""Which config applies to each linted file (cached per folder and per config file)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .model import Config
from .sources import find_config_file


class ConfigResolver:
    """Finds (and caches) the config for each path; ``explicit`` forces one file."""

    def __init__(self, explicit: Path | None = None, overrides: Mapping[str, Any] | None = None):
        self.overrides = dict(overrides or {})
        self._explicit = (
            None
            if explicit is None
            else Config.from_file(explicit).with_overrides(**self.overrides)
        )
        self._by_file: dict[Path | None, Config] = {}
        #: Folder (as given) -> its config file: one upward search per folder, not per call.
        self._by_folder: dict[Path, Path | None] = {}

    def for_path(self, path: Path | None) -> Config:
        if self._explicit is not None:
            return self._explicit
        folder = Path.cwd() if path is None else path.parent
        if folder not in self._by_folder:
            self._by_folder[folder] = find_config_file(folder)
        config_file = self._by_folder[folder]
        if config_file not in self._by_file:
            base = Config() if config_file is None else Config.from_file(config_file)
            self._by_file[config_file] = base.with_overrides(**self.overrides)
        return self._by_file[config_file]
