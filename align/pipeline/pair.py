"""One document pair, from files on disk to TMX, beads and reports.

The CLI's ``run`` and the corpus runner both call ``align_pair`` so that a pair
aligned alone and a pair aligned in a corpus of thousands give the same bytes.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field

from align.common.atomic import atomic_write
from align.embedding.encoders import Encoder
from align.common.errors import OutputError, UsageError
from align.quality.invariants import check_alignment
from align.common.model import Alignment, Document

LEVELS = ("sentence", "paragraph", "both")


@dataclass(frozen=True)
class RunOptions:
    """What a user chooses for one run (everything but the inputs and the model)."""

    src_lang: str = "vi"
    tgt_lang: str = "id"
    fmt: str = "auto"  # auto | text | html | presplit
    level: str = "sentence"
    region: bool = False
    src_code: str | None = None
    tgt_code: str | None = None
    min_score: float = 0.0
    force: bool = False
    progress: bool = False
    aligner: dict = field(default_factory=dict)  # AlignParams overrides
    dedupe: bool = True  # identical (source, target) TUs written once
    append: bool = False  # add to an existing TMX instead of replacing it
    creationid: str = "align"  # TMX creationid of the new units
    split_by_score: float | None = None  # TUs below it go to OUT.review.tmx instead


def review_tmx_path(tmx_path: str) -> str:
    """``out.tmx`` -> ``out.review.tmx``: where ``--split-by-score`` puts the units below the bar."""
    base = tmx_path[:-4] if tmx_path.lower().endswith(".tmx") else tmx_path
    return base + ".review.tmx"


@dataclass
class PairResult:
    alignment: Alignment
    tus_written: int
    seconds: float
    outputs: dict[str, str]
    stats: object = None
    review_stats: object = None  # TmxStats of OUT.review.tmx (``split_by_score``)


def beads_text(alignment: Alignment) -> str:
    """The beads in the evaluation notation, one per line (``[0]:[0]``, ``[1,2]:[3]``, ``[4]:[]``)."""
    return "".join(b.notation() + "\n" for b in alignment.beads)


def check_outputs(inputs: list[str], outputs: list[str | None]) -> None:
    """Refuse, before any work, outputs that cannot be written or would overwrite an input.

    A missing folder or a folder given as the output file would otherwise be
    found only after minutes of aligning; an output that is one of the inputs
    (``-o vi.txt``) would destroy the original.
    """
    seen: dict[str, str] = {}
    for out in outputs:
        if not out:
            continue
        real = os.path.realpath(out)
        folder = os.path.dirname(real)
        if not os.path.isdir(folder):
            raise OutputError("output folder does not exist", path=out, hint="create it first or choose another path")
        if os.path.isdir(real):
            raise OutputError("is a folder, not a file", path=out, hint="give a file name for the output")
        for inp in inputs:
            if real == os.path.realpath(inp) or (os.path.exists(out) and os.path.exists(inp) and os.path.samefile(out, inp)):
                raise UsageError("output would overwrite an input file", path=out, hint="choose another output name")
        if real in seen:
            raise UsageError(f"the same file is given for two outputs ({seen[real]} and {out})", path=out)
        seen[real] = out


class _Staged:
    """Outputs written beside their final names first and renamed into place together at the end.

    If any output fails (disk full, permission), none of this run's files
    appear and the files of an earlier run are left exactly as they were.
    """

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def path(self, final: str) -> str:
        folder, name = os.path.split(os.path.abspath(final))
        part = os.path.join(folder, f".{name}.{os.getpid()}-{len(self.parts)}.part")
        self.parts.append((part, final))
        return part

    def __enter__(self) -> "_Staged":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                for part, final in self.parts:
                    if os.path.exists(final):
                        os.chmod(part, os.stat(final).st_mode & 0o7777)
                    os.replace(part, final)
            except OSError as e:
                self._discard()
                raise OutputError(f"cannot move the output into place: {e.strerror or e}", path=final) from e
        else:
            self._discard()

    def _discard(self) -> None:
        for part, _ in self.parts:
            try:
                os.unlink(part)
            except OSError:
                pass


def warm_up(reports: bool = True) -> None:
    """Import now what aligning a pair will need: nltk (Punkt), the report template and the plot font.

    ``import nltk`` alone takes about half a second, and the report's template and
    font a few tenths more, once per process. Corpus workers call this while they
    start, next to loading the model, so that this fixed cost is paid at start-up
    rather than inside the first pair.
    """
    import nltk.tokenize.punkt  # noqa: F401

    if reports:
        from align.formats.report.plots import _font, _palette
        from align.formats.report.html import _env

        _env().get_template("report.html.j2")
        _palette()
        _font(10)


def align_pair(
    src_path: str,
    tgt_path: str,
    encoder: Encoder,
    options: RunOptions,
    *,
    tmx_path: str | None = None,
    beads_path: str | None = None,
    report_html: str | None = None,
    report_json: str | None = None,
    review_tsv: str | None = None,
    review_xlsx: str | None = None,
    documents: tuple[Document, Document] | None = None,
) -> PairResult:
    """Read, segment, align and flag one pair, then write whichever outputs are asked for.

    ``review_tsv``/``review_xlsx``: a review sheet, one row per bead (``align.formats.review``).
    ``documents``: the pair already read (``read_document`` of ``src_path`` and
    ``tgt_path`` with these options), as a corpus worker reads every pair of a
    bundle first to embed all their texts in one batch.
    """
    from align.core.aligner import AlignParams, align_documents
    from align.quality.flags import flag_beads
    from align.reading.read import read_document

    t0 = time.perf_counter()
    review_tmx = review_tmx_path(tmx_path) if tmx_path and options.split_by_score is not None else None
    check_outputs([src_path, tgt_path], [tmx_path, review_tmx, beads_path, report_html, report_json, review_tsv, review_xlsx])
    # Always align sentences (paragraph-first inside the aligner): paragraph TUs come from
    # the paragraph beads, so every --level costs the same embeddings and agrees with the others.
    if documents is not None:
        src, tgt = documents
    else:
        src = read_document(src_path, options.src_lang, fmt=options.fmt, force=options.force)
        tgt = read_document(tgt_path, options.tgt_lang, fmt=options.fmt, force=options.force)
    params = AlignParams(**options.aligner) if options.aligner else AlignParams()
    # Both sides in one call: a bigger batch keeps every core busy; the encoder's memo
    # then serves the aligner, the flags and the report without embedding anything again.
    encoder.encode([s.text for s in src.content] + [s.text for s in tgt.content], progress=options.progress)
    alignment = align_documents(src, tgt, encoder, params=params)
    check_alignment(alignment)
    src_vecs = encoder.encode([s.text for s in alignment.src])
    tgt_vecs = encoder.encode([s.text for s in alignment.tgt])
    alignment = flag_beads(alignment, src_vecs, tgt_vecs)

    outputs: dict[str, str] = {}
    stats = review_stats = None
    tus = sum(1 for b in alignment.beads if not b.is_null and b.score >= options.min_score)
    with _Staged() as stage:  # all outputs or none; an earlier run's files survive a failure
        if tmx_path:
            from align.formats.tmx import write_tmx

            tmx_options = dict(
                level=options.level, src_code=options.src_code, tgt_code=options.tgt_code, region=options.region,
                dedupe=options.dedupe, creationid=options.creationid, append=options.append,
            )
            split = options.split_by_score
            stats = write_tmx(alignment, _staged_copy(stage, tmx_path, options.append),
                              min_score=max(options.min_score, split or 0.0), **tmx_options)
            tus = stats.tus_written
            outputs["tmx"] = tmx_path
            if review_tmx is not None:
                review_stats = write_tmx(alignment, _staged_copy(stage, review_tmx, options.append),
                                         min_score=options.min_score, max_score=split, **tmx_options)
                outputs["review_tmx"] = review_tmx
        if review_tsv or review_xlsx:
            from align.formats.review import write_review

            for path, fmt in ((review_tsv, "tsv"), (review_xlsx, "xlsx")):
                if path:
                    write_review(alignment, stage.path(path), fmt=fmt)
                    outputs[f"review_{fmt}"] = path
        if beads_path:
            atomic_write(stage.path(beads_path), beads_text(alignment))
            outputs["beads"] = beads_path
        if report_html or report_json:
            from align.formats.report.payload import write_report

            sim = src_vecs @ tgt_vecs.T if len(src_vecs) * len(tgt_vecs) <= 4_000_000 else None
            tmx_info = None
            if stats is not None:
                tmx_info = {"path": os.path.basename(tmx_path), "level": options.level, "tus_written": stats.tus_written,
                            "duplicates": stats.duplicates, "skipped_below_min": stats.skipped_below_min}
                if review_stats is not None:
                    tmx_info["review_path"] = os.path.basename(review_tmx)
                    tmx_info["review_tus_written"] = review_stats.tus_written
            write_report(alignment, report_html and stage.path(report_html), report_json and stage.path(report_json),
                         sim_matrix=sim, tmx=tmx_info)
        if report_html:
            outputs["report_html"] = report_html
        if report_json:
            outputs["report_json"] = report_json
    return PairResult(alignment, tus, time.perf_counter() - t0, outputs, stats, review_stats)


def _staged_copy(stage: _Staged, final: str, append: bool) -> str:
    """The staged path for ``final``; with ``append``, holding a copy of the existing file to add to."""
    part = stage.path(final)
    if append and os.path.exists(final):
        try:
            shutil.copyfile(final, part)
        except OSError as e:
            raise OutputError(f"cannot copy the TMX to append to: {e.strerror or e}", path=final) from e
    return part
