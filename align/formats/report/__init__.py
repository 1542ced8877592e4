"""The quality report of an alignment: ``payload`` (the data, JSON), ``html`` (the page), ``plots`` (its figures),
``check`` (a saved JSON report read back: bounded and type-checked before the page is rendered from it).

``payload.write_report`` writes both files; ``payload.REPORT_HTML`` and
``payload.REPORT_JSON`` are the pipeline's writers of them (one payload per pair).
"""
