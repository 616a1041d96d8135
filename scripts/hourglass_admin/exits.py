"""Exit codes of every subcommand (`--help` lists them). A module of their own, so the modules
that return them need not import cli.py, which imports those modules."""
EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
