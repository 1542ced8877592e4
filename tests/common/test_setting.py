"""A process-wide setting held by threads: changed by the first, undone by the last, and after ``fork``."""

from __future__ import annotations

import gc
import os
import threading

from align.common.collector import collector_paused
from align.common.setting import ProcessSetting


def test_changed_by_the_first_hold_undone_by_the_last_with_what_the_change_found():
    log: list[str] = []
    setting = ProcessSetting(lambda: log.append("change") or "found", lambda token: log.append(f"restore {token}"))
    with setting.held():
        with setting.held():
            assert setting.holders == 1 and log == ["change"]
        assert log == ["change"]
    assert log == ["change", "restore found"] and setting.holders == 0


def test_a_child_forked_while_another_thread_paused_the_collector_collects_again():
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert entered.wait(10) and not gc.isenabled()
        pid = os.fork()
        if pid == 0:  # the pausing thread does not exist here: nothing will ever end its pause
            os._exit(0 if gc.isenabled() else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        leave.set()
        thread.join(10)
    assert gc.isenabled()
