"""The API-call floors are the published batch sizes applied to each scenario's data."""

from __future__ import annotations

import pytest

from bench import floors


@pytest.mark.parametrize(("records", "pages"), [(0, 1), (1, 1), (2000, 1), (2001, 2),
                                                 (10_000, 5), (20_000, 10)])
def test_it_counts_an_empty_query_as_one_page(records, pages):
    assert floors.query_pages(records) == pages


@pytest.mark.parametrize(("n", "collections", "sheet_writes"),
                         [(0, 0, 0), (1, 1, 1), (200, 1, 1), (201, 2, 1), (500, 3, 1),
                          (501, 3, 2), (10_000, 50, 20)])
def test_it_batches_200_records_and_500_rows_per_call(n, collections, sheet_writes):
    assert floors.collection_calls(n) == collections
    assert floors.sheet_write_calls(n) == sheet_writes


def test_it_floors_an_initial_sync_to_a_new_sheet():
    floor = floors.floor_initial_to_smartsheet(records=10_000)
    # describe + 5 query pages; read sheet + add columns + 20 row adds
    assert (floor.salesforce, floor.smartsheet, floor.total) == (6, 22, 28)
    assert len(floor.parts) == 5


def test_it_floors_an_initial_sync_to_salesforce_and_a_lookup_one_query_more():
    plain = floors.floor_initial_to_salesforce(rows=10_000)
    assert (plain.salesforce, plain.smartsheet) == (1 + 1 + 50, 1 + 1 + 20)
    lookup = floors.floor_lookup(rows=10_000, distinct_names=6)
    assert lookup.total == plain.total + 1


def test_it_allows_two_calls_for_a_poll_that_finds_nothing():
    assert floors.floor_no_change_poll().total == floors.NO_CHANGE_POLL_MAX == 2


def test_it_writes_conflict_winners_only_to_the_losing_side():
    sf_wins = floors.floor_conflicts(conflicts=100)
    ss_wins = floors.floor_conflicts(conflicts=100, salesforce_wins=False)
    assert (sf_wins.salesforce, sf_wins.smartsheet) == (1, 2)
    assert (ss_wins.salesforce, ss_wins.smartsheet) == (2, 1)


def test_it_needs_one_add_call_per_parent_for_grouped_rows():
    floor = floors.floor_grouped(records=1200, parents_per_level=[{"root": 1}, {"All": 3}],
                                 leaf_sizes=[600, 400, 200])
    # setup 3 (describe, read, columns) + 1 page; groups 1 + 1; leaves 2 + 1 + 1
    assert floor.total == 3 + 1 + 2 + 4
