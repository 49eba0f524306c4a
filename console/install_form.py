"""The install form: plain labels and help, write-only secrets, SLA targets and business
hours as real fields (stored as the install's ``sla_hours`` / ``business_hours``)."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.utils.translation import gettext_lazy as _

from connector.models import DEFAULT_SLA_HOURS, Install, default_business_hours
from connector.services import InstallInvalid, install_check_urls
from console.display import DAYS

SECRET_FIELDS = ("salesforce_client_secret", "smartsheet_client_secret")
#: Priority → the form field holding its SLA target.
SLA_FIELDS = {"High": "sla_high", "Medium": "sla_medium", "Low": "sla_low"}
SECRET_HELP = _("Write-only: never shown again. Leave it blank to keep the stored one.")


def _hours_field(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=8760,
                              help_text=_("Cases of this priority should close within this "
                                          "many hours."))


def _parse_time(value: str, fallback: time) -> time:
    try:
        hour, minute = str(value).split(":")
        return time(int(hour), int(minute))
    except (TypeError, ValueError):
        return fallback


class InstallForm(forms.ModelForm):
    salesforce_client_secret = forms.CharField(
        label=_("Consumer secret"), required=False, help_text=SECRET_HELP,
        widget=forms.PasswordInput(render_value=False))
    smartsheet_client_secret = forms.CharField(
        label=_("App secret"), required=False, help_text=SECRET_HELP,
        widget=forms.PasswordInput(render_value=False))
    sla_high = _hours_field(_("High priority (hours)"))
    sla_medium = _hours_field(_("Medium priority (hours)"))
    sla_low = _hours_field(_("Low priority (hours)"))
    business_days = forms.TypedMultipleChoiceField(
        label=_("Business days"), coerce=int, required=False,
        choices=[(i, day) for i, day in enumerate(DAYS)],
        widget=forms.CheckboxSelectMultiple)
    business_start = forms.TimeField(
        label=_("Opens at"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    business_end = forms.TimeField(
        label=_("Closes at"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        help_text=_("In the install's time zone."))

    class Meta:
        model = Install
        fields = (
            "name", "team", "kind", "salesforce_login_url", "salesforce_instance_url",
            "salesforce_client_id", "salesforce_client_secret", "smartsheet_api_base",
            "smartsheet_authorize_url", "smartsheet_client_id", "smartsheet_client_secret",
            "polling_interval_minutes", "restrict_users", "api_budget_percent", "time_zone",
            "tls_ca_bundle", "use_business_hours", "language",
        )
        labels = {
            "kind": _("Kind"),
            "salesforce_login_url": _("Salesforce sign-in URL"),
            "salesforce_instance_url": _("Salesforce instance URL"),
            "salesforce_client_id": _("Consumer key"),
            "smartsheet_api_base": _("Smartsheet API URL"),
            "smartsheet_authorize_url": _("Smartsheet sign-in URL"),
            "smartsheet_client_id": _("App client ID"),
            "polling_interval_minutes": _("Check for changes"),
            "restrict_users": _("Only people with the user role"),
            "api_budget_percent": _("Daily API budget (%)"),
            "time_zone": _("Time zone"),
            "tls_ca_bundle": _("TLS CA bundle"),
            "use_business_hours": _("Count business hours only"),
        }
        help_texts = {
            "name": _("How people see this install in menus and lists."),
            "kind": _("Service Cloud adds the Service Cloud objects and case tracking (SLA, "
                      "time to close, escalations)."),
            "salesforce_login_url": _("https://login.salesforce.com, https://test.salesforce"
                                      ".com for a sandbox org, or your My Domain URL."),
            "salesforce_instance_url": _("Optional: your org's own URL. Salesforce tells it "
                                         "at each sign-in."),
            "salesforce_client_id": _("From your Connected App (Salesforce Setup → App "
                                      "Manager)."),
            "smartsheet_api_base": _("https://api.smartsheet.com/2.0, or "
                                     "https://api.smartsheet.eu/2.0 for Smartsheet EU."),
            "smartsheet_authorize_url": _("Where people approve access to Smartsheet."),
            "smartsheet_client_id": _("From Smartsheet's Developer Tools."),
            "polling_interval_minutes": _("How often workflows look for changes. A workflow "
                                          "may look less often, never more."),
            "restrict_users": _("Only people with the Salesforce user role (Service Cloud: "
                                "the Service Cloud user role) create workflows here."),
            "api_budget_percent": _("The share of the org's daily Salesforce API requests "
                                    "sheetforce may use. Once used, syncing pauses until the "
                                    "next day."),
            "time_zone": _("For dates in filters and business hours, e.g. Europe/Paris."),
            "tls_ca_bundle": _("Only for servers whose certificate your system does not "
                               "trust: their CA certificates as PEM text. Most installs "
                               "leave this empty."),
            "use_business_hours": _("Age, time to close and SLA count only business hours "
                                    "(the days and hours below)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            self.initial[name] = ""
        sla = {**DEFAULT_SLA_HOURS, **(self.instance.sla_hours or {})}
        for priority, name in SLA_FIELDS.items():
            self.initial.setdefault(name, sla.get(priority))
        hours = {**default_business_hours(), **(self.instance.business_hours or {})}
        self.initial.setdefault("business_days", [int(d) for d in hours.get("days", [])])
        self.initial.setdefault("business_start", _parse_time(hours.get("start"), time(9)))
        self.initial.setdefault("business_end", _parse_time(hours.get("end"), time(17)))
        if "api_budget_percent" in self.fields:
            self.fields["api_budget_percent"].min_value = 1
            self.fields["api_budget_percent"].max_value = 100
            self.fields["api_budget_percent"].widget.attrs.update(min=1, max=100)

    def clean_api_budget_percent(self):
        value = self.cleaned_data["api_budget_percent"]
        if value is not None and not 1 <= value <= 100:
            raise forms.ValidationError(_("Give a share between 1 and 100 %."))
        return value

    def clean_time_zone(self):
        value = (self.cleaned_data.get("time_zone") or "").strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("Unknown time zone: use a name such as Europe/Paris or UTC.")) from None
        return value

    def clean(self):
        data = super().clean()
        for name in SECRET_FIELDS:
            if not data.get(name) and self.instance.pk:
                data[name] = getattr(Install.objects.get(pk=self.instance.pk), name)
        start, end = data.get("business_start"), data.get("business_end")
        if start and end and end <= start:
            self.add_error("business_end", _("Business hours must end after they start."))
        if data.get("use_business_hours") and not data.get("business_days"):
            self.add_error("business_days", _("Pick at least one business day."))
        if all(data.get(name) for name in SLA_FIELDS.values()):
            kept = {k: v for k, v in (self.instance.sla_hours or {}).items()
                    if k not in SLA_FIELDS}  # other priorities an org may have
            data["sla_hours"] = {**kept, **{p: data[n] for p, n in SLA_FIELDS.items()}}
        if start and end:
            data["business_hours"] = {"days": sorted(data.get("business_days") or []),
                                      "start": start.strftime("%H:%M"),
                                      "end": end.strftime("%H:%M")}
        try:
            install_check_urls(data)
        except InstallInvalid as exc:
            for field, messages in exc.errors.items():
                self.add_error(field, messages)
        return data
