from django.urls import path

from onboarding import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("purchase/", views.portal_purchase_confirm, name="purchase-confirm"),
]
