"""District contacts who sign in with an emailed one-time code, before their Clever login works.

Only the email Clever gave as a district's contact may ask for a code. The code signs in one Django
user per district and contact email, named after both (``district-contact-<clever id>-<email digest>``):
no new model or field is needed, the user can only ever mean that district and that person, and it holds
no Clever identity, so it never reaches a teacher's pages. Its email never changes; the portal lets it in
only while that is still the district's contact email, so a contact Clever replaces loses access at their
next request, for good (the new contact is another user, so their code never revives the old session).
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models.functions import Lower, Trim

from onboarding.models import District, DistrictStatus

logger = logging.getLogger(__name__)

CONTACT_USERNAME_PREFIX = "district-contact-"


def normalized_email(value: object) -> str:
    """An email as contacts are compared: trimmed and case-insensitive."""
    return value.strip().lower() if isinstance(value, str) else ""


def district_for_contact_email(email: str) -> District | None:
    """The one connected district whose Clever contact email this is; None for none, or for several."""
    wanted = normalized_email(email)
    if not wanted:
        return None
    matches = list(
        District.objects.annotate(contact_key=Lower(Trim("contact_email")))
        .filter(contact_key=wanted)
        .exclude(status=DistrictStatus.DISCONNECTED)[:2]
    )
    if len(matches) > 1:
        # One code cannot say which district's portal to open; this person signs in with Clever instead.
        logger.warning("A sign-in code was asked for an email that is the contact of several districts.")
        return None
    return matches[0] if matches else None


def contact_username(district: District, email: str) -> str:
    digest = hashlib.sha256(normalized_email(email).encode()).hexdigest()[:12]
    return f"{CONTACT_USERNAME_PREFIX}{district.clever_id}-{digest}"[:150]


def contact_user_for(district: District) -> AbstractBaseUser:
    """The user of the contact Clever names now for the district, created at their first code."""
    user_model = get_user_model()
    email = normalized_email(district.contact_email)[:254]
    with transaction.atomic():
        user, created = user_model.objects.select_for_update().get_or_create(
            username=contact_username(district, email), defaults={"is_active": True, "email": email}
        )
        first, _, last = district.contact_name.strip().partition(" ")
        # A contact's full name sits in one field at Clever; shown as one name here.
        fields = {"first_name": first[:150], "last_name": last[:150]}
        changed = [name for name, value in fields.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, fields[name])
        if created:
            user.set_unusable_password()  # a code, never a password
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
    return user


def district_of_contact_user(user: AbstractBaseUser) -> District | None:
    """The district a code-signed-in contact may see: theirs, while their email is still its contact's."""
    username = user.get_username()
    if not user.is_authenticated or user.is_staff or not username.startswith(CONTACT_USERNAME_PREFIX):
        return None
    clever_id = username.removeprefix(CONTACT_USERNAME_PREFIX).partition("-")[0]
    district = District.objects.filter(clever_id=clever_id).first()
    if district is None or district.status == DistrictStatus.DISCONNECTED:
        return None
    email = normalized_email(user.email)
    return district if email and email == normalized_email(district.contact_email) else None


def is_contact_user(user: AbstractBaseUser) -> bool:
    """Whether this user signs in by code as a district contact (no query)."""
    return user.is_authenticated and not user.is_staff and user.get_username().startswith(CONTACT_USERNAME_PREFIX)
