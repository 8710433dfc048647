"""Due dates in French working days (every public holiday, Alsace-Moselle's two more) and legal delays."""

from __future__ import annotations

from datetime import date

from classifiers.deadlines import DeadlineRule, Delay, Silence, Unit, WorkingCalendar, add_months, compute_due

FRANCE = WorkingCalendar()
ALSACE_MOSELLE = WorkingCalendar("57")


def test_working_days_skip_weekends_and_the_easter_holidays() -> None:
    # Thursday 2 April 2026; Easter Monday is 6 April: 5 working days later is Friday 10 April.
    assert FRANCE.add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 10)
    # Ascension (14 May 2026) and Whit Monday (25 May 2026) are skipped too.
    assert FRANCE.add_working_days(date(2026, 5, 13), 1) == date(2026, 5, 15)
    assert FRANCE.add_working_days(date(2026, 5, 22), 1) == date(2026, 5, 26)


def test_alsace_moselle_adds_good_friday_and_saint_stephen() -> None:
    assert FRANCE.is_working_day(date(2026, 4, 3)) and not ALSACE_MOSELLE.is_working_day(date(2026, 4, 3))
    assert FRANCE.is_working_day(date(2025, 12, 26)) and not ALSACE_MOSELLE.is_working_day(date(2025, 12, 26))
    assert ALSACE_MOSELLE.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_months_end_on_the_last_day_when_the_day_does_not_exist() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_urban_planning_delay_depends_on_the_nature_and_silence_means_acceptance() -> None:
    rule = DeadlineRule(Delay(3, Unit.MONTHS), Silence.ACCEPTANCE,
                        variants={"DP": Delay(1, Unit.MONTHS), "PC_MI": Delay(2, Unit.MONTHS)})
    received = date(2026, 3, 10)
    dp = compute_due(rule, received, FRANCE, variant="DP")
    assert (dp.due_date, dp.silence_date, dp.silence) == (date(2026, 4, 10), date(2026, 4, 10), Silence.ACCEPTANCE)
    assert compute_due(rule, received, FRANCE, variant="PC_MI").due_date == date(2026, 5, 10)
    assert compute_due(rule, received, FRANCE, variant="PC").due_date == date(2026, 6, 10)
    assert "1 mois" in dp.basis and "DP" in dp.basis


def test_silence_delay_differs_from_the_service_commitment() -> None:
    rule = DeadlineRule(Delay(10, Unit.WORKING_DAYS), Silence.REJECTION, Delay(2, Unit.MONTHS))
    due = compute_due(rule, date(2026, 3, 10), FRANCE)
    assert due.due_date == date(2026, 3, 24) and due.silence_date == date(2026, 5, 10)


def test_payment_delay_in_calendar_days_and_mail_without_deadline() -> None:
    assert compute_due(DeadlineRule(Delay(30, Unit.DAYS)), date(2026, 1, 15), FRANCE).due_date == date(2026, 2, 14)
    none = compute_due(DeadlineRule(None), date(2026, 1, 15), FRANCE)
    assert none.due_date is None and none.silence_date is None
