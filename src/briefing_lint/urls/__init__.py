"""Raw URL editing, and the URL rule data (providers, redirects, short and ephemeral links).

Every Python URL cleaner we tried corrupts the links a briefing carries: re-encoding ``==`` to
``%3D%3D``, HTML-unescaping ``&timestamp=`` into ``×tamp=``, lower-casing case-sensitive ids,
re-sorting or dropping the parameters that identify the page. So URLs here are edited as
text: the query is split on ``&`` (or ``&amp;``, ``&#38;``, ``&#x26;``: Markdown decodes
character references in a destination) and whole segments are dropped; what stays keeps its
bytes, its order and its separators. Keys are compared after percent-decoding,
case-insensitively, as whole keys. Nothing is ever re-encoded, unescaped or re-cased.

The rule data lives in ``rules/url-providers.yaml``; :func:`ruleset` compiles it once per
process (and once per distinct set of user options).

The package is cut at its seams: :mod:`.parts` (a URL as raw parts), :mod:`.model` (the
compiled rule data), :mod:`.data` (loading it from the YAML table and the options),
:mod:`.cleaning`, :mod:`.links` (redirects, short and expiring links) and :mod:`.campaign`.
Every name is re-exported here: ``briefing_lint.urls`` is the import path rules use.
"""

from __future__ import annotations

from .campaign import campaign_tags, is_campaign_key, name_key, plausible_name, site_of
from .cleaning import clean_url, needs_cleaning
from .data import DATA_OPTIONS, UrlDataError, compile_provider, keys, ruleset
from .identity import canonical_link, host_of, host_set
from .links import (
    Redirection,
    decode_target,
    ephemeral_markers,
    find_redirect,
    needs_escaping,
    short_link,
)
from .model import (
    CLASSES,
    Cleaning,
    HostMatcher,
    KeyMatcher,
    Marker,
    Provider,
    Redirect,
    Removal,
    RuleSet,
)
from .parts import (
    Segment,
    UrlParts,
    authority_host,
    filter_query,
    host_in,
    join_query,
    normalize_key,
    split_query,
    split_url,
)

__all__ = [
    "CLASSES",
    "DATA_OPTIONS",
    "Cleaning",
    "HostMatcher",
    "KeyMatcher",
    "Marker",
    "Provider",
    "Redirect",
    "Redirection",
    "Removal",
    "RuleSet",
    "Segment",
    "UrlDataError",
    "UrlParts",
    "authority_host",
    "campaign_tags",
    "canonical_link",
    "clean_url",
    "compile_provider",
    "decode_target",
    "ephemeral_markers",
    "filter_query",
    "find_redirect",
    "host_in",
    "host_of",
    "host_set",
    "is_campaign_key",
    "join_query",
    "keys",
    "name_key",
    "needs_cleaning",
    "needs_escaping",
    "normalize_key",
    "plausible_name",
    "ruleset",
    "short_link",
    "site_of",
    "split_query",
    "split_url",
]
