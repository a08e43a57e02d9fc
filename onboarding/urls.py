from django.urls import include, path

from onboarding import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("purchase/", views.portal_purchase_confirm, name="purchase-confirm"),
    path("status.json", views.portal_import_status, name="import-status"),
    path("sync/", views.portal_sync_now, name="sync-now"),
    path("imports/<int:run_id>/issues.csv", views.portal_import_issues_csv, name="import-issues-csv"),
    path("devices/keys/", include("devices.key_urls")),  # device keys (no app_name: names are portal:device-key*)
    path("devices/", include("devices.urls")),
    path("help/", include("helpcenter.portal_urls")),  # the help guide with the district's progress
]
