"""Forms fuzzed with hypothesis through the Django test client:
never a server error, errors next to the field, nothing saved on invalid input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.models import Connection
from tests import factories, personas
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                      blacklist_characters="\x00"), max_size=300)
ANY = st.one_of(TEXT, st.integers().map(str), st.just(""), st.text(max_size=5000).filter(
    lambda s: "\x00" not in s and not any(0xD800 <= ord(c) <= 0xDFFF for c in s)))



@FUZZ
@given(username=ANY, password=ANY)
def test_it_never_errors_on_any_sign_in(client, username, password):
    personas.alice()  # noqa: F841 (a real account exists; random input never matches it)
    response = client.post("/signin/", {"username": username, "password": password})
    assert response.status_code in (200, 400, 429), response.status_code
    assert "_auth_user_id" not in client.session
    Workflow.objects.all().delete()
    from accounts.models import User
    User.objects.all().delete()


@pytest.fixture
def alice_workflow():
    alice = personas.alice()
    return alice, factories.workflow(alice, name="Original name")


@FUZZ
@given(name=ANY)
def test_it_renames_or_shows_the_error_next_to_the_name(client, alice_workflow, name):
    alice, workflow = alice_workflow
    client.force_login(alice)
    before = Workflow.objects.get(pk=workflow.pk).name
    response = client.post(f"/workflows/{workflow.pk}/rename/", {"name": name})
    after = Workflow.objects.get(pk=workflow.pk).name
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 302:
        assert after == name.strip() and after
    else:
        assert after == before  # nothing saved
        html = response.content.decode()
        assert 'id="id_name"' in html and "error" in html.split('id="id_name"')[1][:600] \
            or "error" in html.split('for="id_name"')[1][:600]
    Workflow.objects.filter(pk=workflow.pk).update(name="Original name")


@FUZZ
@given(connection_id=st.integers(min_value=1, max_value=2**31), extra=ANY)
def test_it_never_disconnects_someone_elses_connection(client, connection_id, extra):
    alice, bob = personas.alice(), personas.bob()
    install = factories.install()
    theirs = Connection.objects.create(user=bob, install=install, service="smartsheet",
                                       access_token="t", identity="bob@example.com")
    client.force_login(alice)
    target = theirs.pk if connection_id % 2 else connection_id
    response = client.post(f"/connections/{target}/disconnect/", {"confirm": extra})
    assert response.status_code == 404
    assert Connection.objects.filter(pk=theirs.pk).exists()
    Connection.objects.all().delete()
    from accounts.models import User
    User.objects.all().delete()


@FUZZ
@given(install=ANY, direction=ANY, sheet=ANY, obj=ANY, new_sheet=ANY, action=ANY)
def test_it_never_errors_on_wizard_settings(client, alice_workflow, install, direction, sheet,
                                            obj, new_sheet, action):
    alice, _ = alice_workflow
    client.force_login(alice)
    client.get("/workflows/new/")
    count = Workflow.objects.count()
    response = client.post("/wizard/settings/", {
        "install": install, "direction": direction, "sheet": sheet, "salesforce_object": obj,
        "new_sheet_name": new_sheet, "action": action})
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 400:
        assert 'class="error"' in response.content.decode()
    assert Workflow.objects.count() == count  # nothing saved before the last step
