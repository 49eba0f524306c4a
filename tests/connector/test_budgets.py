"""Shared rate budgets: per Smartsheet token and Salesforce org, in the database or Redis.

The same specification runs against both backends: the database always, Redis in the
PostgreSQL + Redis pass (``REDIS_URL`` set).
"""

from __future__ import annotations

import os

import pytest
import requests

from connector.budgets import (
    SLOT_SECONDS,
    TRANSIT_MARGIN_SECONDS,
    WINDOW_SLOTS,
    Budget,
    BudgetExhausted,
    DatabaseBudgets,
    RedisBudgets,
    budget_acquire,
    budget_for,
    budget_key,
    budget_used,
    sustained_per_minute,
)
from connector.clients.errors import ClientError
from connector.clients.transport import CallCounter, CountingSession, budget_error_defers
from connector.models import RateBucket

REDIS_URL = os.environ.get("REDIS_URL", "")


class Clock:
    """A clock the budget reads and "sleeps" on."""

    def __init__(self, at: float = 1_700_000_000.0) -> None:
        self.at = at
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += seconds


@pytest.fixture(params=["database", "redis"])
def backend(request, settings, db):
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("no Redis here (the PostgreSQL + Redis pass of .ci/run sets REDIS_URL)")
        settings.REDIS_URL = REDIS_URL
        chosen = RedisBudgets(REDIS_URL)
    else:
        settings.REDIS_URL = ""
        chosen = DatabaseBudgets()
    chosen.reset()
    yield chosen
    chosen.reset()


def token_budget(limit: int = 5, token: str = "Bearer alice-token") -> Budget:
    return Budget(key=budget_key("smartsheet", token), limit=limit, label="test budget")


def test_it_grants_requests_up_to_the_limit_and_then_refuses(backend):
    clock, budget = Clock(), token_budget(limit=5)
    for _ in range(5):
        budget_acquire(budget, now=clock, sleep=clock.sleep)
    with pytest.raises(BudgetExhausted) as refused:
        budget_acquire(budget, now=clock, sleep=clock.sleep)
    assert 0 < refused.value.retry_after <= SLOT_SECONDS + 1
    assert budget_used(budget, at=clock.at) == 5


def test_it_never_lets_any_sixty_seconds_hold_more_than_the_limit(backend):
    clock, budget = Clock(), token_budget(limit=6)
    granted: list[float] = []
    # Ask every 2.5 s for five minutes, waiting as long as it takes.
    for _ in range(120):
        budget_acquire(budget, wait=120, now=clock, sleep=clock.sleep)
        granted.append(clock.at)
        clock.at += 2.5
    for start in granted:
        assert sum(1 for t in granted if start <= t < start + 60) <= 6
    # ...and it does not starve: a window's worth per window, sustained.
    assert len(granted) == 120
    assert (granted[-1] - granted[0]) / 60 < 120 / sustained_per_minute(6) + 1


def test_requests_slower_to_arrive_than_others_never_fill_the_services_minute_twice(backend):
    # The service counts a request when it arrives. A window's worth granted just before
    # a slot ends but slow to get there (new TLS connections, a loaded host), then the
    # next window's worth granted as soon as the budget frees and quick to arrive: the
    # service must still never count more than the limit in any 60 seconds.
    boundary = 1_700_000_000.0  # a multiple of every slot length
    clock, budget = Clock(at=boundary - 0.5), token_budget(limit=10)
    arrivals: list[float] = []
    for burst in range(4):
        slow = burst % 2 == 0
        for _ in range(10):
            budget_acquire(budget, wait=120, now=clock, sleep=clock.sleep)
            arrivals.append(clock.at + (TRANSIT_MARGIN_SECONDS - 0.01 if slow else 0.0))
    for start in arrivals:
        assert sum(1 for t in arrivals if start <= t < start + 60) <= 10


