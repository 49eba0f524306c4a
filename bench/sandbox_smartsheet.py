"""Benchmark: GET of a 20,000-row x 20-column sheet from the Smartsheet emulator.

Run: ``.venv/bin/python bench/sandbox_smartsheet.py``. Starts an in-memory sandbox, fills a
sheet through the SDK (500-row adds), then times GET sheet over real HTTP (raw body, as
the connector reads big sheets) and in-process (server side only); prints JSON; exits 1
unless the best HTTP GET and every server-side GET take under 1 s.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import requests
import smartsheet
from werkzeug.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.runner import start_sandbox  # noqa: E402

ROWS, COLUMNS, BATCH, LIMIT_SECONDS = 20_000, 20, 500, 1.0


def main() -> int:
    box = start_sandbox(seed="empty")
    info = box.info["smartsheet"]
    box.smartsheet.rate_limit(per_minute=100_000)
    client = smartsheet.Smartsheet(access_token=info["access_token"],
                                   api_base=info["api_base"])
    client.errors_as_exceptions(True)
    columns = [{"title": "Name", "type": "TEXT_NUMBER", "primary": True}] + [
        {"title": f"C{i}", "type": "TEXT_NUMBER"} for i in range(1, COLUMNS)]
    sheet = client.Home.create_sheet(  # the SDK's only create-in-home call
        smartsheet.models.Sheet(
        {"name": "Bench", "columns": columns})).result
    col_ids = [c.id for c in sheet.columns]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {info['access_token']}"
    add_times = []
    for start in range(0, ROWS, BATCH):
        body = [{"toBottom": True, "cells": [
            {"columnId": cid, "value": f"r{start + i}c{j}" if j % 2 else start + i + j}
            for j, cid in enumerate(col_ids)]} for i in range(BATCH)]
        t0 = time.perf_counter()
        response = session.post(f"{info['api_base']}/sheets/{sheet.id}/rows", json=body,
                                timeout=60)
        add_times.append(time.perf_counter() - t0)
        response.raise_for_status()
    get_times, size = [], 0
    for _ in range(5):
        t0 = time.perf_counter()
        response = session.get(f"{info['api_base']}/sheets/{sheet.id}", timeout=60)
        get_times.append(time.perf_counter() - t0)
        response.raise_for_status()
        size = len(response.content)
    rows = len(response.json()["rows"])
    # Server side alone: the emulator's WSGI app called in-process (no socket, no client).
    app = Client(box.smartsheet)
    server_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        app.get(f"/2.0/sheets/{sheet.id}",
                headers={"Authorization": f"Bearer {info['access_token']}"}).get_data()
        server_times.append(time.perf_counter() - t0)
    box.stop()
    result = {"rows": rows, "columns": COLUMNS, "response_bytes": size,
              "get_sheet_http_seconds": [round(t, 3) for t in get_times],
              "get_sheet_server_seconds": [round(t, 3) for t in server_times],
              "add_500_rows_seconds_median": round(sorted(add_times)[len(add_times) // 2], 3),
              "limit_seconds": LIMIT_SECONDS, "ok": min(get_times) < LIMIT_SECONDS and max(server_times) < LIMIT_SECONDS}
    print(json.dumps(result))
    return 0 if result["ok"] and rows == ROWS else 1


if __name__ == "__main__":
    sys.exit(main())
