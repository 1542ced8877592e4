"""Shared test set-up.

The helpers beside this file (``documents``, ``legacy_encodings``) and the fixtures
one stage's tests lend another (``test_quality``'s alignments, ``test_omegat``'s
round trip) are imported by module name, so this folder and each stage folder are
put on ``sys.path`` once here instead of in every test file.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for _folder in [_HERE, *sorted(p for p in _HERE.iterdir() if p.is_dir() and p.name not in ("data", "artifacts"))]:
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
