"""The one-time code request form: only a district's Clever contact email gets a code."""

from __future__ import annotations

from allauth.account.forms import RequestLoginCodeForm

from classhub.clever.sso.contacts import contact_user_for, district_for_contact_email


class DistrictContactLoginCodeForm(RequestLoginCodeForm):
    """allauth's form, with the user found from the districts' contact emails instead of accounts' emails.

    Any other email, a rep's included, gets no user: allauth then answers exactly as for a contact
    (no account enumeration) and, with ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS off, sends nothing.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Your email (the district contact email in Clever)"
        self.fields["email"].widget.attrs.pop("placeholder", None)  # the label says it; a placeholder hides it
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self) -> str:
        email = super().clean_email()  # allauth's validation and its per-email rate limit
        district = district_for_contact_email(email) if email else None
        self._user = contact_user_for(district) if district is not None else None
        return email
