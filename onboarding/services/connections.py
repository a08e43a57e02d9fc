"""Connection discovery: new district tokens open requests, vanished ones disconnect, sharing changes reopen review."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from classhub.clever.client import CleverClient, DistrictAPI, DistrictToken
from classhub.clever.errors import CleverError
from classhub.clever.parsing import mapping, text
from onboarding.audit import audit_record
from onboarding.models import (
    District,
    DistrictStatus,
    PurchaseStatus,
    RequestStatus,
    RolloutPlanSchool,
    SchoolDecision,
    SharedSchool,
    SharingRequest,
    SharingType,
)
from onboarding.notifications import notify_request_received, notify_sales
from onboarding.services.review import sharing_request_dry_run_queue
from onboarding.workflow import district_transition

logger = logging.getLogger(__name__)

# While an import runs, sharing changes wait for the next poll rather than interleave with it.
CHANGE_DETECTION_PAUSED = {DistrictStatus.IMPORTING, DistrictStatus.DISCONNECTED}


@dataclass
class SharedSnapshot:
    """What one district token showed: the district object and the schools it shares."""

    token: DistrictToken
    district: dict[str, Any]
    schools: list[dict[str, Any]]


@dataclass
class ConnectionSyncResult:
    new: list[str] = field(default_factory=list)
    reconnected: list[str] = field(default_factory=list)
    disconnected: list[str] = field(default_factory=list)
    sharing_changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.reconnected)} reconnected, {len(self.disconnected)} disconnected, "
            f"{len(self.sharing_changed)} sharing changed, {len(self.unchanged)} unchanged, {len(self.failed)} failed"
        )


def connections_sync(*, client: CleverClient | None = None) -> ConnectionSyncResult:
    """Compare Clever's district-token list with our districts and act on every difference."""
    client = client or CleverClient.from_settings()
    result = ConnectionSyncResult()
    tokens = client.list_district_tokens()
    listed_ids = {token.district_id for token in tokens}
    known = {d.clever_id: d for d in District.objects.filter(clever_id__in=listed_ids)}

    for token in tokens:
        district = known.get(token.district_id)
        connected = bool(district and district.connected_at and district.status != DistrictStatus.DISCONNECTED)
        if connected and (district.status in CHANGE_DETECTION_PAUSED or _import_running(district)):
            result.unchanged.append(token.district_id)
            continue
        try:
            snapshot = _read_shared_snapshot(client, token)  # network, outside any transaction
        except CleverError as exc:
            logger.warning("Could not read district %s from Clever: %s", token.district_id, exc)
            result.failed[token.district_id] = str(exc)
            continue
        if connected:
            schools = snapshot.schools
            if _schools_gone(district, schools):
                # Confirm with a second read before archiving anything: one short or glitched answer
                # (an empty page, say) must not archive a district's roster. A school in either read stays.
                try:
                    again = _read_shared_snapshot(client, token)
                except CleverError as exc:
                    result.failed[token.district_id] = f"could not confirm the schools it stopped sharing: {exc}"
                    continue
                seen = {text(school.get("id"), 64) for school in schools}
                schools = schools + [school for school in again.schools if text(school.get("id"), 64) not in seen]
            changed = district_sharing_changed(district=district, schools=schools)
            (result.sharing_changed if changed else result.unchanged).append(token.district_id)
            continue
        was_disconnected = bool(district and district.status == DistrictStatus.DISCONNECTED)
        district_connect(snapshot=snapshot)
        (result.reconnected if was_disconnected else result.new).append(token.district_id)

    vanished = (
        District.objects.filter(connected_at__isnull=False)
        .exclude(clever_id__in=listed_ids)
        .exclude(status=DistrictStatus.DISCONNECTED)
    )
    for district in vanished:
        if _still_connected(client, district.clever_id, result):
            continue
        district_disconnect(district=district)
        result.disconnected.append(district.clever_id)
    logger.info("Clever connections: %s", result.summary())
    return result


def _schools_gone(district: District, schools: list[dict[str, Any]]) -> bool:
    """True when a school the district shared is missing from what Clever just answered."""
    now = {text(school.get("id"), 64) for school in schools}
    shared = SharedSchool.objects.filter(district=district, unshared_at=None).values_list("clever_school_id", flat=True)
    return any(clever_id not in now for clever_id in shared)


def _import_running(district: District) -> bool:
    """An import holds the district now (a dead worker's run, whose lease expired, does not count)."""
    from rosters.models import ImportStatus
    from rosters.services import import_run_active

    active = import_run_active(district=district)
    return active is not None and active.status == ImportStatus.RUNNING


