"""What a corpus run has to do: its pairs, their keys and done markers, and the bundles workers get.

A corpus is a folder with one sub-folder per document pair (files named by
language code: ``vi.txt``, ``id.html``; the layout of ``parallel/``) or a
CSV/TSV manifest (``pair_id, src, tgt[, src_lang, tgt_lang]``, paths relative
to the manifest). Each (source, target language) is a :class:`Job`; its outputs go to
``OUTDIR/<pair>/<pair>.<src>-<tgt>.{tmx,beads.txt,report.html,report.json}``
(plus ``Job.extra``, when asked: ``.review.tmx``, ``.review.tsv``,
``.review.xlsx``; :func:`job_outputs`) and, written last and atomically, ``<pair>.<src>-<tgt>.done.json``.

Links: an input folder is often a received archive, and a symbolic link in it
could make a run read, and copy into a TMX, any file the user can read
(``doc01/vi.txt -> /etc/passwd``). Without ``follow_links``, a pair folder or
input file that is a link leading outside the input folder is not followed: its
pair is listed as missing with the reason (the other pairs run, as for any
pair that cannot be aligned). In a manifest, a relative path must lead (links
resolved) inside the manifest's folder, else the manifest is refused naming the
line; an absolute path is the manifest author's explicit choice and is taken
as given. ``follow_links=True`` (``--follow-links``) allows both.

Names: every name a job writes is made from its pair id (``<pair>/``,
``<pair>.<src>-<tgt>.report.html``, and the temporary names beside them); a
pair id too long for them on the output's file system is refused while
planning, before any work (:func:`check_name_length`).

This module only plans and keeps the books of each job; it runs nothing.
``align.corpus.run`` (the driver) and ``align.corpus.executors`` (the workers)
both use it: the workers write a job's done marker as soon as its outputs are
in place, the driver reads the markers to skip what is done. The marker holds
a key: the SHA-256 of the input bytes, the model fingerprint, the options and
the align version (:func:`job_key`); a re-run skips a job whose marker key
matches and whose outputs still exist with the recorded sizes.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from align.common.atomic import atomic_write, copy_for_append
from align.common.errors import InputError, OutputError, UsageError
from align.common.languages import canonical_code
from align.common.version import __version__
from align.formats.registry import get_writer
from align.pipeline.pair import RunOptions
from align.reading.decode import read_utf8

#: Bump when the meaning of a key changes, so old markers stop matching.
KEY_VERSION = 1
DONE_SUFFIX = ".done.json"
INPUT_EXTENSIONS = (".txt", ".text", ".html", ".htm", ".xhtml", ".docx", ".odt", ".pdf")
_LANG_STEM = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
_BAD_ID = re.compile(r"[\x00-\x1f\x7f/\\]")

#: Files a job writes, by kind (writer name), as suffixes of the job's stem (the writers' default suffixes).
OUTPUT_SUFFIXES = {name: get_writer(name).suffix for name in ("tmx", "beads", "report_html", "report_json")}
#: Files a job writes when asked (``Job.extra``): the review TMX (``split_by_score``) and the review sheets.
EXTRA_SUFFIXES = {name: get_writer(name).suffix for name in ("review_tmx", "review_tsv", "review_xlsx")}
#: The TMX outputs ``append`` adds to (the file of the run before is copied in first: :func:`stage_outputs`).
APPENDABLE = ("tmx", "review_tmx")
#: Name prefix of the private folder a job writes into before moving its outputs into place.
TMP_PREFIX = ".tmp-"
#: The widest process id in a temporary name (Linux ``pid_max`` is at most 2**22).
_WIDEST_PID = "9" * len(str(2**22))
#: What ``--follow-links`` allows, for the reasons given when a link is not followed.
_FOLLOW_HINT = "not followed (--follow-links to allow)"


@dataclass(frozen=True)
class Job:
    """One source document aligned with one translation; everything a worker needs, picklable."""

    pair_id: str
    src: str  # absolute paths
    tgt: str
    src_lang: str
    tgt_lang: str
    outdir: str  # the pair's output folder (absolute)
    stem: str  # file stem of every output: <pair>.<src>-<tgt>
    options: RunOptions
    reports: bool = True  # HTML + JSON report per pair
    key: str = ""  # the done marker's key (:func:`job_key`); "" = the driver writes the marker
    extra: tuple[str, ...] = ()  # outputs beyond the usual ones: review_tmx, review_tsv, review_xlsx (EXTRA_SUFFIXES)

    @property
    def name(self) -> str:
        """How messages name the job: ``doc01 (vi-id)``."""
        return f"{self.pair_id} ({self.src_lang}-{self.tgt_lang})"


@dataclass
class Outcome:
    """What came of one job: its outputs and numbers, or the error that stopped it."""

    job: Job
    ok: bool
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> file name inside job.outdir
    summary: dict = field(default_factory=dict)
    texts_embedded: int = 0
    model_id: str = ""
    error: str = ""
    error_class: str = ""
    exit_code: int = 1
    marked: bool = False  # the worker wrote the done marker itself (``job.key`` given)

    @property
    def segments(self) -> int:
        """Source and target segments of the pair (0 when it failed): the progress bar's rate."""
        return int(self.summary.get("src_segments", 0)) + int(self.summary.get("tgt_segments", 0))


