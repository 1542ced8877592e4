"""The package version, in the one place it is written (``pyproject.toml`` reads it).

It lives at the bottom layer so that any stage can sign its output with it without
importing the package root, which imports every stage.
"""

__version__ = "0.9.1"
