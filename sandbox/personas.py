"""The people of the sandbox: one team that exists in both emulators.

Both emulators create these users so that a sandbox user can sign in to either service
with the same email and password, and so that "lookup by user name" and cell-history
culprits line up across the two services.
"""

from __future__ import annotations

from dataclasses import dataclass

PASSWORD = "sandbox-password"


@dataclass(frozen=True)
class Persona:
    first_name: str
    last_name: str
    email: str
    #: Salesforce profile name; "System Administrator" can do everything.
    salesforce_profile: str
    #: Smartsheet System Admin of the team account.
    smartsheet_admin: bool = False

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def salesforce_username(self) -> str:
        return f"{self.email}.sandbox"


#: The first persona is the integration / admin user whose tokens go in the info file.
PERSONAS: tuple[Persona, ...] = (
    Persona("Ada", "Lovelace", "ada@example.com", "System Administrator", smartsheet_admin=True),
    Persona("Alice", "Martin", "alice@example.com", "Standard User"),
    Persona("Bob", "Chen", "bob@example.com", "Standard User"),
    Persona("Carol", "Diaz", "carol@example.com", "Standard User"),
    Persona("Dan", "Evans", "dan@example.com", "Standard User"),
    Persona("Erin", "Novak", "erin@example.com", "Standard User"),
)

#: Fixed OAuth client credentials of the sandbox's Connected App / Smartsheet app.
SALESFORCE_CLIENT_ID = "3MVG9sandbox.sheetforce.connected.app"
SALESFORCE_CLIENT_SECRET = "sandbox-salesforce-client-secret"
SMARTSHEET_CLIENT_ID = "sandboxsheetforceapp"
SMARTSHEET_CLIENT_SECRET = "sandbox-smartsheet-app-secret"