@dataclass(frozen=True)
class Missing:
    """A folder or row that yields no job for a requested language, and why (never silent)."""

    pair_id: str
    src_lang: str
    tgt_lang: str
    reason: str


# --------------------------------------------------------------------------- discovery


def parse_langs(value: str | Sequence[str] | None, default: str) -> list[str]:
    """``"id,en"`` -> ``["id", "en"]``; ``"all"`` stays ``["all"]``."""
    if value is None or value == "":
        return [default]
    items = value.split(",") if isinstance(value, str) else list(value)
    out = [x.strip() for x in items if x.strip()]
    return list(dict.fromkeys(out)) or [default]


def _lang_of(path: Path) -> str | None:
    """``vi.txt`` -> ``vi``; ``vi-VN.html`` -> ``vi-vn``; anything else (README.md) -> None."""
    if path.suffix.lower() not in INPUT_EXTENSIONS or path.name.startswith("."):
        return None
    stem = path.stem.lower().replace("_", "-")
    return stem if _LANG_STEM.match(stem) else None


def _files_for(files: dict[str, list[Path]], lang: str) -> list[Path]:
    """The files of a folder for ``lang``: exact code first, else the code with a region."""
    lang = lang.lower().replace("_", "-")
    exact = files.get(lang, [])
    if exact:
        return exact
    return [p for code, ps in sorted(files.items()) if code.split("-")[0] == lang for p in ps]


def check_pair_id(pair_id: str, where: str) -> str:
    """A pair id names a folder in OUTDIR: refuse anything that could escape it or hide."""
    pid = pair_id.strip()
    if not pid or pid in (".", "..") or pid.startswith(".") or _BAD_ID.search(pid):
        raise InputError(f"pair id {pair_id!r} cannot name an output folder", path=where,
                         hint="use letters, digits, '-', '_' and '.' (not first)")
    return pid


def job_stem(pair_id: str, src_lang: str, tgt_lang: str) -> str:
    """The file stem of every output of a job: ``<pair>.<src>-<tgt>``."""
    return f"{pair_id}.{src_lang}-{tgt_lang}"


def derived_names(stem: str) -> list[str]:
    """Every name a job with this stem writes, at its longest: outputs, marker and their temporary names.

    The outputs and the done marker (``<stem>.report.html``...); the job's
    private folder (``run_job``: ``.tmp-<stem>-<pid>-<6 hex>``); the staging
    file of each output in it (``align_pair``: ``.<name>.<pid>-<n>.part``); and
    the temporary file ``atomic_write`` puts beside any of them
    (``.<name>.<8 hex>.tmp``), the longest.
    """
    outputs = [stem + suffix for suffix in (*OUTPUT_SUFFIXES.values(), *EXTRA_SUFFIXES.values(), DONE_SUFFIX)]
    staged = [f".{name}.{_WIDEST_PID}-9.part" for name in outputs]
    folder = f"{TMP_PREFIX}{stem}-{_WIDEST_PID}-ffffff"
    return [*outputs, *staged, folder, *(f".{name}.ffffffff.tmp" for name in (*outputs, *staged))]


def name_max(folder: Path) -> int:
    """The longest file name (bytes) the file system of ``folder`` (or its nearest existing parent) allows."""
    for p in (folder, *folder.parents):
        try:
            return int(os.pathconf(p, "PC_NAME_MAX"))
        except (OSError, ValueError):
            continue
    return 255


