"""``check --online``: links, short links, redirect targets and hotlinked images checked
over HTTP, after linting, as one separate stage.

Importing this package opens nothing and imports no HTTP library: the rules and the config
only use :mod:`.results` and :mod:`.settings`. :func:`check_run` (in :mod:`.run`) is the one
entry point of the stage.
"""
