"""The alignment editor (``align edit``): fix an alignment in the browser, realign around confirmed rows, export.

* ``model``: the ``Sheet`` of rows and the operations on it (each checked by ``check_sheet``);
* ``source``: the sheet of a JSON report (what ``align run`` writes by default);
* ``session``: one opened alignment with its fsync'd journal, undo/redo, save, realign;
* ``export``: TMX (with ``x-review``), review sheet, beads and JSON report of an edited alignment;
* ``server``: the local web page (Starlette on 127.0.0.1, token, Host and Origin checks);
* ``corpus``: the pairs of a corpus output folder, worst first, with their review progress.
"""

from align.editor.model import OPS, EditError, Row, Seg, Sheet, Stamp, apply, check_sheet
from align.editor.session import Conflict, Patch, Session, edited_path

__all__ = ["OPS", "Conflict", "EditError", "Patch", "Row", "Seg", "Session", "Sheet", "Stamp", "apply",
           "check_sheet", "edited_path"]