def check_name_length(pair_id: str, stem: str, limit: int, *, where: str) -> None:
    """Refuse a pair id that makes a name over ``limit`` bytes (ENAMETOOLONG half-way through the run otherwise)."""
    longest = max((len(os.fsencode(n)), n) for n in derived_names(stem))
    if longest[0] <= limit:
        return
    id_bytes = len(os.fsencode(pair_id))
    allowed = max(0, limit - (longest[0] - id_bytes))
    shown = pair_id if len(pair_id) <= 40 else pair_id[:40] + "..."
    raise InputError(
        f"pair id {shown!r} ({id_bytes} bytes) is too long: the names made from it would be up to {longest[0]} bytes, "
        f"over this file system's limit of {limit} bytes per name",
        path=where, hint=f"shorten the folder name or the manifest's pair_id to at most {allowed} bytes",
    )


def _leaves(path: Path, folder: Path) -> bool:
    """Does ``path``, links resolved, lead outside ``folder`` (resolved already)? A link loop counts as leaving."""
    try:
        return not path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return True


def discover_folder(root: Path, src_lang: str, tgt_langs: list[str], *, exclude: Iterable[Path] = (),
                    follow_links: bool = False) -> tuple[list[tuple], list[Missing]]:
    """(pair_id, src, tgt, src_lang, tgt_lang) for each pair folder under ``root``.

    A sub-folder is a pair when it holds a file for ``src_lang``; ``root`` itself
    is one when it holds such a file directly. ``tgt_langs == ["all"]`` takes
    every other language found. A folder with two files for one language
    (``vi.txt`` and ``vi.html``) is reported, not guessed. Without
    ``follow_links``, a pair folder or input file that is a link leading
    outside ``root`` is not followed: it is reported, never read (see the
    module docstring).
    """
    excluded = {p.resolve() for p in exclude}
    top = root.resolve()
    rows: list[tuple] = []
    missing: list[Missing] = []
    folders = [root]
    for p in sorted(root.iterdir(), key=lambda p: p.name):
        if not p.is_dir() or p.name.startswith(".") or p.resolve() in excluded:
            continue
        if not follow_links and _leaves(p, top):
            missing.append(Missing(p.name, src_lang, ",".join(tgt_langs),
                                   f"{p} is a link to a folder outside the input folder; {_FOLLOW_HINT}"))
            continue
        folders.append(p)
    for folder in folders:
        files: dict[str, list[Path]] = {}
        for f in sorted(folder.iterdir()):
            lang = _lang_of(f)
            if lang and f.is_file():
                files.setdefault(lang, []).append(f)
        if not files:
            continue
        pair_id = folder.name if folder != root else root.resolve().name
        srcs = _files_for(files, src_lang)
        if folder == root and not srcs:
            continue
        if not srcs:
            missing.append(Missing(pair_id, src_lang, ",".join(tgt_langs), f"no {src_lang} file in {folder}"))
            continue
        if len(srcs) > 1:
            missing.append(Missing(pair_id, src_lang, ",".join(tgt_langs),
                                   f"several {src_lang} files ({', '.join(p.name for p in srcs)}); keep one"))
            continue
        if not follow_links and _leaves(srcs[0], top):
            missing.append(Missing(pair_id, src_lang, ",".join(tgt_langs),
                                   f"{srcs[0]} is a link to a file outside the input folder; {_FOLLOW_HINT}"))
            continue
        src_code = _lang_of(srcs[0]) or src_lang
        targets = tgt_langs
        if targets == ["all"]:
            targets = sorted({c for c in files if c != src_code and c.split("-")[0] != src_lang})
        for tl in targets:
            tgts = _files_for(files, tl)
            if not tgts:
                missing.append(Missing(pair_id, src_lang, tl, f"no {tl} file in {folder}"))
            elif len(tgts) > 1:
                missing.append(Missing(pair_id, src_lang, tl, f"several {tl} files ({', '.join(p.name for p in tgts)}); keep one"))
            elif not follow_links and _leaves(tgts[0], top):
                missing.append(Missing(pair_id, src_lang, tl,
                                       f"{tgts[0]} is a link to a file outside the input folder; {_FOLLOW_HINT}"))
            else:
                rows.append((check_pair_id(pair_id, str(folder)), srcs[0], tgts[0], src_lang, tl))
    return rows, missing


