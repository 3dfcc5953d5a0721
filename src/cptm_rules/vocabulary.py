"""Every fixed word list of the library, in one place.

Each is a :class:`enum.StrEnum`, so a member compares equal to its string and
policy files, scenario files and JSON use the plain strings.
"""

from __future__ import annotations

import enum

__all__ = [
    "AccessUnit",
    "ActivityCategory",
    "Attendance",
    "DayCount",
    "DeadlineAnchor",
    "DeadlineUnit",
    "DiscountKind",
    "EffectKind",
    "KeyDateKind",
    "OrganisationType",
    "Severity",
    "State",
]


class DeadlineUnit(enum.StrEnum):
    """The units a policy's deadline is counted in (each rule admits some of them)."""

    HOURS = "hours"
    """Elapsed hours from an instant (computed in UTC)."""
    CALENDAR_DAYS = "calendar_days"
    """Calendar days."""
    BUSINESS_DAYS = "business_days"
    """Business days on the policy's calendar; counted from an instant, they end at
    23:59:59 program time."""
    MONTHS = "months"
    """Calendar months in one step, the day of month clamped to the month's end."""
    YEARS = "years"
    """Years as twelve months in one step, clamped like months."""


AccessUnit = DeadlineUnit
"""The earlier name of :class:`DeadlineUnit`, from when only R4 had a unit (its words,
``hours`` and ``business_days``, are unchanged)."""


class DeadlineAnchor(enum.StrEnum):
    """The fact of the journey a deadline counts from, where a rule admits more than one."""

    PRACTICUM_LAST_DAY = "practicum_last_day"
    """The practicum's last day: the exam's release date (R13), the window's default."""
    PRACTICUM_FIRST_DAY = "practicum_first_day"
    """The practicum's first day."""


class DayCount(enum.StrEnum):
    """How the free-change window (R9, R10) counts its days."""

    BUSINESS = "business"
    """Business days on the policy's calendar (the FAQ's reading, the default)."""
    CALENDAR = "calendar"
    """Calendar days (the terms' reading)."""


class OrganisationType(enum.StrEnum):
    """The kind of organisation a candidate works for, as far as pricing cares (R21)."""

    OTHER = "other"
    """Any employer, or none, that brings no discount of its own."""
    NON_PROFIT = "non-profit"
    """A non-profit organisation."""
    GOVERNMENT = "government"
    """A government agency."""


class DiscountKind(enum.StrEnum):
    """The registration discounts the FAQ names (R21)."""

    NON_PROFIT = "non-profit"
    """Employees of non-profits."""
    GOVERNMENT = "government"
    """Employees of government agencies."""
    GROUP = "group"
    """Groups registering together."""


class ActivityCategory(enum.StrEnum):
    """Kinds of continuing-education activity; the policy says which qualify (R19)."""

    CONFERENCE = "conference"
    WEBINAR = "webinar"
    WEBCAST = "webcast"
    PODCAST = "podcast"
    SEMINAR = "seminar"
    COURSE = "course"
    COLLEGE_COURSE = "college-course"
    ELEARNING = "elearning"
    EVENT = "event"
    OTHER_INDUSTRY_TRAINING = "other-industry-training"
    ALUMNI_WEBINAR = "alumni-webinar"
    ALUMNI_EVENT = "alumni-event"
    ALUMNI_ROUNDTABLE = "alumni-roundtable"
    ALUMNI_COURSE = "alumni-course"
    NOT_INDUSTRY_RELEVANT = "not-industry-relevant"


class State(enum.StrEnum):
    """Where a candidate's journey stands.

    The first seven are *stored*: events move a journey between them (the
    transition table in :mod:`cptm_rules.lifecycle`). The last four are
    *derived*: :meth:`~cptm_rules.lifecycle.Journey.status_on` reports them
    when time alone has moved the journey on.
    """

    NEW = "new"
    """Nothing has happened yet."""
    REGISTERED = "registered"
    """Registered with a practicum; eLearning access not yet granted."""
    IN_PREWORK = "in_prework"
    """eLearning access granted; modules under way."""
    ATTENDED = "attended"
    """Practicum attended (fully or partly); the exam is pending."""
    CERTIFIED = "certified"
    """Exam passed; inside a certification period."""
    CANCELLED = "cancelled"
    """Cancelled by the candidate; a tuition credit may be open."""
    FORFEITED = "forfeited"
    """Did not attend without written notice; the course price is forfeited."""
    EXAM_EXPIRED = "exam_expired"
    """Derived: the exam window closed without a passing attempt."""
    LAPSED = "lapsed"
    """Derived: a certification period ended without renewal."""
    CREDIT_EXPIRED = "credit_expired"
    """Derived: a cancellation's tuition credit ran out unused."""
    IN_GRACE = "in_grace"
    """Derived: a period ended unrenewed, and its grace period still accepts the renewal (R20)."""


class Attendance(enum.StrEnum):
    """What the practicum's attendance record says (R12, R26)."""

    FULL = "full"
    PARTIAL = "partial"
    ABSENT_WITH_NOTICE = "absent_with_notice"
    ABSENT_WITHOUT_NOTICE = "absent_without_notice"


class Severity(enum.StrEnum):
    """How loudly an advisory speaks; advisories never block."""

    NOTE = "note"
    WARNING = "warning"
    STRONG_WARNING = "strong_warning"


class EffectKind(enum.StrEnum):
    """Things the calling application must carry out after a transition."""

    SEND_ACCESS = "send_access"
    ISSUE_CERTIFICATE_PACKET = "issue_certificate_packet"
    ISSUE_DIGITAL_BADGE = "issue_digital_badge"
    GRANT_ALUMNI_ACCESS = "grant_alumni_access"
    CHARGE = "charge"
    REFUND = "refund"


class KeyDateKind(enum.StrEnum):
    """The dates that matter to a candidate.

    As :meth:`~cptm_rules.lifecycle.Journey.key_dates` lists them.
    """

    REGISTERED = "registered"
    ACCESS_DUE = "access_due"
    PREWORK_START = "prework_recommended_start"
    FREE_CHANGE_DEADLINE = "free_change_deadline"
    PRACTICUM_FIRST_DAY = "practicum_first_day"
    PRACTICUM_LAST_DAY = "practicum_last_day"
    EXAM_OPENS = "exam_opens"
    EXAM_CLOSES = "exam_closes"
    CERTIFIED = "certification_date"
    PERIOD_END = "period_end"
    CREDIT_EXPIRES = "tuition_credit_expires"
