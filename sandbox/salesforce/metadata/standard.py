"""The standard objects of the sandbox org, as describe-shaped definitions.

Each definition is ``(name, label, plural, key_prefix, fields, options)``; the schema adds
the object-level attributes and child relationships. Values follow a Developer Edition
org with Service Cloud enabled.
"""

from __future__ import annotations

from sandbox.salesforce.metadata.fields import (
    field,
    formula,
    picklist,
    read_only,
    reference,
    system_fields,
)

INDUSTRIES = ["Agriculture", "Banking", "Biotechnology", "Chemicals", "Communications",
              "Construction", "Consulting", "Education", "Electronics", "Energy",
              "Engineering", "Entertainment", "Finance", "Government", "Healthcare",
              "Insurance", "Manufacturing", "Media", "Retail", "Technology", "Other"]
ACCOUNT_TYPES = ["Prospect", "Customer - Direct", "Customer - Channel",
                 "Channel Partner / Reseller", "Installation Partner", "Technology Partner",
                 "Other"]
LEAD_SOURCES = ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]
#: Opportunity stages: (name, default probability, forecast category, closed, won).
OPPORTUNITY_STAGES = [
    ("Prospecting", 10, "Pipeline", False, False),
    ("Qualification", 10, "Pipeline", False, False),
    ("Needs Analysis", 20, "Pipeline", False, False),
    ("Value Proposition", 50, "Pipeline", False, False),
    ("Id. Decision Makers", 60, "Pipeline", False, False),
    ("Perception Analysis", 70, "Pipeline", False, False),
    ("Proposal/Price Quote", 75, "Pipeline", False, False),
    ("Negotiation/Review", 90, "Pipeline", False, False),
    ("Closed Won", 100, "Closed", True, True),
    ("Closed Lost", 0, "Omitted", True, False),
]
CASE_STATUSES = ["New", "Working", "Escalated", "On Hold", "Closed"]
CLOSED_CASE_STATUSES = frozenset({"Closed"})
CASE_PRIORITIES = ["High", "Medium", "Low"]
CASE_ORIGINS = ["Phone", "Email", "Web", "Chat"]
CASE_REASONS = ["Installation", "Equipment Complexity", "Performance", "Breakdown",
                "Equipment Design", "Feedback", "Other"]