def read_manifest(path: Path, src_lang: str, tgt_langs: list[str], *, follow_links: bool = False) -> list[tuple]:
    """Rows of a CSV/TSV manifest: ``pair_id, src, tgt`` and optional ``src_lang, tgt_lang``.

    Paths are relative to the manifest's folder. A missing language column takes
    ``src_lang`` / the single ``tgt_langs`` value (or the file name's code).
    Any bad row is an InputError naming the line: a silently skipped row would
    silently drop a document from the translation memory. Without
    ``follow_links`` a relative path must lead (``..`` and links resolved)
    inside the manifest's folder; an absolute path is taken as given.
    """
    text = read_utf8(path, "manifest", bom=True)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in first else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    fields = [(f or "").strip().lower() for f in (reader.fieldnames or [])]
    need = {"pair_id", "src", "tgt"}
    if not need <= set(fields):
        raise InputError(f"manifest header must have pair_id, src, tgt (has: {', '.join(fields) or 'nothing'})",
                         path=str(path), hint="first line e.g. pair_id,src,tgt,src_lang,tgt_lang")
    base = path.parent
    rows = []
    for lineno, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        where = f"{path}:{lineno}"
        if not row.get("pair_id") or not row.get("src") or not row.get("tgt"):
            raise InputError("row lacks pair_id, src or tgt", path=where)
        src, tgt = base / row["src"], base / row["tgt"]
        for column, given in (("src", row["src"]), ("tgt", row["tgt"])):
            if not follow_links and not os.path.isabs(given) and _leaves(base / given, base.resolve()):
                raise InputError(f"{column} {given!r} leads outside the manifest's folder", path=where,
                                 hint="move the file inside it, give its absolute path, or pass --follow-links")
        sl = row.get("src_lang") or _lang_of(src) or src_lang
        if row.get("tgt_lang"):
            tl = row["tgt_lang"]
        elif _lang_of(tgt):
            tl = _lang_of(tgt)
        elif len(tgt_langs) == 1 and tgt_langs != ["all"]:
            tl = tgt_langs[0]
        else:
            raise InputError("row has no tgt_lang and the file name does not say it", path=where,
                             hint="add a tgt_lang column")
        rows.append((check_pair_id(row["pair_id"], where), src, tgt, sl, tl))
    if not rows:
        raise InputError("manifest lists no pair", path=str(path))
    return rows


def discover(input: str | os.PathLike, options: RunOptions, outdir: str | os.PathLike, *,
             reports: bool = True, follow_links: bool = False,
             extra: Sequence[str] = ()) -> tuple[list[Job], list[Missing]]:
    """The jobs of a corpus folder or manifest, sorted by pair and target language.

    ``follow_links``: follow links that lead outside the input folder (see the
    module docstring). Every job's output names are checked against the
    output file system's name limit here, before any work. ``extra``: the
    outputs each job writes beyond the usual ones (``EXTRA_SUFFIXES``: the
    review TMX, which ``options.split_by_score`` also asks for, and the review
    sheets). An explicit ``src_code``/``tgt_code`` must be a code of each
    pair's language: a corpus with several target languages (``id,en``)
    would otherwise tag every pair's target with one code.
    """
    unknown = [k for k in extra if k not in EXTRA_SUFFIXES]
    if unknown:
        raise UsageError(f"unknown corpus output {unknown[0]!r}", hint=f"known: {', '.join(EXTRA_SUFFIXES)}")
    kinds = tuple(k for k in EXTRA_SUFFIXES if k in extra or (k == "review_tmx" and options.split_by_score is not None))
    root = Path(input)
    out = Path(outdir).resolve()
    tgt_langs = parse_langs(options.tgt_lang, "id")
    missing: list[Missing] = []
    if root.is_file():
        rows = read_manifest(root, options.src_lang, tgt_langs, follow_links=follow_links)
    elif root.is_dir():
        rows, missing = discover_folder(root, options.src_lang, tgt_langs, exclude=[out], follow_links=follow_links)
    else:
        raise InputError("no such folder or manifest", path=str(root))
    limit = name_max(out)
    jobs: dict[str, Job] = {}
    for pair_id, src, tgt, sl, tl in rows:
        stem = job_stem(pair_id, sl, tl)
        check_name_length(pair_id, stem, limit, where=str(root))
        if stem in jobs:
            raise InputError(f"pair {pair_id!r} {sl}-{tl} is listed twice", path=str(root),
                             hint="give each pair a distinct pair_id")
        if sl.lower() == tl.lower() and not options.force:
            raise UsageError(f"pair {pair_id!r}: source and target language are both {sl!r}")
        _check_code(options.src_code, sl, "--src-code", pair_id)
        _check_code(options.tgt_code, tl, "--tgt-code", pair_id)
        opts = dataclasses.replace(options, src_lang=sl, tgt_lang=tl, progress=False, document_id=pair_id)
        jobs[stem] = Job(pair_id, str(Path(src).resolve()), str(Path(tgt).resolve()), sl, tl,
                         str(out / pair_id), stem, opts, reports, extra=kinds)
    if not jobs and not missing:
        raise InputError(f"no document pair found (no folder holding a {options.src_lang} file)", path=str(root),
                         hint="one folder per pair with files named by language code, e.g. vi.txt and id.txt; or a CSV manifest")
    ordered = sorted(jobs.values(), key=lambda j: (j.pair_id, j.src, j.tgt_lang))
    return ordered, missing


