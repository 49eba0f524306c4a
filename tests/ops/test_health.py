"""GET /healthz (the process answers) and GET /readyz (the deployment works): status
codes, content, no database for liveness, a constant number of queries for readiness,
nothing secret in either."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from runs.models import BeatingService, ServiceHeartbeat
from runs.realtime.listener import ChangeListener
from runs.scheduling import scheduler_tick
from runs.services import heartbeat_record


def _beat(service, ago=timedelta(seconds=10)):
    heartbeat_record(service=service, now=timezone.now() - ago)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_answers_healthz_without_touching_the_database(
        db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_it_answers_healthz_to_head_and_refuses_post(client):
    # No ``db`` fixture: pytest-django would raise on any database access.
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_it_is_ready_when_the_database_broker_and_scheduler_are(
        db, client, settings, django_assert_num_queries):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "orm": "default"}
    settings.Q_CLUSTER.pop("redis", None)
    _beat(BeatingService.SCHEDULER)
    with django_assert_num_queries(3):  # SELECT 1, the ORM broker's table, heartbeats
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {
        "database": {"status": "ok"},
        "broker": {"status": "ok", "broker": "orm"},
        "scheduler": {"status": "ok", "last_seen_seconds_ago": body["checks"]["scheduler"][
            "last_seen_seconds_ago"]},
    }
    assert 9 <= body["checks"]["scheduler"]["last_seen_seconds_ago"] <= 60


def test_it_is_not_ready_before_the_first_scheduler_tick(db, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["checks"]["scheduler"] == {
        "status": "fail", "reason": "never seen", "last_seen_seconds_ago": None}


def test_it_is_not_ready_when_the_scheduler_stopped_ticking(db, client):
    _beat(BeatingService.SCHEDULER, ago=timedelta(minutes=4))
    response = client.get("/readyz")
    assert response.status_code == 503
    scheduler = response.json()["checks"]["scheduler"]
    assert (scheduler["status"], scheduler["reason"]) == ("fail", "stale")
    assert scheduler["last_seen_seconds_ago"] >= 240


def test_it_checks_the_listener_only_when_real_time_is_enabled(db, client, settings):
    _beat(BeatingService.SCHEDULER)
    assert "listener" not in client.get("/readyz").json()["checks"]

    settings.SHEETFORCE_REALTIME_ENABLED = True
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["listener"]["reason"] == "never seen"

    _beat(BeatingService.LISTENER)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["listener"]["status"] == "ok"


def test_it_pings_redis_and_says_nothing_of_its_address(db, client, settings):
    _beat(BeatingService.SCHEDULER)
    url = f"redis://:hunter2-redis-password@127.0.0.1:{_free_port()}/0"  # nobody listens
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": url}
    settings.Q_CLUSTER.pop("orm", None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "status": "fail", "reason": "unreachable", "broker": "redis"}
    text = response.content.decode()
    assert "hunter2" not in text and "127.0.0.1" not in text


@pytest.mark.skipif("not __import__('os').environ.get('REDIS_URL')",
                    reason="no Redis here (the PostgreSQL + Redis pass of .ci/run sets REDIS_URL)")
def test_it_is_ready_with_a_live_redis_broker(db, client, settings):
    _beat(BeatingService.SCHEDULER)
    assert settings.Q_CLUSTER.get("redis")
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"] == {"status": "ok", "broker": "redis"}


def test_it_answers_without_authentication_or_secrets(db, client, settings):
    _beat(BeatingService.SCHEDULER)
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        text = response.content.decode()
        for secret in (settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEY,
                       settings.DATABASES["default"]["NAME"]):
            assert str(secret) not in text
        assert "Set-Cookie" not in response.headers


def test_the_scheduler_tick_records_its_heartbeat(db):
    before = timezone.now()
    scheduler_tick()
    beat = ServiceHeartbeat.objects.get(service=BeatingService.SCHEDULER)
    assert beat.beat_at >= before
    assert ":" in beat.worker

    scheduler_tick()  # the same row moves on
    assert ServiceHeartbeat.objects.count() == 1
    assert ServiceHeartbeat.objects.get().beat_at > beat.beat_at


@pytest.mark.django_db(transaction=True)
def test_the_listener_beats_while_it_runs():
    listener = ChangeListener(reconcile_seconds=60, webhooks=False)
    thread = threading.Thread(target=listener.run_forever, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if ServiceHeartbeat.objects.filter(service=BeatingService.LISTENER).exists():
                break
            threading.Event().wait(0.05)
        beat = ServiceHeartbeat.objects.get(service=BeatingService.LISTENER)
        assert timezone.now() - beat.beat_at < timedelta(seconds=5)
    finally:
        listener.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_readyz_json_is_one_entry_per_check(db, client, settings):
    settings.SHEETFORCE_REALTIME_ENABLED = True
    body = json.loads(client.get("/readyz").content)
    assert sorted(body["checks"]) == ["broker", "database", "listener", "scheduler"]
    assert all(entry["status"] in ("ok", "fail") for entry in body["checks"].values())


def test_probes_are_not_redirected_to_https(db, client, settings):
    # Load balancers and Prometheus often reach the application server over plain http.
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_TOKEN = "m3tr1cs-t0ken-0f-32-characters!!"
    _beat(BeatingService.SCHEDULER)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.METRICS_TOKEN}"
                      ).status_code == 200
    assert client.get("/login/").status_code == 301
