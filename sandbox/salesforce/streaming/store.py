"""A :class:`~sandbox.salesforce.store.Store` that publishes a change event per committed
write.

Writes inside :meth:`Store.transaction` are journalled and published when the outermost
transaction commits (a rolled-back request publishes nothing, as in Salesforce); a
write outside any transaction publishes at once. Every write path of the org goes
through ``create``/``update``/``delete`` — REST calls, collections, control inserts and
edits, deferred automation — so all of them publish.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.salesforce.store import Store
from sandbox.salesforce.streaming.events import ChangeBus, current_origin, event_shape


class PublishingStore(Store):
    """``bus`` is None until the emulator attaches it (seeding publishes nothing: the
    org existed before anyone subscribed)."""

    bus: ChangeBus | None = None
    _journal: list[dict] | None = None

    def create(self, object_name: str, values: dict, *, user_id: str | None,
               privileged: bool = False) -> str:
        with self.lock:
            record_id = super().create(object_name, values, user_id=user_id,
                                       privileged=privileged)
            self._note(object_name, record_id, "create", None, user_id)
            return record_id

    def update(self, object_name: str | None, record_id: str, values: dict, *,
               user_id: str | None, privileged: bool = False) -> None:
        with self.lock:
            found = self.find(record_id)
            # Writes replace the stored dict, so this reference keeps the old values.
            old = found[1] if found else None
            super().update(object_name, record_id, values, user_id=user_id,
                           privileged=privileged)
            found = self.find(record_id)
            if found is not None:
                self._note(found[0], found[1]["Id"], "update", old, user_id)

    def delete(self, object_name: str | None, record_id: str, *, user_id: str | None) -> str:
        with self.lock:
            name = super().delete(object_name, record_id, user_id=user_id)
            found = self.find(record_id)
            if found is not None:
                self._note(name, found[1]["Id"], "delete", None, user_id)
            return name

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            outermost = self._journal is None
            if outermost:
                self._journal = []
            try:
                with super().transaction():
                    yield
            except BaseException:
                if outermost:
                    self._journal = None
                raise
            if outermost:
                journal, self._journal = self._journal, None
                if self.bus is not None:
                    self.bus.publish(journal)

    def _shape(self, object_name: str) -> dict:
        """The object's event shape, recomputed only when its fields change."""
        fields = self.schema.fields[object_name]
        cache = self.__dict__.setdefault("_shapes", {})
        key = (id(fields), len(fields))
        cached = cache.get(object_name)
        if cached is None or cached[0] != key:
            cached = cache[object_name] = (key, event_shape(fields))
        return cached[1]

    def _note(self, object_name: str, record_id: str, kind: str, old: dict | None,
              user_id: str | None) -> None:
        if self.bus is None:
            return
        new = self.records[object_name][record_id]
        change = {"object": object_name, "id": record_id, "kind": kind,
                  "old": dict(old) if old else None, "new": dict(new),
                  "user_id": user_id, "origin": current_origin(),
                  "shape": self._shape(object_name)}
        if self._journal is not None:
            self._journal.append(change)
        else:
            self.bus.publish([change])
