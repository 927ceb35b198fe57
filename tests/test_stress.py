"""make test-stress's runner (devkit/stress.py): every run to the end, each one's counts,
and the busy processes stopped afterwards even when a run failed."""

import sys

from devkit import stress


def test_a_failing_run_is_reported_and_the_busy_processes_are_stopped(monkeypatch, capsys):
    started, real = [], stress.busy

    def busy(count):
        started.extend(real(count))
        return started

    monkeypatch.setattr(stress, "busy", busy)
    pytest_like = "import sys; print('2 failed, 5 passed in 0.1s'); sys.exit(1)"
    assert stress.main(["--runs", "2", "--per-core", "1", "--", sys.executable, "-c", pytest_like]) == 1
    out = capsys.readouterr().out
    assert "run 1: RED: 2 failed, 5 passed" in out and "run 2: RED" in out and "0 of 2 runs green" in out
    assert started and all(process.poll() is not None for process in started), "a busy process was left running"
