"""Corpus: many document pairs aligned into one output folder, resumable, on one core or a cluster.

The one way in is ``run_corpus(input, outdir, ...)`` (``align corpus``). Read in
this order:

* ``plan``: what there is to do. The pairs of a folder or manifest become
  ``Job`` s (``discover``); each job's key (inputs, model, options, version)
  and done marker say whether a re-run may skip it; jobs are packed into
  bundles that one worker embeds in one batch (``make_bundles``).
* ``executors``: where the bundles run, behind one ``Executor`` protocol:
  this process (``InProcessExecutor``), a local process pool
  (``PoolExecutor``) or a Dask cluster (``DaskExecutor``). Workers write each
  pair's outputs and done marker themselves.
* ``run``: the driver: plan, skip what is done, execute, then the merged TMX
  per language pair and the corpus index.
"""

from align.corpus.run import CorpusResult, PairStatus, run_corpus

__all__ = ["CorpusResult", "PairStatus", "run_corpus"]