def _check_code(code: str | None, lang: str, option: str, pair_id: str) -> None:
    """UsageError when an explicit language code is not one of ``lang`` (``--tgt-code id-ID`` on an en pair)."""
    if code and canonical_code(code).split("-")[0].lower() != canonical_code(lang).split("-")[0].lower():
        raise UsageError(f"{option} {code} does not fit pair {pair_id!r}, whose language is {lang}",
                         hint=f"give {option} only for a corpus of one language pair, or drop it")


def job_outputs(job: Job) -> dict[str, str]:
    """The file names (inside the pair folder) of every output ``job`` writes, by kind (writer name)."""
    kinds = [k for k in OUTPUT_SUFFIXES if job.reports or k not in ("report_html", "report_json")]
    names = {k: job.stem + OUTPUT_SUFFIXES[k] for k in kinds}
    names.update({k: job.stem + EXTRA_SUFFIXES[k] for k in job.extra})
    return names


def stage_outputs(job: Job, folder: str) -> dict[str, str]:
    """The paths in ``folder`` (the job's private folder) where ``align_pair`` writes the job's outputs.

    With ``append``, the TMX files already in the pair folder (the last run's)
    are copied in first: ``align_pair`` adds the new units to the file at the
    path it is given, exactly as ``align run --append`` adds to ``-o OUT.tmx``.
    """
    names = job_outputs(job)
    paths = {k: os.path.join(folder, name) for k, name in names.items()}
    if job.options.append:
        for kind in APPENDABLE:
            done = Path(job.outdir) / names.get(kind, "")
            if kind in paths and done.is_file():
                copy_for_append(done, paths[kind])
    return paths


# --------------------------------------------------------------------------- keys and markers


def file_sha256(path: str) -> str:
    """The SHA-256 of a file's bytes (read in 1 MiB chunks): the input part of a job's key."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except FileNotFoundError as e:
        raise InputError("file not found", path=path) from e
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path=path) from e
    return h.hexdigest()


def job_key(job: Job, fingerprint: str, src_sha: str, tgt_sha: str) -> str:
    """The identity of a job's result: inputs, model, options and align version."""
    opts = dataclasses.asdict(job.options)
    opts.pop("progress", None)  # display only
    material = {
        "v": KEY_VERSION,
        "align": __version__,
        "model": fingerprint,
        "options": opts,
        "src": [os.path.basename(job.src), src_sha],
        "tgt": [os.path.basename(job.tgt), tgt_sha],
        "stem": job.stem,
        "reports": job.reports,
    }
    if job.extra:  # the review outputs asked for (absent when none: the markers of earlier runs still match)
        material["extra"] = list(job.extra)
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def marker_path(job: Job) -> Path:
    """Where the done marker of ``job`` lives: beside its outputs, named by its stem."""
    return Path(job.outdir) / (job.stem + DONE_SUFFIX)


