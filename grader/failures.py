"""What a failed check is: ``CheckFailed``, the message a student reads with the known mistake
it names (its diagnosis) as data, and the one wording of that diagnosis in a message.

A message names a mistake on its own line, ``"  Diagnosis: <sentence>."``; ``failure`` writes
it and ``diagnosis_in`` reads it back, so that a failure that travelled from a kernel as text
keeps its diagnosis. ``every_part`` checks a result of several parts and names the mistake of
each part that has one.
"""

from __future__ import annotations


class CheckFailed(AssertionError):
    """A check found the student's answer wrong; the message says how.

    message:    what a student reads.
    diagnosis:  the known mistake the answer matches, as it appears after "Diagnosis:" in the
                message; None when no known mistake fits. The report counts mistakes by it.
    candidates: every known mistake the answer matches on this case, diagnosis first (two
                mistakes can give the same result on one case; ``grader.exercise.verdict``
                keeps the one that fits every case). Default: the diagnosis alone.
    """

    def __init__(self, message: str, diagnosis: str | None = None, candidates=None):
        super().__init__(message)
        self.diagnosis = diagnosis
        self.candidates = tuple(candidates or ()) or ((diagnosis,) if diagnosis else ())

    def naming(self, diagnosis: str | None) -> CheckFailed:
        """The same failure naming ``diagnosis`` instead (None: naming no mistake)."""
        text = str(self)
        if self.diagnosis is not None:
            new = f"\n{_DIAGNOSIS}{diagnosis}." if diagnosis else ""
            text = text.replace(f"\n{_DIAGNOSIS}{self.diagnosis}.", new)
        elif diagnosis:
            text += f"\n{_DIAGNOSIS}{diagnosis}."
        return self._like(text, diagnosis)

    def without_diagnosis(self) -> CheckFailed:
        """The same failure naming no mistake: its "Diagnosis:" line and ``.diagnosis`` gone."""
        return self.naming(None)

    def at(self, where: str) -> CheckFailed:
        """The same failure with a line saying where it happened, e.g. '[dW, case 2 of 5]'."""
        failure = self._like(f"{self}\n  {where}", self.diagnosis)
        failure.candidates = self.candidates
        return failure

    def _like(self, message: str, diagnosis: str | None) -> CheckFailed:
        failure = CheckFailed(message, diagnosis)
        failure.__cause__ = self.__cause__  # the student's own error, shown in tracebacks
        return failure


def diagnosis_in(message: str) -> str | None:
    """The diagnosis that a failure's message states on its "  Diagnosis: ...." line, or None.

    A failure that travels back from a kernel as text (see ``grader.protocol``) keeps its
    diagnosis this way; the words are the ones ``failure`` wrote.
    """
    for line in message.split("\n"):
        if line.startswith(_DIAGNOSIS) and line.endswith("."):
            return line[len(_DIAGNOSIS) : -1]
    return None


_DIAGNOSIS = "  Diagnosis: "


def failure(message: str, diagnosis: str | None, candidates=None) -> CheckFailed:
    """The CheckFailed of a check that may name a mistake.

    message:   what went wrong, without the diagnosis.
    diagnosis: the known mistake, a sentence without its final full stop; None if none fits.
    Returns CheckFailed(message + "\n  Diagnosis: <diagnosis>.", diagnosis), or
    CheckFailed(message) when there is no diagnosis.
    """
    text = message + (f"\n{_DIAGNOSIS}{diagnosis}." if diagnosis else "")
    return CheckFailed(text, diagnosis, candidates)


def every_part(*checks) -> None:
    """Run the checks of each part of a result (J, then dZ; the penalty, then the gradients)
    and raise the first failure, naming the known mistake of every part that has one, so
    that two slips made at once are both named.

    checks: functions of no arguments, each raising CheckFailed when its part is wrong.
    """
    __tracebackhide__ = True
    failures = []
    for check in checks:
        try:
            check()
        except CheckFailed as wrong:
            failures.append(wrong)
    if not failures:
        return
    first = failures[0]
    named = list(dict.fromkeys(f.diagnosis for f in failures if f.diagnosis))
    if first.diagnosis is None or len(named) < 2:
        raise first
    raise first.naming("; and ".join(named))
