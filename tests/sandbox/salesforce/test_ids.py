from __future__ import annotations

import string

from sandbox.salesforce import ids


def _reference_checksum(id15: str) -> str:
    # Written differently from the module on purpose: reversed binary strings per chunk.
    out = ""
    for start in (0, 5, 10):
        bits = "".join("1" if c in string.ascii_uppercase else "0"
                       for c in reversed(id15[start:start + 5]))
        out += (string.ascii_uppercase + "012345")[int(bits, 2)]
    return out


def test_it_gives_created_records_18_char_ids_with_prefix_and_checksum(sf):
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Lee", "AccountId": account})["id"]
    case = sf.Case.create({"Subject": "Broken"})["id"]
    for record_id, prefix in ((account, "001"), (contact, "003"), (case, "500")):
        assert len(record_id) == 18 and record_id.startswith(prefix)
        assert record_id[15:] == _reference_checksum(record_id[:15])


def test_it_computes_checksums_of_mixed_case_ids():
    assert ids.checksum("000000000000000") == "AAA"
    assert ids.checksum("AAAAAAAAAAAAAAA") == "555"
    assert ids.checksum("a0Ab0Cd0eF00000") == _reference_checksum("a0Ab0Cd0eF00000")
    assert ids.is_valid("001000000000000AAA") and not ids.is_valid("001000000000000AAB")


def test_it_accepts_15_char_ids_on_read(sf):
    account = sf.Account.create({"Name": "Acme"})["id"]
    assert sf.Account.get(account[:15])["Id"] == account
