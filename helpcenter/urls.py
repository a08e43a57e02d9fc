"""The public help pages: no sign-in needed."""

from django.urls import path

from helpcenter import views

app_name = "help"

urlpatterns = [
    path("", views.help_guide, name="guide"),
]
