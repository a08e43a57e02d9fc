"""The device setup form of the portal and the admin; the rules live in devices.services."""

from __future__ import annotations

from django import forms

from devices.models import Platform

DOMAINS_HELP = "One per line, or separated by commas. The domain only, e.g. students.example.org."


class DeviceSetupForm(forms.Form):
    platforms = forms.MultipleChoiceField(
        label="Devices the students use",
        choices=Platform.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the service says what is missing, in words that name the school
    )
    google_domains = forms.CharField(
        label="Google Workspace domains (for Chromebooks)",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40, "spellcheck": "false", "autocapitalize": "none"}),
        required=False,
        help_text=DOMAINS_HELP,
    )
    windows_domains = forms.CharField(
        label="Windows domains (for Windows, and Macs and iPads joined to a Windows domain)",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40, "spellcheck": "false", "autocapitalize": "none"}),
        required=False,
        help_text=DOMAINS_HELP,
    )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Show a DeviceSetupInvalid's messages next to the fields they are about."""
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