def _still_connected(client: CleverClient, clever_id: str, result: ConnectionSyncResult) -> bool:
    """Confirm a disappearance with Clever before acting: one short or glitched list must not
    disconnect every district."""
    try:
        confirmed_gone = not client.list_district_tokens(district_id=clever_id)
    except CleverError as exc:
        result.failed[clever_id] = f"could not confirm the connection was removed: {exc}"
        return True
    if not confirmed_gone:
        logger.warning("Clever's full token list omitted district %s, but it is still connected", clever_id)
        result.unchanged.append(clever_id)
    return not confirmed_gone


def _read_shared_snapshot(client: CleverClient, token: DistrictToken) -> SharedSnapshot:
    api = DistrictAPI(client, district_id=token.district_id, token=token.access_token)
    district = api.get(f"districts/{token.district_id}")
    schools = [s for s in api.iter_objects("schools", limit=1000) if isinstance(s, dict) and text(s.get("id"), 64)]
    return SharedSnapshot(token=token, district=district, schools=schools)


def _contact_fields(district_obj: dict[str, Any]) -> dict[str, str]:
    contact = mapping(district_obj.get("district_contact"))
    name = contact.get("name")
    if isinstance(name, dict):
        full_name = " ".join(text(part) for part in (name.get("first"), name.get("last")) if text(part))
    else:
        full_name = text(name)
    return {
        "contact_name": full_name[:255],
        "contact_email": text(contact.get("email"), 254),
        "contact_title": text(contact.get("title")),
    }


def _plan_matches(plan: Iterable[RolloutPlanSchool], school: dict[str, Any]) -> bool:
    """A plan school matches by Clever id, else NCES id, else the same name (case and spaces aside)."""
    school_name = " ".join(text(school.get("name")).lower().split())
    for planned in plan:
        if planned.clever_school_id and planned.clever_school_id == school.get("id"):
            return True
        if planned.nces_id and planned.nces_id == text(school.get("nces_id"), 64):
            return True
        unkeyed = not planned.clever_school_id and not planned.nces_id
        if unkeyed and school_name and " ".join(planned.name.lower().split()) == school_name:
            return True
    return False


def _add_decisions(request: SharingRequest, schools: list[dict[str, Any]]) -> None:
    plan = list(request.district.rollout_plan.all())
    SchoolDecision.objects.bulk_create(
        [
            SchoolDecision(
                request=request,
                clever_school_id=text(school["id"], 64),
                school_name=text(school.get("name")) or text(school["id"], 64),
                nces_id=text(school.get("nces_id"), 64),
                in_rollout_plan=_plan_matches(plan, school),
            )
            for school in schools
        ],
        ignore_conflicts=True,
    )


def _record_shared_schools(district: District, schools: list[dict[str, Any]]) -> None:
    """Make SharedSchool say exactly what the district shares now (rows are never deleted)."""
    now = timezone.now()
    shared_ids = [text(s["id"], 64) for s in schools]
    for school in schools:
        SharedSchool.objects.update_or_create(
            district=district,
            clever_school_id=text(school["id"], 64),
            defaults={
                "name": text(school.get("name")) or text(school["id"], 64),
                "nces_id": text(school.get("nces_id"), 64),
                "unshared_at": None,
            },
        )
    SharedSchool.objects.filter(district=district, unshared_at=None).exclude(clever_school_id__in=shared_ids).update(
        unshared_at=now
    )


@transaction.atomic
def district_connect(*, snapshot: SharedSnapshot) -> SharingRequest:
    """Record a new (or renewed) connection and open its sharing request."""
    obj = snapshot.district
    clever_id = snapshot.token.district_id
    district, created = District.objects.select_for_update().get_or_create(
        clever_id=clever_id, defaults={"name": text(obj.get("name")) or f"District {clever_id}"}
    )
    district.name = text(obj.get("name")) or district.name
    for attr, value in _contact_fields(obj).items():
        setattr(district, attr, value)
    district.nces_id = text(obj.get("nces_id"), 64)
    district.sis_type = text(obj.get("sis_type"), 64)
    district.connected_at = timezone.now()
    district.disconnected_at = None
    district.save()
    _record_shared_schools(district, snapshot.schools)

    # A new connection replaces any request still waiting: only what is shared now can be decided.
    district.sharing_requests.filter(status=RequestStatus.PENDING).update(status=RequestStatus.SUPERSEDED)
    request = SharingRequest.objects.create(
        district=district, purchase_status=district.purchase_status, sharing_type=district.sharing_type
    )
    _add_decisions(request, snapshot.schools)
    sharing_request_dry_run_queue(request=request)
    audit_record(
        district=district,
        actor=None,
        action="onboarding.connection.discovered",
        subject=request,
        after={"shared_schools": len(snapshot.schools), "district_known_before": not created},
    )
    _route_new_request(district=district, request=request)
    return request


