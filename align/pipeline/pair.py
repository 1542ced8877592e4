"""One document pair, from files on disk to TMX, beads and reports.

The CLI's ``run`` and the corpus runner both call ``align_pair`` so that a pair
aligned alone and a pair aligned in a corpus of thousands give the same bytes.
It reads, aligns and flags the pair, then hands it to the writers of the
requested outputs (``align.formats.registry``), all written or none.

Nothing is changed or dropped silently: every warning of the pair (the
readers': a guessed encoding, text normalised; the writers': characters XML
cannot hold removed, over-long segments, an empty TMX) is collected here, in
order, into ``PairResult.warnings`` and ``AlignedPair.memo["warnings"]``, where
the report writer finds those of the steps before it.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from align.common.atomic import check_output_target
from align.common.collector import collector_paused
from align.common.errors import AlignError, OutputError, UsageError
from align.common.languages import lang_from_filename
from align.common.model import Alignment, Document
from align.core import aligner  # the module: align_documents is looked up at call time (tests replace it)
from align.embedding import Encoder
from align.formats import registry
from align.formats.base import AlignedPair
from align.formats.report.html import warm_up as report_warm_up
from align.formats.tmx import REVIEW_TMX, TMX, TmxStats
from align.pipeline.options import TmxOptions, tmx_counts
from align.quality import check_alignment, flag_beads
from align.reading import read_document
from align.reading.segment import punkt_module

#: Key of the pair's warnings in ``AlignedPair.memo`` (see the module docstring).
WARNINGS_MEMO = "warnings"


def default_document_id(src_path: str) -> str:
    """The pair's id when none is given: the folder of a file named by its language (``pair/vi.txt`` -> ``pair``),
    else the file's name (``article.vi.html``), as ``align corpus`` names a pair by its folder."""
    path = os.path.abspath(src_path)
    if lang_from_filename(path) is not None and os.path.basename(os.path.dirname(path)):
        return os.path.basename(os.path.dirname(path))
    return os.path.basename(path)


@dataclass(frozen=True)
class RunOptions(TmxOptions):
    """What a user chooses for one run (everything but the inputs, the outputs and the model).

    The TMX options come from ``TmxOptions`` (``align.pipeline.options``: one
    definition for ``run``, ``corpus`` and the editor's export; checked when
    made); these are the reading and aligning options, and the pair's id.
    """

    src_lang: str = "vi"
    tgt_lang: str = "id"
    fmt: str = "auto"  # auto | text | html | docx | odt | pdf | presplit
    force: bool = False
    progress: bool = False
    aligner: dict = field(default_factory=dict)  # AlignParams overrides
    document_id: str | None = None  # the pair's id in the TMX (x-document, tuids); None: from the source path


