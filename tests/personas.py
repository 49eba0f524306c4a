"""The people of every test. One set, one meaning each, whatever the folder.

============  ========  ==================================================================
persona       team      who they are
============  ========  ==================================================================
``alice``     Acme      a licensed connector user (Salesforce user, Service Cloud user);
                        she owns the workflows under test
``bob``       Acme      alice's teammate, a licensed connector user too (Salesforce user,
                        Service Cloud user); he does not own her workflows
``sam``       Acme      the System Admin of Acme (licensed): sees and may disable, enable,
                        run and delete every Acme workflow, manages Acme's people
``connie``    Acme      the Connector Admin of Acme (licensed): sets up installs, may
                        disable and delete Acme's workflows
``uma``       Acme      on the team, no licence and no role
``charlie``   Globex    outside Acme: a licensed connector user of another team
============  ========  ==================================================================

Everyone's email is ``<username>@example.com`` and everyone's password is
:data:`PASSWORD`. alice and bob are also people of the sandbox (``sandbox/personas.py``:
same emails, same full names), so cell-history culprits and "lookup by name" line up.

A test that needs a persona to hold another role says so: ``charlie(system_admin=True)``
is charlie as Globex's System Admin — an admin, but still outside Acme — and
``with_roles(bob, salesforce_user=False)`` takes a role away from a user in hand. A test
that needs someone who is none of these (a superuser, a user without a team) creates that
user itself.

The functions below are idempotent: ``alice()`` returns the same user every time within
a test, so fixtures (tests/conftest.py) and code that runs outside fixtures (a browser
test's setup, a subprocess building its own database) share one alice.

Not these people: the *demo's* users (ada, carol, alice, bob, ... seeded by
``manage.py demo`` from ``sheetforce/demo.py``) and the sandbox's own users (ada, the
integration user whose tokens are in ``sandbox.info``; carol, dan, erin, whose tokens
tests may revoke). Tests of the demo and of the emulators use those by their names.
"""

from __future__ import annotations

from accounts.models import Team, User

PASSWORD = "correct-horse-battery"

#: username → (first name, last name)
NAMES = {
    "alice": ("Alice", "Martin"),
    "bob": ("Bob", "Chen"),
    "sam": ("Sam", "Okafor"),
    "connie": ("Connie", "Reyes"),
    "uma": ("Uma", "Ng"),
    "charlie": ("Charlie", "Davis"),
}

_CONNECTOR_USER = {"licensed": True, "salesforce_user": True, "service_cloud_user": True}


def acme() -> Team:
    return Team.objects.get_or_create(name="Acme")[0]


def globex() -> Team:
    return Team.objects.get_or_create(name="Globex")[0]


def _person(username: str, team: Team, roles: dict[str, bool], **flags: bool) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        first_name, last_name = NAMES[username]
        user = User.objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.com",
            first_name=first_name, last_name=last_name, team=team, **flags,
        )
    return with_roles(user, **roles) if roles else user


def alice(**roles: bool) -> User:
    return _person("alice", acme(), roles, **_CONNECTOR_USER)


def bob(**roles: bool) -> User:
    return _person("bob", acme(), roles, **_CONNECTOR_USER)


def sam(**roles: bool) -> User:
    return _person("sam", acme(), roles, system_admin=True, licensed=True)


def connie(**roles: bool) -> User:
    return _person("connie", acme(), roles, connector_admin=True, licensed=True)


def uma(**roles: bool) -> User:
    return _person("uma", acme(), roles)


def charlie(**roles: bool) -> User:
    return _person("charlie", globex(), roles, **_CONNECTOR_USER)


#: Every persona by name, in the order of the table above.
EVERYONE = {"alice": alice, "bob": bob, "sam": sam, "connie": connie, "uma": uma,
            "charlie": charlie}


def with_roles(user: User, **flags: bool) -> User:
    """``user`` with the given role flags set (or cleared) and saved."""
    for flag, value in flags.items():
        setattr(user, flag, value)
    user.save(update_fields=list(flags))
    return user
