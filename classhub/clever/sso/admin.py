"""Keep the review console about districts: hide allauth's pages that reps never use."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin

# Clever's app credentials come from settings, emails are not used for sign-in, tokens are not stored.
for model in (EmailAddress, SocialApp, SocialToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
