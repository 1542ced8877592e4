"""The TMX and review options of ``align run`` and ``align corpus``: one definition, one decorator.

``@output_options`` adds every option of :data:`OUTPUT_OPTIONS` to a command
and hands the command one ``OutputSet`` (``align.pipeline.options``) as its
``output`` parameter instead of a dozen values. Both commands carry the same
decorator, so an option added here is in both, with the same name, help and
default, and reaches the writers through the same dataclass.

The review sheets take an optional file: ``--review-xlsx`` alone writes the
sheet beside the TMX (in a corpus, beside each pair's TMX), ``--review-xlsx
FILE.xlsx`` writes it there (``align run`` only; a corpus refuses a file
name: it writes one sheet per pair).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from align.pipeline.options import OutputSet, TmxOptions

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class OptionSpec:
    """One command-line option: its declarations and click settings; ``name`` is the Python parameter."""

    name: str
    decls: tuple[str, ...]
    settings: dict[str, Any]

    def option(self) -> Callable[[F], F]:
        """The click decorator of this option."""
        return click.option(*self.decls, self.name, **self.settings)


#: Every TMX and review option of ``align run`` and ``align corpus``, in help order.
OUTPUT_OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("level", ("--level",), dict(type=click.Choice(["sentence", "paragraph", "both"]), default="sentence",
                                          show_default=True, help="TMX units: sentences, paragraphs, or both.")),
    OptionSpec("region", ("--region",), dict(is_flag=True, help="Use language codes with region (vi-VN, id-ID).")),
    OptionSpec("src_code", ("--src-code",), dict(default=None, help="Exact language code for the source tuvs (e.g. vi-VN).")),
    OptionSpec("tgt_code", ("--tgt-code",), dict(default=None, help="Exact language code for the target tuvs (e.g. id-ID).")),
    OptionSpec("min_score", ("--min-score",), dict(type=click.FloatRange(0, 1), default=0.0, show_default=True,
                                                   help="Leave out TUs scoring below this.")),
    OptionSpec("split_by_score", ("--split-by-score",), dict(
        type=click.FloatRange(0, 1), default=None, metavar="T",
        help="TUs scoring T or more go to the TMX, the others to a review TMX beside it (OUT.review.tmx).")),
    OptionSpec("dedupe", ("--dedupe/--no-dedupe",), dict(default=True, show_default=True,
                                                        help="Write identical (source, target) TUs once.")),
    OptionSpec("append", ("--append",), dict(
        is_flag=True, help="Add the new TUs to the TMX already there (same languages), skipping units it holds.")),
    OptionSpec("creationid", ("--creationid",), dict(
        default="align", show_default=True, metavar="NAME",
        help="TMX creationid of the new TUs (the user name CAT tools show).")),
    OptionSpec("review_tsv", ("--review-tsv",), dict(
        is_flag=False, flag_value="", default=None, metavar="[FILE.tsv]",
        help="Also write a review sheet, one row per bead, as TSV: beside the TMX (OUT.review.tsv), or FILE "
        "(align run).")),
    OptionSpec("review_xlsx", ("--review-xlsx",), dict(
        is_flag=False, flag_value="", default=None, metavar="[FILE.xlsx]",
        help="Also write the review sheet as an Excel workbook: beside the TMX (OUT.review.xlsx), or FILE "
        "(align run).")),
)

#: The option names (``--level``...) every command with ``@output_options`` has.
OUTPUT_OPTION_NAMES: tuple[str, ...] = tuple(
    d for spec in OUTPUT_OPTIONS for decl in spec.decls for d in decl.split("/") if d.startswith("--")
)
_TMX_NAMES = ("level", "region", "src_code", "tgt_code", "min_score", "split_by_score", "dedupe", "append", "creationid")


def output_set(values: dict[str, Any]) -> OutputSet:
    """The ``OutputSet`` of the options' values (by parameter name)."""
    tmx = TmxOptions(**{k: values[k] for k in _TMX_NAMES})
    return OutputSet(tmx=tmx, review_tsv=values["review_tsv"], review_xlsx=values["review_xlsx"])


def output_options(f: F) -> F:
    """Add every option of :data:`OUTPUT_OPTIONS` to a click command; it receives them as ``output: OutputSet``."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        values = {spec.name: kwargs.pop(spec.name) for spec in OUTPUT_OPTIONS}
        return f(*args, output=output_set(values), **kwargs)

    decorated: Any = command
    for spec in reversed(OUTPUT_OPTIONS):
        decorated = spec.option()(decorated)
    return decorated  # type: ignore[no-any-return]


def some_output_options(*names: str) -> Callable[[F], F]:
    """Add the options of :data:`OUTPUT_OPTIONS` named (by parameter) as plain parameters, e.g. to ``import-review``.

    For a command that takes a few of them and no ``OutputSet``: the same
    definition, so their names, help and defaults cannot drift either.
    """
    specs = {spec.name: spec for spec in OUTPUT_OPTIONS}
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise ValueError(f"no output option {unknown[0]!r}")

    def decorate(f: F) -> F:
        for name in reversed(names):
            f = specs[name].option()(f)
        return f

    return decorate