def read_marker(job: Job, key: str) -> dict | None:
    """The done marker of ``job`` if it matches ``key`` and every output it lists is intact."""
    try:
        data = json.loads(marker_path(job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    outputs = data.get("outputs")
    if not isinstance(outputs, dict) or "tmx" not in outputs:
        return None
    for info in outputs.values():
        try:
            if os.path.getsize(Path(job.outdir) / info["file"]) != info["size"]:
                return None
        except (OSError, KeyError, TypeError):
            return None
    return data


def write_marker(outcome: Outcome, key: str) -> dict:
    """Write the done marker of a finished job: last, atomically, after checking its outputs."""
    job = outcome.job
    outputs = {}
    for kind, name in outcome.outputs.items():
        try:
            outputs[kind] = {"file": name, "size": os.path.getsize(Path(job.outdir) / name)}
        except OSError as e:
            raise OutputError(f"output vanished before it was recorded: {e.strerror}", path=str(Path(job.outdir) / name)) from e
    data = {
        "key": key,
        "pair_id": job.pair_id,
        "src": job.src,
        "tgt": job.tgt,
        "src_lang": job.src_lang,
        "tgt_lang": job.tgt_lang,
        "model_id": outcome.model_id,
        "align_version": __version__,
        "finished": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(outcome.seconds, 3),
        "texts_embedded": outcome.texts_embedded,
        "outputs": outputs,
        "summary": outcome.summary,
    }
    atomic_write(marker_path(job), json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return data


def clean_stale(outdir: Path, jobs: Sequence[Job]) -> int:
    """Remove temporary files and folders a killed run left behind (we hold the lock)."""
    removed = 0
    folders = {outdir, *(Path(j.outdir) for j in jobs)}
    for folder in folders:
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for e in entries:
            if e.name.startswith(TMP_PREFIX) and e.is_dir():
                shutil.rmtree(e, ignore_errors=True)
                removed += 1
            elif e.name.startswith(".") and e.name.endswith(".tmp") and e.is_file():
                e.unlink(missing_ok=True)
                removed += 1
    return removed


# --------------------------------------------------------------------------- bundles

#: Input bytes a bundle of pairs aims at: about 250-300 segments of news text, enough for
#: the model to run full, length-sorted batches (more adds little and delays the first results).
BUNDLE_BYTES = 48 * 1024
#: The smallest budget (about 50 segments): below it, batching pairs gains little.
MIN_BUNDLE_BYTES = 8 * 1024
#: With several workers, a new bundle takes at most this share of the work left per worker.
BUNDLES_PER_WORKER = 2


def make_bundles(jobs: Sequence[Job], slots: int = 1, max_bytes: int | None = None,
                 min_bytes: int | None = None) -> list[list[Job]]:
    """The jobs in bundles: one task for a worker, whose pairs are embedded in one batch.

    Jobs sharing a source document always go together (its embeddings serve
    every target); a group bigger than the budget is a bundle of its own.
    Consecutive groups are packed to about a budget of input bytes: ``max_bytes``
    in one process; with ``slots`` workers (0: unknown), at most the work left
    over ``slots * BUNDLES_PER_WORKER``, never below ``min_bytes``. So the
    bundles shrink towards the end of the run (guided self-scheduling): big
    batches while there is much to do, and small last bundles, so that the
    workers finish together instead of one aligning a big bundle alone while
    the others wait. Order is kept: the same jobs and slots give the same bundles.
    """
    max_bytes = BUNDLE_BYTES if max_bytes is None else max_bytes
    min_bytes = MIN_BUNDLE_BYTES if min_bytes is None else min_bytes
    groups: dict[str, list[Job]] = {}
    for j in jobs:
        groups.setdefault(j.src, []).append(j)
    weights = [_group_bytes(g) for g in groups.values()]
    left = sum(weights)
    bundles: list[list[Job]] = []
    size = budget = 0.0
    for group, w in zip(groups.values(), weights):
        if bundles and size + w / 2 <= budget:  # in when at least half of it fits: bundles near the budget
            bundles[-1].extend(group)
            size += w
        else:
            budget = float(max_bytes)
            if slots > 1:
                budget = max(float(min_bytes), min(budget, left / (slots * BUNDLES_PER_WORKER)))
            bundles.append(list(group))
            size = w
        left -= w
    return bundles


def _group_bytes(group: Sequence[Job]) -> int:
    """Input bytes of the jobs of one source: the source once, each target."""
    try:
        return os.path.getsize(group[0].src) + sum(os.path.getsize(j.tgt) for j in group)
    except OSError:
        return 0

