"""Every fixed word list of the library, in one place.

Each is a :class:`enum.StrEnum`, so a member compares equal to its string and
policy files, scenario files and JSON use the plain strings.
"""

from __future__ import annotations

import enum

__all__ = [
    "AccessUnit",
    "ActivityCategory",
    "DayCount",
    "DiscountKind",
    "OrganisationType",
]


class AccessUnit(enum.StrEnum):
    """How the eLearning access service level (R4) is measured."""

    HOURS = "hours"
    """Elapsed hours from the registration instant (current FAQ)."""
    BUSINESS_DAYS = "business_days"
    """Business days after the registration's local date (older FAQ)."""


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
