"""Tools around the aligner: measure it against gold alignments, and check an existing translation memory.

* ``gold``: the gold-bead notation (``[1,2]:[3]``) and the scorer (strict and
  lax precision, recall, F1, as Bertalign and Vecalign count them);
* ``ceiling``: the best strict F1 any monotone aligner could reach on a gold;
* ``evaluate``: ``evaluate_dirs`` (``align eval``), evaluation runs over
  folders of src.txt, tgt.txt and gold.txt;
* ``tmscore``: ``score_tmx`` (``align score``), every unit of a TMX scored
  and flagged with the aligner's own bead score and quality checks.

Nothing is imported here: ``import align`` needs ``evaluate`` only, and the
CLI imports the modules of the commands it runs.
"""