CASE_TYPES = ["Mechanical", "Electrical", "Electronic", "Structural", "Other"]
LEAD_STATUSES = ["Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                 "Closed - Not Converted"]
TASK_STATUSES = ["Not Started", "In Progress", "Completed", "Waiting on someone else",
                 "Deferred"]
SALUTATIONS = ["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."]


def _address(prefix: str) -> list[dict]:
    compound = f"{prefix}Address"
    return [
        field(f"{prefix}Street", "textarea", length=255, compoundFieldName=compound,
              filterable=True, sortable=True, groupable=True),
        field(f"{prefix}City", "string", length=40, compoundFieldName=compound),
        field(f"{prefix}State", "string", length=80, compoundFieldName=compound),
        field(f"{prefix}PostalCode", "string", length=20, compoundFieldName=compound),
        field(f"{prefix}Country", "string", length=80, compoundFieldName=compound),
        read_only(compound, "address"),
    ]


def _person_name(*, last_required: bool = True) -> list[dict]:
    return [
        picklist("Salutation", SALUTATIONS, compoundFieldName="Name"),
        field("FirstName", "string", length=40, compoundFieldName="Name"),
        field("LastName", "string", length=80, nillable=not last_required,
              compoundFieldName="Name"),
        read_only("Name", "string", "Full Name", length=121, nameField=True),
    ]


def _profile() -> list[dict]:
    return [*system_fields(), field("Name", "string", "Name", nameField=True, nillable=False),
            field("UserType", "string", length=40)]


def _group() -> list[dict]:
    return [*system_fields(owner=["User"]),
            field("Name", "string", nameField=True, length=40, nillable=False),
            picklist("Type", ["Queue", "Regular", "Role"], restricted=True)]


def _business_hours() -> list[dict]:
    return [*system_fields(), field("Name", "string", nameField=True, length=80, nillable=False),
            field("IsActive", "boolean"), field("IsDefault", "boolean"),
            field("TimeZoneSidKey", "picklist", length=40)]


def _user() -> list[dict]:
    return [
        *system_fields(),
        *_person_name(),
        field("Username", "email", length=80, nillable=False, unique=True, idLookup=True),
        field("Email", "email", length=128, nillable=False),
        field("Alias", "string", length=8, nillable=False),
        field("CommunityNickname", "string", length=40, unique=True, idLookup=True),
        field("IsActive", "boolean", "Active", defaultValue=True),
        reference("ProfileId", ["Profile"], "Profile", "Profile ID", nillable=False),
        field("Title", "string", length=80),
        field("Department", "string", length=80),
        field("Phone", "phone"),
        picklist("TimeZoneSidKey", ["America/Los_Angeles", "America/New_York",
                                    "Europe/London", "Europe/Paris", "GMT"],
                 restricted=True, nillable=False, label="Time Zone"),
        picklist("LocaleSidKey", ["en_US", "en_GB", "fr_FR"], restricted=True, nillable=False,
                 label="Locale"),
        picklist("LanguageLocaleKey", ["en_US", "fr"], restricted=True, nillable=False,
                 label="Language"),
        picklist("EmailEncodingKey", ["UTF-8", "ISO-8859-1"], restricted=True, nillable=False,
                 label="Email Encoding"),
        reference("ManagerId", ["User"], "Manager", "Manager ID"),
        read_only("LastLoginDate", "datetime"),
        picklist("UserType", ["Standard", "PowerPartner", "CsnOnly", "Guest"], "Standard",
                 restricted=True, createable=False, updateable=False),
    ]


def _account() -> list[dict]:
    return [
        *system_fields(owner=["User"]),
        field("Name", "string", "Account Name", nillable=False, nameField=True),
        picklist("Type", ACCOUNT_TYPES, label="Account Type"),
        reference("ParentId", ["Account"], "Parent", "Parent Account ID"),
        *_address("Billing"),
        *_address("Shipping"),
        field("Phone", "phone", "Account Phone"),
        field("Fax", "phone", "Account Fax"),
        field("AccountNumber", "string", length=40),
        field("Website", "url"),
        picklist("Industry", INDUSTRIES),
        field("AnnualRevenue", "currency", precision=18, scale=0),
        field("NumberOfEmployees", "int", "Employees", digits=8),
        picklist("Rating", ["Hot", "Warm", "Cold"], label="Account Rating"),
        field("Description", "textarea", "Account Description"),
        picklist("AccountSource", LEAD_SOURCES),
        read_only("LastActivityDate", "date"),
    ]


def _contact() -> list[dict]:
    return [
        *system_fields(owner=["User"]),
        reference("AccountId", ["Account"], "Account", "Account ID"),
        *_person_name(),
        *_address("Mailing"),
        field("Phone", "phone", "Business Phone"),
        field("MobilePhone", "phone", "Mobile Phone"),
        field("Email", "email", idLookup=True),
        field("Title", "string", length=128),
        field("Department", "string", length=80),
        picklist("LeadSource", LEAD_SOURCES),
        field("Birthdate", "date"),
        field("Description", "textarea", "Contact Description"),
        reference("ReportsToId", ["Contact"], "ReportsTo", "Reports To ID"),
        field("HasOptedOutOfEmail", "boolean", "Email Opt Out"),
        read_only("LastActivityDate", "date"),
    ]


def _lead() -> list[dict]:
    return [
        *system_fields(owner=["Group", "User"]),
        *_person_name(),
        field("Title", "string", length=128),
        field("Company", "string", nillable=False),
        *_address(""),
        field("Phone", "phone"),
        field("Email", "email", idLookup=True),
        field("Website", "url"),
        picklist("LeadSource", LEAD_SOURCES),
        picklist("Status", LEAD_STATUSES, "Open - Not Contacted", restricted=True,
                 nillable=False),
        picklist("Industry", INDUSTRIES),
        picklist("Rating", ["Hot", "Warm", "Cold"]),
        field("AnnualRevenue", "currency", precision=18, scale=0),
        field("NumberOfEmployees", "int", "Employees", digits=8),
        read_only("IsConverted", "boolean", "Converted"),
        read_only("ConvertedDate", "date"),
        read_only("ConvertedAccountId", "reference", referenceTo=["Account"],
                  relationshipName="ConvertedAccount"),
        read_only("ConvertedContactId", "reference", referenceTo=["Contact"],
                  relationshipName="ConvertedContact"),
        field("Description", "textarea"),
    ]


def _opportunity() -> list[dict]:
    return [
        *system_fields(owner=["User"]),
        reference("AccountId", ["Account"], "Account", "Account ID"),
        field("Name", "string", nillable=False, length=120, nameField=True),
        field("Description", "textarea"),
        picklist("StageName", [s[0] for s in OPPORTUNITY_STAGES], restricted=True,
                 nillable=False, label="Stage"),
        field("Amount", "currency", precision=18, scale=2),
        field("Probability", "percent", "Probability (%)", precision=3, scale=0,
              defaultedOnCreate=True),
        formula("ExpectedRevenue", "currency", "Amount * Probability / 100",
                "Expected Amount", precision=18, scale=2),
        field("CloseDate", "date", nillable=False),
        picklist("Type", ["Existing Customer - Upgrade", "Existing Customer - Replacement",
                          "Existing Customer - Downgrade", "New Customer"],
                 label="Opportunity Type"),
        field("NextStep", "string", length=255),
        picklist("LeadSource", LEAD_SOURCES),
        read_only("IsClosed", "boolean", "Closed"),
        read_only("IsWon", "boolean", "Won"),
        picklist("ForecastCategoryName", ["Omitted", "Pipeline", "Best Case", "Commit",
                                          "Closed"], label="Forecast Category",
                 restricted=True, createable=True, defaultedOnCreate=True),
        reference("CampaignId", ["Campaign"], "Campaign", "Campaign ID"),
        reference("ContactId", ["Contact"], "Contact", "Contact ID"),
        read_only("LastActivityDate", "date"),
        formula("FiscalQuarter", "int", "CEILING(MONTH(CloseDate) / 3)", "Fiscal Quarter",
                digits=11),
        formula("FiscalYear", "int", "YEAR(CloseDate)", "Fiscal Year", digits=4),
    ]


def _case() -> list[dict]:
    return [
        *system_fields(owner=["Group", "User"]),
        read_only("CaseNumber", "string", "Case Number", length=30, autoNumber=True,
                  nameField=True, idLookup=True, defaultedOnCreate=True, nillable=False,
                  displayFormat="{00000000}"),
        reference("ContactId", ["Contact"], "Contact", "Contact ID"),
        reference("AccountId", ["Account"], "Account", "Account ID"),
        reference("ParentId", ["Case"], "Parent", "Parent Case ID"),
        reference("EntitlementId", ["Entitlement"], "Entitlement", "Entitlement ID"),
        reference("BusinessHoursId", ["BusinessHours"], "BusinessHours", "Business Hours ID"),
        field("SuppliedName", "string", "Web Name", length=80),
        field("SuppliedEmail", "email", "Web Email"),
        field("SuppliedPhone", "string", "Web Phone", length=40),
        field("SuppliedCompany", "string", "Web Company", length=80),
        picklist("Type", CASE_TYPES, label="Case Type"),
        picklist("Status", CASE_STATUSES, "New", restricted=True),
        picklist("Reason", CASE_REASONS, label="Case Reason"),
        picklist("Origin", CASE_ORIGINS, label="Case Origin", restricted=True,
                 inactive=("Chat",)),
        field("Subject", "string"),
        picklist("Priority", CASE_PRIORITIES, "Medium", restricted=True),
        field("Description", "textarea"),
        formula("IsClosed", "boolean", "ISPICKVAL(Status, 'Closed')", "Closed",
                defaultedOnCreate=True),
        read_only("ClosedDate", "datetime", "Closed Date"),
        field("IsEscalated", "boolean", "Escalated"),
        field("SlaStartDate", "datetime", "Entitlement Process Start Time"),
        read_only("SlaExitDate", "datetime", "Entitlement Process End Time"),
        field("IsStopped", "boolean", "Stopped"),
        read_only("StopStartDate", "datetime", "Stopped Since"),
        read_only("MilestoneStatus", "string", "Milestone Status", length=30),
        field("ContactEmail", "email", "Contact Email", createable=False, updateable=False),
        field("ContactPhone", "phone", "Contact Phone", createable=False, updateable=False),
    ]


def _task_like(*, event: bool) -> list[dict]:
    fields = [
        *system_fields(owner=["Group", "User"]),
        reference("WhoId", ["Contact", "Lead"], "Who", "Name ID"),
        reference("WhatId", ["Account", "Campaign", "Case", "Opportunity"], "What",
                  "Related To ID"),
        field("Subject", "combobox", nameField=True),
        field("Description", "textarea", length=32000),
        read_only("AccountId", "reference", "Account ID", referenceTo=["Account"],
                  relationshipName="Account"),
    ]
    if event:
        fields += [
            field("Location", "string"),
            field("IsAllDayEvent", "boolean", "All-Day Event"),
            field("ActivityDateTime", "datetime", "Due Date Time"),
            field("ActivityDate", "date", "Due Date Only"),
            field("StartDateTime", "datetime", "Start Date Time"),
            field("EndDateTime", "datetime", "End Date Time"),
            field("DurationInMinutes", "int", "Duration", digits=8),
            field("ShowAs", "picklist", "Show Time As", picklistValues=[]),
        ]
    else:
        fields += [
            field("ActivityDate", "date", "Due Date Only"),
            picklist("Status", TASK_STATUSES, "Not Started", restricted=True, nillable=False),
            picklist("Priority", ["High", "Normal", "Low"], "Normal", restricted=True,
                     nillable=False),
            read_only("IsClosed", "boolean", "Closed"),
            picklist("TaskSubtype", ["Task", "Email", "Call"], "Task", restricted=True),
            field("CallDurationInSeconds", "int", "Call Duration", digits=8),
        ]
    return fields


def _campaign() -> list[dict]:
    return [
        *system_fields(owner=["User"]),
        field("Name", "string", nillable=False, length=80, nameField=True),
        reference("ParentId", ["Campaign"], "Parent", "Parent Campaign ID"),
        picklist("Type", ["Conference", "Webinar", "Trade Show", "Email", "Advertisement",
                          "Other"]),
        picklist("Status", ["Planned", "In Progress", "Completed", "Aborted"], "Planned"),
        field("StartDate", "date"),
        field("EndDate", "date"),
        field("BudgetedCost", "currency", precision=18, scale=0),
        field("ActualCost", "currency", precision=18, scale=0),
        field("IsActive", "boolean", "Active"),
        field("Description", "textarea"),
        read_only("NumberOfLeads", "int", "Leads in Campaign", digits=9),
    ]


def _entitlement() -> list[dict]:
    return [
        *system_fields(),
        field("Name", "string", nillable=False, nameField=True),
        reference("AccountId", ["Account"], "Account", "Account ID", nillable=False),
        picklist("Type", ["Phone Support", "Web Support", "Email Support"]),
        field("StartDate", "date"),
        field("EndDate", "date"),
        reference("BusinessHoursId", ["BusinessHours"], "BusinessHours"),
        field("IsPerIncident", "boolean", "Per Incident"),
        field("CasesPerEntitlement", "int", digits=9),
        field("RemainingCases", "int", digits=9),
        formula("Status", "picklist", "IF(TODAY() < StartDate, 'Inactive', IF(TODAY() > EndDate, 'Expired', 'Active'))",
                picklistValues=[{"active": True, "defaultValue": False, "label": v,
                                 "validFor": None, "value": v}
                                for v in ("Active", "Expired", "Inactive")]),
    ]


def _milestone_type() -> list[dict]:
    return [*system_fields(), field("Name", "string", nameField=True, length=80,
                                    nillable=False),
            field("Description", "textarea"),
            picklist("RecurrenceType", ["none", "recursIndependently", "recursChained"],
                     "none", restricted=True)]


def _case_milestone() -> list[dict]:
    # Query and update only: Salesforce creates milestones from entitlement processes.
    return [
        *system_fields(),
        reference("CaseId", ["Case"], "Case", "Case ID", createable=False, updateable=False,
                  nillable=False),
        reference("MilestoneTypeId", ["MilestoneType"], "MilestoneType", createable=False,
                  updateable=False),
        read_only("StartDate", "datetime", "Start Date"),
        read_only("TargetDate", "datetime", "Target Date"),
        field("CompletionDate", "datetime", "Completion Date", createable=False),
        read_only("IsCompleted", "boolean", "Completed"),
        read_only("IsViolated", "boolean", "Violation"),
        read_only("TargetResponseInMins", "int", "Target Response (Mins)", digits=9),
        read_only("ElapsedTimeInMins", "int", "Elapsed Time (Mins)", digits=9),
        read_only("TimeRemainingInMins", "string", "Time Remaining (Mins)", length=20),
        reference("BusinessHoursId", ["BusinessHours"], "BusinessHours", createable=False),
    ]


def _case_comment() -> list[dict]:
    fields = [f for f in system_fields() if f["name"] not in ("LastModifiedById",)]
    fields.insert(3, reference("LastModifiedById", ["User"], "LastModifiedBy",
                               createable=False, updateable=False, nillable=False,
                               defaultedOnCreate=True))
    return [
        *fields,
        reference("ParentId", ["Case"], "Parent", "Parent ID", nillable=False,
                  updateable=False),
        field("IsPublished", "boolean", "Published"),
        field("CommentBody", "textarea", "Body", length=4000),
    ]


#: (name, label, plural, key prefix, fields, extra object attributes)
STANDARD_OBJECTS: list[tuple[str, str, str, str, list[dict], dict]] = [
    ("Profile", "Profile", "Profiles", "00e", _profile(), {"createable": False,
                                                           "deletable": False}),
    ("Group", "Group", "Groups", "00G", _group(), {}),
    ("BusinessHours", "Business Hours", "Business Hours", "01m", _business_hours(),
     {"deletable": False}),
    ("User", "User", "Users", "005", _user(), {"deletable": False}),
    ("Account", "Account", "Accounts", "001", _account(), {}),
    ("Contact", "Contact", "Contacts", "003", _contact(), {}),
    ("Lead", "Lead", "Leads", "00Q", _lead(), {}),
    ("Opportunity", "Opportunity", "Opportunities", "006", _opportunity(), {}),
    ("Campaign", "Campaign", "Campaigns", "701", _campaign(), {}),
    ("Case", "Case", "Cases", "500", _case(), {}),
    ("Task", "Task", "Tasks", "00T", _task_like(event=False), {}),
    ("Event", "Event", "Events", "00U", _task_like(event=True), {}),
    ("Entitlement", "Entitlement", "Entitlements", "550", _entitlement(), {}),
    ("MilestoneType", "Milestone", "Milestones", "557", _milestone_type(), {}),
    ("CaseMilestone", "Case Milestone", "Case Milestones", "02s", _case_milestone(),
     {"createable": False, "deletable": False}),
    ("CaseComment", "Case Comment", "Case Comments", "00a", _case_comment(), {}),
]
