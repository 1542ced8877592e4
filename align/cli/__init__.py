"""The ``align`` command (``main``): options in, one library call per command, one line out per result.

The command holds no policy of its own: defaults (output paths, language
codes, models) come from the stages; it only parses, calls, and turns the typed
errors of ``align.common.errors`` into one line on stderr and an exit code.
"""
