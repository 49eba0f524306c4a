"""Benchmarks of the sync engine against the sandbox: ``python -m bench``.

See ``bench/README.md``. Modules: :mod:`bench.harness` (one scenario end to end),
:mod:`bench.scenarios` (seeding and preparation), :mod:`bench.floors` (the API-call
floor), :mod:`bench.measure` (the measuring child), :mod:`bench.naive` (per-record
integrations, for comparison), :mod:`bench.sandbox_process` (the sandbox in its own
process). ``sandbox_*.py`` are the emulators' own micro-benchmarks.
"""
