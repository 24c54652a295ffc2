"""The config a caller passes (a Config, a mapping, or nothing) and a resolver that serves it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..config import Config, ConfigResolver

#: What the library functions accept as ``config``.
ConfigLike = Config | Mapping[str, object] | None


def as_config(config: ConfigLike) -> Config:
    """``None``: the defaults; a mapping: validated as a config file's content would be."""
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    return Config.from_dict(config)


class FixedResolver(ConfigResolver):
    """One config for every path (no config files are looked for)."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self._config = config

    def for_path(self, path: Path | None) -> Config:
        return self._config


def resolver_for(config: ConfigLike) -> ConfigResolver:
    """``None``: each file's config found as the CLI finds it; else that config for all."""
    return ConfigResolver() if config is None else FixedResolver(as_config(config))
