"""Cohorts of candidates and policy diffs over them, like a reform simulation.

A :class:`~cptm_rules.cohort.candidates.Candidate` is what a candidate *does* (when
they register, which practicum, when they ask for changes, how they attend and sit
the exam); a policy turns it into answers (due times, deadlines, fees, verdicts).
:func:`~cptm_rules.cohort.diff.diff_policies` runs every candidate under two
policies and reports which answers moved, per answer and per rule, with counts and
examples.

Cohorts come from a JSON Lines file (``docs/cohorts.md``) or from
:func:`~cptm_rules.cohort.synthetic.synthetic_cohort`, which draws realistic spreads
reproducibly from a seed.

This package re-exports the names programs use (``from cptm_rules.cohort import
diff_policies``); each lives in the module of its concept:

- :mod:`cptm_rules.cohort.candidates`: the candidate, its events, JSON Lines files
  and the limits of every cohort file;
- :mod:`cptm_rules.cohort.answers`: a candidate's replay under one policy, and the
  answers a diff compares;
- :mod:`cptm_rules.cohort.report`: what a diff found, as text, Markdown, JUnit, JSON;
- :mod:`cptm_rules.cohort.sources`: a cohort file of any format, or candidates in hand;
- :mod:`cptm_rules.cohort.counts`: what a diff counts, the tally both engines fill;
- :mod:`cptm_rules.cohort.tally`: the unit of work, a chunk answered and tallied;
- :mod:`cptm_rules.cohort.workers`: the local engine's worker processes;
- :mod:`cptm_rules.cohort.diff`: :func:`~cptm_rules.cohort.diff.diff_policies`;
- :mod:`cptm_rules.cohort.synthetic`: synthetic cohorts;
- :mod:`cptm_rules.cohort.formats`: Parquet, CSV and Arrow cohorts (the ``columnar``
  extra; not loaded here);
- :mod:`cptm_rules.cohort.dask`: diffs on a Dask cluster (the ``dask`` extra; not
  loaded here).
"""

from __future__ import annotations

from cptm_rules.cohort.answers import Answer, Replay, answer_list, answers_for, replay
from cptm_rules.cohort.candidates import (
    ID_TEXT,
    MAX_ACCESS_MINUTES,
    MAX_GROUP_SIZE,
    MAX_ID_LENGTH,
    MAX_LINE_CHARACTERS,
    MAX_LIST_LENGTH,
    Candidate,
    HeldSession,
    Step,
    has_control_characters,
    iter_cohort,
    load_cohort,
)
from cptm_rules.cohort.candidates import candidate_row as candidate_row
from cptm_rules.cohort.counts import AnswerRow
from cptm_rules.cohort.diff import PARALLEL_THRESHOLD, Engine, diff_policies
from cptm_rules.cohort.report import AnswerDiff, PolicyDiff
from cptm_rules.cohort.sources import open_cohort
from cptm_rules.cohort.synthetic import MAX_SYNTHETIC, iter_synthetic_cohort, synthetic_cohort
from cptm_rules.cohort.tally import CHUNK

__all__ = [
    "CHUNK",
    "ID_TEXT",
    "MAX_ACCESS_MINUTES",
    "MAX_GROUP_SIZE",
    "MAX_ID_LENGTH",
    "MAX_LINE_CHARACTERS",
    "MAX_LIST_LENGTH",
    "MAX_SYNTHETIC",
    "PARALLEL_THRESHOLD",
    "Answer",
    "AnswerDiff",
    "AnswerRow",
    "Candidate",
    "Engine",
    "HeldSession",
    "PolicyDiff",
    "Replay",
    "Step",
    "answer_list",
    "answers_for",
    "diff_policies",
    "has_control_characters",
    "iter_cohort",
    "iter_synthetic_cohort",
    "load_cohort",
    "open_cohort",
    "replay",
    "synthetic_cohort",
]