def _route_new_request(*, district: District, request: SharingRequest) -> None:
    """Already purchased goes to review, haven't purchased to sales; unknown waits for the rep."""
    if district.status == DistrictStatus.DISCONNECTED:
        district_transition(
            district=district, to=DistrictStatus.REQUESTED, actor=None, action="onboarding.connection.renewed"
        )
    if district.status not in (DistrictStatus.REQUESTED, DistrictStatus.SALES_FOLLOW_UP):
        # A district already past the first steps (e.g. reconnected after going live): review again.
        if district.status != DistrictStatus.IN_REVIEW:
            district_transition(
                district=district, to=DistrictStatus.IN_REVIEW, actor=None, action="onboarding.request.opened"
            )
        notify_request_received(district=district, request=request)
        return
    if request.purchase_status == PurchaseStatus.ALREADY_PURCHASED:
        district_transition(
            district=district, to=DistrictStatus.IN_REVIEW, actor=None, action="onboarding.request.opened"
        )
        notify_request_received(district=district, request=request)
    elif request.purchase_status == PurchaseStatus.HAVENT_PURCHASED:
        if district.status != DistrictStatus.SALES_FOLLOW_UP:
            district_transition(
                district=district,
                to=DistrictStatus.SALES_FOLLOW_UP,
                actor=None,
                action="onboarding.request.sent_to_sales",
            )
        notify_sales(district=district, request=request)


@transaction.atomic
def district_sharing_changed(*, district: District, schools: list[dict[str, Any]]) -> bool:
    """Act on a change of what a connected district shares: archive what it stopped sharing, and
    open a review of just the schools it added. Returns whether anything changed."""
    district = District.objects.select_for_update().get(pk=district.pk)
    active = dict(
        SharedSchool.objects.filter(district=district, unshared_at=None).values_list("clever_school_id", "name")
    )
    now_shared = {text(s["id"], 64): s for s in schools}
    added = [school for clever_id, school in now_shared.items() if clever_id not in active]
    removed = sorted(set(active) - set(now_shared))
    if not added and not removed:
        return False
    _record_shared_schools(district, schools)

    if removed:
        from rosters.archiving import schools_archive

        archived = schools_archive(district=district, clever_school_ids=removed)
        from devices.services import readiness_refresh

        transaction.on_commit(lambda: readiness_refresh(district=district))  # the archived students leave it
        names = ", ".join(sorted(active[c] for c in removed))
        audit_record(
            district=district,
            actor=None,
            action="onboarding.sharing.schools_unshared",
            subject=district,
            before={"schools": [active[c] for c in removed]},
            after={"archived_schools": archived},
            reason=f"No longer shared in Clever: {names}. Their records are archived, not deleted.",
        )
    if district.status == DistrictStatus.DENIED and schools:
        _review_again_after_denial(district, schools)
    elif added:
        _review_added_schools(district, added)
    return True


def _review_again_after_denial(district: District, schools: list[dict[str, Any]]) -> None:
    """A denied district that changed its sharing (as the denial asked) gets a fresh review of all it shares."""
    district.sharing_type = SharingType.UNKNOWN  # what it shares now is no longer "the whole district" as recorded
    district.save(update_fields=["sharing_type", "updated_at"])
    request = SharingRequest.objects.create(
        district=district, purchase_status=district.purchase_status, sharing_type=district.sharing_type, is_change=True
    )
    _add_decisions(request, schools)
    sharing_request_dry_run_queue(request=request)
    district_transition(
        district=district,
        to=DistrictStatus.IN_REVIEW,
        actor=None,
        action="onboarding.request.opened",
        reason="The district changed what it shares after the denial.",
    )
    notify_request_received(district=district, request=request)


def _review_added_schools(district: District, added: list[dict[str, Any]]) -> None:
    pending = district.sharing_requests.filter(status=RequestStatus.PENDING).first()
    if pending is not None:
        _add_decisions(pending, added)  # still undecided: the rep decides the new schools with the rest
        request = pending
    else:
        request = SharingRequest.objects.create(
            district=district,
            purchase_status=district.purchase_status,
            sharing_type=district.sharing_type,
            is_change=True,
        )
        _add_decisions(request, added)
    sharing_request_dry_run_queue(request=request)  # the new schools need counting too
    audit_record(
        district=district,
        actor=None,
        action="onboarding.sharing.schools_added",
        subject=request,
        after={"schools": [text(s.get("name")) for s in added]},
    )
    if pending is None:
        # The district keeps its status (a live district stays live): only the added schools wait for review.
        notify_request_received(district=district, request=request)


@transaction.atomic
def district_disconnect(*, district: District) -> District:
    """Mark a district whose connection vanished from Clever; all its data is kept."""
    district = District.objects.select_for_update().get(pk=district.pk)
    district.disconnected_at = timezone.now()
    district.save(update_fields=["disconnected_at", "updated_at"])
    return district_transition(
        district=district,
        to=DistrictStatus.DISCONNECTED,
        actor=None,
        action="onboarding.connection.removed",
        reason="The district's connection no longer appears in Clever; its data is kept.",
    )
