"""Forms of the review console and the portal."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from onboarding.models import PurchaseStatus

# The zones US districts are in, first; any IANA name is accepted by the service.
TIME_ZONES = [
    ("America/New_York", "Eastern (America/New_York)"),
    ("America/Chicago", "Central (America/Chicago)"),
    ("America/Denver", "Mountain (America/Denver)"),
    ("America/Phoenix", "Arizona (America/Phoenix)"),
    ("America/Los_Angeles", "Pacific (America/Los_Angeles)"),
    ("America/Anchorage", "Alaska (America/Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Pacific/Honolulu)"),
    ("UTC", "UTC"),
]


class OnboardingSessionForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="The day of the session.")
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}), help_text="Wall-clock time in the zone below."
    )
    time_zone = forms.ChoiceField(choices=TIME_ZONES, initial="America/Chicago")
    duration_minutes = forms.IntegerField(min_value=15, max_value=480, initial=60, label="Length (minutes)")
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000, help_text="Sent to the district."
    )

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        today = timezone.localdate()
        if date < today - dt.timedelta(days=1):
            raise forms.ValidationError("This date is in the past; choose the day the session will happen.")
        if date > today + dt.timedelta(days=730):
            raise forms.ValidationError("This date is more than two years away; check the year.")
        return date


class PurchaseConfirmForm(forms.Form):
    purchase_status = forms.ChoiceField(
        choices=[
            (PurchaseStatus.ALREADY_PURCHASED, "Yes, our district has purchased ClassHub"),
            (PurchaseStatus.HAVENT_PURCHASED, "Not yet"),
        ],
        widget=forms.RadioSelect,
        label="Has your district purchased ClassHub?",
    )
