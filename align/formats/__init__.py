"""Output formats: what an aligned pair is written as.

* ``base``: the ``Writer`` contract (``name``, ``suffix``, ``write(pair, path,
  options)``) and ``AlignedPair``, what every writer writes from;
* ``registry``: the writers by name, in writing order (``register_writer``,
  ``get_writer``); ``paths``: ``out.tmx`` -> ``out.report.html``;
* one module per format: ``tmx`` (write, read, merge, rewrite props),
  ``review`` (TSV/XLSX review sheets and their import), ``beads`` (the
  evaluation notation), ``report`` (the HTML/JSON quality report: ``payload``,
  ``html``, ``plots``).

Adding a format: a module with a class that has ``name``, ``suffix`` and
``write``, and one ``register_writer(...)`` line; ``align_pair(...,
outputs={name: path})`` then writes it with the others, all or none.
"""

from align.formats.base import AlignedPair, OutputOptions, Writer
from align.formats.paths import sibling
from align.formats.registry import WRITERS, default_path, get_writer, register_writer, writers

__all__ = [
    "WRITERS",
    "AlignedPair",
    "OutputOptions",
    "Writer",
    "default_path",
    "get_writer",
    "register_writer",
    "sibling",
    "writers",
]
