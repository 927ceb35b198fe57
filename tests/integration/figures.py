"""Figures the integration tests measure (turn times under faults, concurrent writers and
lost updates), printed at the end of the run by tests/integration/conftest.py. They are
reported, never asserted on: timings on a shared 2-core machine are not a test."""

TURNS = []    # (component, mode, turn, seconds): every turn taken while a fault was injected
WRITERS = []  # (what, writers, updates, lost): the concurrency tests' counts
RACES = []    # names of the two-device races that ran and passed their checks
LOST = []     # (what, answers withheld, writes applied twice, writes lost): the answer-lost tests


def turn(component, mode, name, seconds):
    TURNS.append((component, mode, name, seconds))


def writers(what, count, updates, lost):
    WRITERS.append((what, count, updates, lost))


def race(name):
    RACES.append(name)


def lost_answer(what, withheld, twice, lost):
    LOST.append((what, withheld, twice, lost))


def summary():
    lines = []
    if TURNS:
        modes = sorted({(component, mode) for component, mode, _, _ in TURNS})
        slowest = max(TURNS, key=lambda t: t[3])
        lines.append(f"fault modes survived: {len(modes)} ({', '.join(f'{c} {m}' for c, m in modes)}); "
                     f"{len(TURNS)} turns under faults")
        lines.append(f"slowest answer under faults: {slowest[3]:.2f} s ({slowest[0]} {slowest[1]}, {slowest[2]})")
        for component in sorted({c for c, _, _, _ in TURNS}):
            worst = {}
            for c, mode, _, seconds in TURNS:
                if c == component:
                    worst[mode] = max(worst.get(mode, 0), seconds)
            lines.append(f"  slowest per mode, {component}: "
                         + ", ".join(f"{mode} {seconds:.2f}" for mode, seconds in sorted(worst.items())))
    for what, count, updates, lost in WRITERS:
        lines.append(f"concurrent writers: {what}: {count} writers, {updates} updates, {lost} lost")
    if LOST:
        lines.append(f"answers lost (fault proxy mode lost): {sum(w for _, w, _, _ in LOST)} answers withheld "
                     f"in {len(LOST)} cases; applied twice: {sum(t for _, _, t, _ in LOST)}, "
                     f"lost: {sum(n for _, _, _, n in LOST)}")
        for what, withheld, twice, lost in sorted(LOST):
            lines.append(f"  {what}: {withheld} withheld, {twice} applied twice, {lost} lost")
    if RACES:
        lines.append(f"two devices' turns made to overlap: {len(RACES)} races passed their checks "
                     "(no change lost, no reminder left untracked)")
    return lines
