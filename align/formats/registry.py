"""The output formats the pipeline can write, by name, in the order it writes them.

``align_pair(..., outputs={"tmx": "out.tmx", "beads": "out.beads"})`` looks
each name up here. The order of ``WRITERS`` is the order in which outputs are
checked and written: the TMX writers come before the report, which tells what
they did. A new format is one module with a ``Writer`` (``align.formats.base``)
and one ``register_writer`` call, here for a built-in format or anywhere for
a format of one's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from align.common.errors import UsageError
from align.formats.base import Writer
from align.formats.beads import BEADS
from align.formats.paths import sibling
from align.formats.report.payload import REPORT_HTML, REPORT_JSON
from align.formats.review import REVIEW_TSV, REVIEW_XLSX
from align.formats.tmx import REVIEW_TMX, TMX

#: Every known writer by name, in writing order.
WRITERS: dict[str, Writer] = {}


def register_writer(writer: Writer, *, replace: bool = False) -> Writer:
    """Make ``writer`` available as ``outputs[writer.name]``, written after those registered before it.

    ValueError if the name is taken (unless ``replace``: the writer then takes
    the old one's place in the order). Returns ``writer``.
    """
    if writer.name in WRITERS and not replace:
        raise ValueError(f"an output writer named {writer.name!r} is already registered")
    WRITERS[writer.name] = writer
    return writer


def get_writer(name: str) -> Writer:
    """The writer registered as ``name``; UsageError naming the known ones if there is none."""
    try:
        return WRITERS[name]
    except KeyError:
        raise UsageError(f"unknown output {name!r}", hint=f"known outputs: {', '.join(WRITERS)}") from None


def writers(names: Iterable[str] | None = None) -> list[Writer]:
    """The writers of ``names`` (all if ``None``), in registry order; UsageError for an unknown name."""
    if names is None:
        return list(WRITERS.values())
    wanted = {get_writer(n).name for n in names}
    return [w for w in WRITERS.values() if w.name in wanted]


def default_path(out_tmx: str, name: str) -> str:
    """Where output ``name`` goes by default: beside ``out_tmx``, with the writer's suffix."""
    return sibling(out_tmx, get_writer(name).suffix)


# The built-in formats, one line each (this order is the order of the old ``align run`` checks).
register_writer(TMX)  # tmx: OUT.tmx
register_writer(REVIEW_TMX)  # review_tmx: OUT.review.tmx, the units below --split-by-score
register_writer(BEADS)  # beads: --beads, OUT.beads.txt in a corpus
register_writer(REPORT_HTML)  # report_html: OUT.report.html
register_writer(REPORT_JSON)  # report_json: OUT.report.json
register_writer(REVIEW_TSV)  # review_tsv: --review-tsv
register_writer(REVIEW_XLSX)  # review_xlsx: --review-xlsx