def test_a_window_spans_a_minute_and_the_margin_and_always_lets_one_request_through():
    # Two grants less than 60 s + the margin apart are at most WINDOW_SLOTS - 1 slots apart.
    assert (WINDOW_SLOTS - 1) * SLOT_SECONDS >= 60 + TRANSIT_MARGIN_SECONDS
    assert sustained_per_minute(1) == 1


def test_it_waits_for_budget_when_allowed_to(backend):
    clock, budget = Clock(), token_budget(limit=2)
    budget_acquire(budget, now=clock, sleep=clock.sleep)
    budget_acquire(budget, now=clock, sleep=clock.sleep)
    budget_acquire(budget, wait=90, now=clock, sleep=clock.sleep)
    assert 60 <= sum(clock.slept) <= 90


def test_it_counts_a_heavy_request_at_its_weight(backend):
    clock, budget = Clock(), token_budget(limit=12)
    budget_acquire(budget, cost=10, now=clock, sleep=clock.sleep)
    budget_acquire(budget, cost=2, now=clock, sleep=clock.sleep)
    with pytest.raises(BudgetExhausted):
        budget_acquire(budget, cost=1, now=clock, sleep=clock.sleep)


def test_it_keeps_one_budget_per_token(backend):
    clock = Clock()
    alice, bob = token_budget(limit=1), token_budget(limit=1, token="Bearer bob-token")
    budget_acquire(alice, now=clock, sleep=clock.sleep)
    budget_acquire(bob, now=clock, sleep=clock.sleep)
    with pytest.raises(BudgetExhausted):
        budget_acquire(alice, now=clock, sleep=clock.sleep)


def test_it_keys_budgets_by_a_hash_never_the_token(settings):
    settings.RATE_BUDGET_SMARTSHEET_PER_MINUTE = 250
    budget = budget_for(service="smartsheet", identity="Bearer very-secret-token")
    assert "very-secret-token" not in budget.key
    assert budget.limit == 250


def test_it_turns_a_budget_off_with_a_limit_of_zero(settings):
    settings.RATE_BUDGET_SALESFORCE_PER_MINUTE = 0
    assert budget_for(service="salesforce", identity="org.my.salesforce.com") is None


def test_the_database_keeps_only_the_slots_of_the_window(settings, db):
    settings.REDIS_URL = ""
    clock, budget = Clock(), token_budget(limit=1000)
    for _ in range(30):
        budget_acquire(budget, now=clock, sleep=clock.sleep)
        clock.at += SLOT_SECONDS
    assert RateBucket.objects.filter(key=budget.key).count() <= WINDOW_SLOTS


# -- through the transport: every call takes from its budget -----------------------------

class Refused(Exception):
    pass


def session(counter: CallCounter) -> CountingSession:
    http = CountingSession(service="smartsheet", counter=counter, timeout=1,
                           check_url=lambda url: None)

    def never_send(request, **kwargs):  # nothing leaves the test: budget only
        raise Refused

    http.get_adapter = lambda url: type("A", (), {"send": staticmethod(never_send)})()
    return http


def call(http: CountingSession, token: str = "alice-token") -> None:
    request = requests.Request("GET", "http://127.0.0.1:9/2.0/sheets/1/version",
                               headers={"Authorization": f"Bearer {token}"}).prepare()
    with pytest.raises(Refused):
        http.send(request)


def test_a_runs_first_call_without_budget_is_held_back_to_defer_the_run(backend, settings):
    settings.RATE_BUDGET_SMARTSHEET_PER_MINUTE = 2
    settings.RATE_BUDGET_DEFER_AFTER_SECONDS = 0
    call(session(CallCounter()))
    call(session(CallCounter()))
    counter = CallCounter(deferrable=True)
    with pytest.raises(ClientError) as held:
        session(counter).send(requests.Request(
            "GET", "http://127.0.0.1:9/2.0/sheets/1/version",
            headers={"Authorization": "Bearer alice-token"}).prepare())
    assert held.value.kind == "rate"
    assert budget_error_defers(held.value)
    assert counter.total() == 0  # never sent, never counted
    call(session(CallCounter()), token="bob-token")  # Bob's token has its own budget