@dataclass
class PairResult:
    """What ``align_pair`` did: the alignment, the TUs in the TMX, and the outputs written.

    ``outputs``: the path of every output written, by writer name;
    ``results``: what each writer returned, by name (``stats`` and
    ``review_stats`` are the TMX writers' ``TmxStats``, or ``None``);
    ``warnings``: every warning of the pair, one line each, prefixed with the
    file it is about (``vi.txt: not UTF-8: ...``, ``out.tmx: removed 2
    XML-illegal ...``): the readers' first, then the writers' in writing order.
    The CLI prints them and the report lists them.
    """

    alignment: Alignment
    tus_written: int
    seconds: float
    outputs: dict[str, str]
    stats: object = None
    review_stats: object = None  # TmxStats of the review_tmx output (``split_by_score``)
    results: dict[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # seconds per step, in order: read, embed, align, flag, then each output by writer name (``align run --timings``)
    stages: dict[str, float] = field(default_factory=dict)

    def tmx_counts(self) -> dict[str, int]:
        """What the TMX options did (kept, repeated, below --min-score, sent to the review TMX): see ``tmx_notes``."""
        return tmx_counts(self.stats, self.review_stats)


def result_warnings(result: object) -> tuple[str, ...]:
    """The warnings a writer returned with its result (``TmxStats.warnings``, ``ImportResult.warnings``...).

    Any result with a ``warnings`` attribute holding strings counts, so a new
    format's warnings reach the user without a change here.
    """
    found = getattr(result, "warnings", None)
    if isinstance(found, str):
        return (found,)
    if isinstance(found, (list, tuple)):
        return tuple(str(w) for w in found)
    return ()


def check_outputs(inputs: Sequence[str], outputs: Sequence[str | None]) -> None:
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
        check_output_target(out)  # a folder, device, FIFO or socket is refused, never replaced
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

    def __enter__(self) -> _Staged:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            final = ""
            try:
                for _, final in self.parts:
                    check_output_target(final)  # again: it may have become a FIFO or device since the start
                for part, final in self.parts:
                    if os.path.exists(final):
                        os.chmod(part, os.stat(final).st_mode & 0o7777)
                    os.replace(part, final)
            except OSError as e:
                self._discard()
                raise OutputError(f"cannot move the output into place: {e.strerror or e}", path=final) from e
            except AlignError:
                self._discard()
                raise
        else:
            self._discard()
            if isinstance(exc, AlignError):
                self._name_the_users_path(exc)

    def _name_the_users_path(self, exc: AlignError) -> None:
        """An error about a staging file names the output the user gave, not ``.X.tmx.PID-0.part``."""
        for part, final in self.parts:
            if part in str(exc) or exc.path == part:
                path = final if exc.path == part else exc.path
                raise type(exc)(exc.message.replace(part, final), path=path, hint=exc.hint) from exc

    def _discard(self) -> None:
        for part, _ in self.parts:
            try:
                os.unlink(part)
            except OSError:
                pass


def warm_up(reports: bool = True) -> None:
    """Import now what aligning a pair will need: nltk's Punkt, the report template and the plot font.

    Punkt takes a few tenths of a second to import, and the report's template and
    font a few tenths more, once per process. Corpus workers call this while they
    start, next to loading the model, so that this fixed cost is paid at start-up
    rather than inside the first pair.
    """
    punkt_module()  # Punkt alone, not all of nltk (whose __init__ pulls in scipy and scikit-learn)

    if reports:
        report_warm_up()


@collector_paused()  # a pair's objects live until its outputs are written: nothing for full collections to free
def align_pair(
    src_path: str,
    tgt_path: str,
    encoder: Encoder,
    options: RunOptions,
    *,
    outputs: Mapping[str, str | None] | None = None,
    documents: tuple[Document, Document] | None = None,
) -> PairResult:
    """Read, segment, align and flag one pair, then write the outputs asked for.

    ``outputs``: the path of each output to write, by writer name (``{"tmx":
    "out.tmx", "beads": "out.beads", "report_html": ...}``; the names are
    those of ``align.formats.registry``; an empty path means "not this one").
    They are checked before any work (``check_outputs``) and written in the
    registry's order, all or none: a writer that fails leaves no output of
    this run and the files of an earlier run untouched.
    ``documents``: the pair already read (``read_document`` of ``src_path`` and
    ``tgt_path`` with these options), as a corpus worker reads every pair of a
    bundle first to embed all their texts in one batch.
    """
    t0 = time.perf_counter()
    wanted = {name: path for name, path in (outputs or {}).items() if path}
    writers = registry.writers(wanted)
    paths = {w.name: wanted[w.name] for w in writers}
    check_outputs([src_path, tgt_path], list(paths.values()))
    # Always align sentences (paragraph-first inside the aligner): paragraph TUs come from
    # the paragraph beads, so every --level costs the same embeddings and agrees with the others.
    stages: dict[str, float] = {}
    clock = time.perf_counter()

    def done(stage: str) -> None:  # the seconds since the step before, under ``stage``
        nonlocal clock
        now = time.perf_counter()
        stages[stage] = now - clock
        clock = now

    if documents is not None:
        src, tgt = documents
    else:
        src = read_document(src_path, options.src_lang, fmt=options.fmt, force=options.force)
        tgt = read_document(tgt_path, options.tgt_lang, fmt=options.fmt, force=options.force)
    done("read")
    params = aligner.AlignParams(**options.aligner) if options.aligner else aligner.AlignParams()
    # Both sides in one call: a bigger batch keeps every core busy; the encoder's memo
    # then serves the aligner, the flags and the report without embedding anything again.
    encoder.encode([s.text for s in src.content] + [s.text for s in tgt.content], progress=options.progress)
    done("embed")
    alignment = aligner.align_documents(src, tgt, encoder, params=params)
    check_alignment(alignment)
    done("align")  # the windows the member check embeds are in here, with the search
    src_vecs = encoder.encode([s.text for s in alignment.src])
    tgt_vecs = encoder.encode([s.text for s in alignment.tgt])
    alignment = flag_beads(alignment, src_vecs, tgt_vecs)
    done("flag")
    alignment = dataclasses.replace(alignment, document_id=options.document_id or default_document_id(src_path))

    warnings = [f"{_file_name(doc.path)}: {w}" for doc in (alignment.source, alignment.target) for w in doc.warnings]
    pair = AlignedPair(alignment, src_vecs, tgt_vecs, paths=paths)
    pair.memo[WARNINGS_MEMO] = warnings  # the report lists what the steps before it collected
    with _Staged() as stage:  # all outputs or none; an earlier run's files survive a failure
        for writer in writers:
            result = writer.write(pair, stage.path(paths[writer.name]), options)
            pair.results[writer.name] = result
            warnings.extend(f"{_file_name(paths[writer.name])}: {w}" for w in result_warnings(result))
            done(writer.name)
    stats = pair.results.get(TMX.name)
    if isinstance(stats, TmxStats):
        tus = stats.tus_written
    else:  # no TMX written: the TUs it would hold
        tus = sum(1 for b in alignment.beads if not b.is_null and b.score >= options.min_score)
    return PairResult(alignment, tus, time.perf_counter() - t0, dict(paths), stats, pair.results.get(REVIEW_TMX.name),
                      dict(pair.results), tuple(warnings), stages)


def _file_name(path: str) -> str:
    """How a warning names a file: its name alone (reports are shared; the folder is the user's business)."""
    return os.path.basename(path) or path
