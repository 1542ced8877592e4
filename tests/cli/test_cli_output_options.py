"""One option set (issue 22, item 4): `align run` and `align corpus` take the same TMX and review options,
from one definition (``align.cli.options.OUTPUT_OPTIONS``), into one dataclass (``OutputSet``)."""

from __future__ import annotations

import click
import pytest

from align.cli.main import cli, main
from align.cli.options import OUTPUT_OPTION_NAMES, OUTPUT_OPTIONS, output_set
from align.common.errors import UsageError
from align.editor.export import TmxExport
from align.formats.tmx import TmxStats
from align.pipeline.options import OutputSet, TmxOptions, tmx_counts, tmx_fields, tmx_notes
from align.pipeline.pair import RunOptions


def options_of(command: click.Command) -> dict[str, click.Option]:
    return {name: p for p in command.params if isinstance(p, click.Option) for name in (*p.opts, *p.secondary_opts)}


def test_run_and_corpus_expose_the_same_output_options():
    run, corpus = options_of(cli.commands["run"]), options_of(cli.commands["corpus"])
    expected = {"--level", "--region", "--src-code", "--tgt-code", "--min-score", "--split-by-score", "--dedupe",
                "--no-dedupe", "--append", "--creationid", "--review-tsv", "--review-xlsx"}
    assert set(OUTPUT_OPTION_NAMES) == expected
    for name in OUTPUT_OPTION_NAMES:
        assert name in run and name in corpus, name
        a, b = run[name], corpus[name]
        # the same definition: same parameter, help, default, type and flag shape
        assert (a.name, a.help, a.default, type(a.type), a.is_flag, a.flag_value) == \
            (b.name, b.help, b.default, type(b.type), b.is_flag, b.flag_value), name


def test_every_tmx_option_is_a_field_of_the_one_dataclass():
    """An option added to the definition must reach TmxOptions (or OutputSet), and so run, corpus and the editor."""
    dataclass_fields = set(tmx_fields(TmxOptions())) | {"review_tsv", "review_xlsx"}
    assert {spec.name for spec in OUTPUT_OPTIONS} == dataclass_fields
    # RunOptions (run, corpus) and TmxExport (the editor) extend the one dataclass
    assert issubclass(RunOptions, TmxOptions) and issubclass(TmxExport, TmxOptions)
    assert set(tmx_fields(TmxOptions())) <= set(RunOptions.__dataclass_fields__)
    assert set(tmx_fields(TmxOptions())) <= set(TmxExport.__dataclass_fields__)


def test_output_set_of_the_command_line_values():
    values = {spec.name: spec.settings.get("default", False) for spec in OUTPUT_OPTIONS}  # flags default to False
    values.update(min_score=0.3, split_by_score=0.7, dedupe=False, review_xlsx="", review_tsv="s.tsv")
    out = output_set(values)
    assert out.tmx == TmxOptions(min_score=0.3, split_by_score=0.7, dedupe=False)
    assert out.paths("o/x.tmx") == {"tmx": "o/x.tmx", "review_tmx": "o/x.review.tmx", "review_tsv": "s.tsv",
                                    "review_xlsx": "o/x.review.xlsx"}
    with pytest.raises(UsageError, match="--review-tsv takes no file name in a corpus"):
        out.per_pair_kinds()
    assert OutputSet(TmxOptions(split_by_score=0.5), review_xlsx="").per_pair_kinds() == ("review_tmx", "review_xlsx")
    assert OutputSet().per_pair_kinds() == ()


def test_editor_export_takes_the_same_options_and_refuses_what_it_cannot_do():
    assert tmx_fields(TmxExport(region=True, creationid="ana")) == tmx_fields(TmxOptions(region=True, creationid="ana"))
    with pytest.raises(UsageError, match="control character"):
        TmxExport(creationid="a\x01")
    with pytest.raises(UsageError):
        TmxExport(split_by_score=0.5)


def _stats(**kw) -> TmxStats:
    return TmxStats(**{"tus_written": 5, "skipped_below_min": 0, "duplicates": 0, "null_beads": 0, **kw})


def test_split_by_score_alone_is_not_said_as_units_below_min_score():
    """With --split-by-score the TMX's own count of units "below" is the split's: they went to the review TMX."""
    counts = tmx_counts(_stats(skipped_below_min=2), _stats(tus_written=2, skipped_below_min=0))
    assert counts["tmx_below_min_score"] == 0 and counts["review_tmx_tus"] == 2
    assert "--min-score" not in tmx_notes(counts)
    # with --min-score too: what the review TMX left out is what --min-score dropped
    counts = tmx_counts(_stats(skipped_below_min=3), _stats(tus_written=2, skipped_below_min=1))
    assert tmx_notes(counts) == "1 below --min-score left out"
    # without a split, the TMX's count is --min-score's
    assert tmx_notes(tmx_counts(_stats(skipped_below_min=4, duplicates=1), None)) == \
        "1 repeated unit written once, 4 below --min-score left out"


def test_run_writes_the_review_sheets_beside_the_tmx_when_given_no_file(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("ALIGN_EMBED_CACHE", raising=False)
    (tmp_path / "vi.txt").write_text("Hà Nội là thủ đô. Trời đẹp.\n", encoding="utf-8")
    (tmp_path / "id.txt").write_text("Hanoi adalah ibu kota. Cuacanya cerah.\n", encoding="utf-8")
    out = tmp_path / "out.tmx"
    main(["run", str(tmp_path / "vi.txt"), str(tmp_path / "id.txt"), "-o", str(out), "--model", "hash", "--no-report",
          "--force", "--review-tsv", "--review-xlsx"])
    err = capsys.readouterr().err
    assert (tmp_path / "out.review.tsv").is_file() and (tmp_path / "out.review.xlsx").is_file(), err
    assert f"review sheet: {tmp_path / 'out.review.xlsx'}" in err


def test_import_review_takes_its_tmx_options_from_the_same_definition():
    run, imp = options_of(cli.commands["run"]), options_of(cli.commands["import-review"])
    for name in ("--region", "--src-code", "--tgt-code", "--append"):
        assert (imp[name].name, imp[name].help, imp[name].default) == (run[name].name, run[name].help, run[name].default)
