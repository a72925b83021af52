"""The offline prompt parser, split by job (see parser.py for the entry point)."""
