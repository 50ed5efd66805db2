"""One module per ``hkasean`` subcommand; each exposes ``register(subparsers)``.

``register`` adds the subcommand's parser and sets ``handler`` to a function ``(args) -> int``.
"""
