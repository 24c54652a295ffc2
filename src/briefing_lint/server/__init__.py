"""The language server (``briefing-lint server``, extra ``[lsp]``).

This package's ``__init__`` imports nothing: :mod:`.positions` and :mod:`.adapter` work
without pygls, and :mod:`.app` (which needs it) is imported only by the ``server`` command.
"""
