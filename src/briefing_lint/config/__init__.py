"""Configuration: discovery (:mod:`.sources`), validation (:mod:`.values`, :mod:`.model`)
and resolution per file (:mod:`.resolver`).

Any unknown key or bad value is a :class:`ConfigError` that names the file and the key.
"""

from ..errors import ConfigError, ConfigErrors
from ..fileio import DEFAULT_MAX_FILE_SIZE
from .model import ALWAYS_REPORTED, MAX_EXTEND_DEPTH, Config, RuleSettings
from .resolver import ConfigResolver
from .sources import CONFIG_NAMES, MAX_CONFIG_SIZE, PYPROJECT, find_config_file, load_yaml
from .values import parse_size

__all__ = [
    "ALWAYS_REPORTED",
    "CONFIG_NAMES",
    "DEFAULT_MAX_FILE_SIZE",
    "MAX_CONFIG_SIZE",
    "MAX_EXTEND_DEPTH",
    "PYPROJECT",
    "Config",
    "ConfigError",
    "ConfigErrors",
    "ConfigResolver",
    "RuleSettings",
    "find_config_file",
    "load_yaml",
    "parse_size",
]
