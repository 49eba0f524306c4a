"""The 404 and 500 pages: styled, with a way back, and the 500 page needs no database."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_says_so_with_navigation(client, alice):
    client.force_login(alice)
    response = client.get("/workflows/999999/runs/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist" in html
    assert 'href="/"' in html and 'href="/connections/"' in html
    assert "sheetforce.css" in html and "<script>" not in html


def test_a_missing_page_for_someone_signed_out_still_has_a_way_back(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_the_server_error_page_renders_without_the_database(django_assert_max_num_queries):
    request = RequestFactory().get("/")
    with django_assert_max_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and 'href="/"' in html
    assert "sheetforce.css" in html and "<style" not in html and "<script>" not in html
