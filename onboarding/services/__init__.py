"""Writes of the onboarding journey, one module per step; import them from here."""

from onboarding.services.connections import (
    ConnectionSyncResult,
    SharedSnapshot,
    connections_sync,
    district_connect,
    district_disconnect,
    district_sharing_changed,
)
from onboarding.services.errors import ReviewError
from onboarding.services.golive import district_go_live, welcome_emails_send
from onboarding.services.review import (
    NOT_IN_PLAN_REASON,
    WHOLE_DISTRICT_REASON,
    district_purchase_confirm,
    district_purchase_record,
    sharing_request_approve,
    sharing_request_deny,
)
from onboarding.services.scheduling import onboarding_schedule

__all__ = [
    "NOT_IN_PLAN_REASON",
    "WHOLE_DISTRICT_REASON",
    "ConnectionSyncResult",
    "ReviewError",
    "SharedSnapshot",
    "connections_sync",
    "district_connect",
    "district_disconnect",
    "district_go_live",
    "district_purchase_confirm",
    "district_purchase_record",
    "district_sharing_changed",
    "onboarding_schedule",
    "sharing_request_approve",
    "sharing_request_deny",
    "welcome_emails_send",
]
