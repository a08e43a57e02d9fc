"""Writes of device sign-in: a school's (or the district default's) device setup, and readiness."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Sum

from classhub.errors import ClassHubError
from devices.models import (
    PLATFORM_DOMAIN_KIND,
    DeviceSetup,
    DomainKind,
    Platform,
    Readiness,
    SchoolReadinessTotal,
    SetupDomain,
)
from devices.selectors import readiness_counts
from onboarding.audit import audit_record
from onboarding.models import District
from rosters.models import School

# One DNS label: letters, digits and inner hyphens, at most 63 characters.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_RE = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.[a-z][a-z0-9-]*[a-z0-9]$")

KIND_FIELD = {DomainKind.GOOGLE: "google_domains", DomainKind.WINDOWS: "windows_domains"}
KIND_WORDS = {DomainKind.GOOGLE: "Google domains", DomainKind.WINDOWS: "Windows domains"}
# A school's devices sign in with a handful of domains; thousands are a paste gone wrong (and slow to check).
MAX_DOMAINS_PER_KIND = 50


class DeviceSetupInvalid(ClassHubError):
    """The device setup entered cannot be saved; ``errors`` maps each form field to what to change."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(" ".join(message for messages in errors.values() for message in messages))


@dataclass
class CleanSetup:
    platforms: list[str]
    domains: dict[str, list[str]] = field(default_factory=dict)  # DomainKind -> domains, in the order entered


def split_domains(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Domains typed one per line or separated by commas (or spaces), blanks dropped."""
    if value is None:
        return []
    text = value if isinstance(value, str) else "\n".join(value)
    return [part for part in re.split(r"[\s,;]+", text) if part]


def _clean_domains(raw: list[str], kind: str, errors: list[str]) -> list[str]:
    if len(raw) > MAX_DOMAINS_PER_KIND:
        errors.append(
            f"{len(raw)} {KIND_WORDS[kind]} entered: a school's devices sign in with a few domains, at most "
            f"{MAX_DOMAINS_PER_KIND}. Enter only the domains of the students' accounts."
        )
        return []
    cleaned: list[str] = []
    seen: set[str] = set()
    for entry in raw:
        domain = entry.strip().lower().rstrip(".")
        if "@" in domain:
            errors.append(f"“{entry}” is an email address: enter the domain only, e.g. example.org, not an email.")
        elif len(domain) > 253 or not DOMAIN_RE.match(domain):
            errors.append(
                f"“{entry}” is not a domain name: use letters, digits, hyphens and dots, e.g. students.example.org."
            )
        elif domain in seen:
            errors.append(f"{domain} is listed twice under {KIND_WORDS[kind]}: keep it once.")
        else:
            seen.add(domain)
            cleaned.append(domain)
    return cleaned


def device_setup_clean(
    *, platforms: list[str], google_domains: str | list[str], windows_domains: str | list[str], where: str
) -> CleanSetup:
    """Check a setup as entered and return it normalised (lower case, no duplicates), or raise DeviceSetupInvalid.

    ``where`` names what is being set up ("Lincoln High", "the district default") in the messages.
    """
    errors: dict[str, list[str]] = {}
    chosen = [p for p in Platform.values if p in set(platforms or [])]
    unknown = sorted(set(platforms or []) - set(Platform.values))
    if unknown:
        errors.setdefault("platforms", []).append(f"Unknown device type {', '.join(unknown)}.")
    if not chosen:
        errors.setdefault("platforms", []).append(
            f"Choose at least one kind of device the students of {where} use (Chromebook, Windows, Mac or iPad)."
        )
    domains: dict[str, list[str]] = {}
    for kind, raw in ((DomainKind.GOOGLE, google_domains), (DomainKind.WINDOWS, windows_domains)):
        kind_errors: list[str] = []
        domains[kind] = _clean_domains(split_domains(raw), kind, kind_errors)
        if kind_errors:
            errors[KIND_FIELD[kind]] = kind_errors
    kinds_used = {PLATFORM_DOMAIN_KIND[Platform(p)] for p in chosen}
    if Platform.CHROMEBOOK in chosen and not domains[DomainKind.GOOGLE] and KIND_FIELD[DomainKind.GOOGLE] not in errors:
        errors[KIND_FIELD[DomainKind.GOOGLE]] = [
            "Chromebooks sign in with Google accounts: enter the Google Workspace domain of the students' "
            "accounts, e.g. students.example.org."
        ]
    if kinds_used & {DomainKind.WINDOWS} and not domains[DomainKind.WINDOWS] and "windows_domains" not in errors:
        on_windows = ", ".join(Platform(p).label for p in chosen if PLATFORM_DOMAIN_KIND[Platform(p)] == "windows")
        errors["windows_domains"] = [
            f"{on_windows} devices sign in with the Windows domain they are joined to: enter that domain, "
            "e.g. example.org."
        ]
    for kind in (DomainKind.GOOGLE, DomainKind.WINDOWS):
        if domains[kind] and kind not in kinds_used and chosen:
            needs = "Chromebook" if kind == DomainKind.GOOGLE else "Windows, Mac or iPad"
            errors.setdefault(KIND_FIELD[kind], []).append(
                f"{KIND_WORDS[kind]} are entered but no device uses them: tick {needs}, or clear these domains."
            )
    if errors:
        raise DeviceSetupInvalid(errors)
    return CleanSetup(platforms=chosen, domains=domains)


def _snapshot(setup: DeviceSetup | None) -> dict:
    if setup is None:
        return {}
    by_kind: dict[str, list[str]] = {DomainKind.GOOGLE: [], DomainKind.WINDOWS: []}
    for d in setup.domains.order_by("id"):
        by_kind[d.kind].append(d.domain)
    return {
        "platforms": list(setup.platforms),
        "google_domains": by_kind[DomainKind.GOOGLE],
        "windows_domains": by_kind[DomainKind.WINDOWS],
    }


def device_setup_save(
    *,
    district: District,
    school: School | None,
    platforms: list[str],
    google_domains: str | list[str],
    windows_domains: str | list[str],
    actor: AbstractBaseUser | None,
) -> DeviceSetup:
    """Record the devices and sign-in domains of a school (or, with no school, the district default)."""
    if school is not None and (school.district_id != district.pk or school.archived_at is not None):
        raise DeviceSetupInvalid({"school": [f"{school.name} is not an active school of {district.name}."]})
    where = school.name if school is not None else "your schools (the district default)"
    clean = device_setup_clean(
        platforms=platforms, google_domains=google_domains, windows_domains=windows_domains, where=where
    )
    with transaction.atomic():
        # The district row, not the setup's: a first save has no setup row to lock, and two of them at once
        # (a double click) would both insert one.
        District.objects.select_for_update().filter(pk=district.pk).values_list("pk", flat=True).first()
        setup = DeviceSetup.objects.filter(district=district, school=school).first()
        before = _snapshot(setup)
        if _same_setup(before, clean):
            return setup
        if setup is None:
            setup = DeviceSetup(district=district, school=school)
        setup.platforms = clean.platforms
        setup.updated_by = actor if actor is not None and actor.is_authenticated else None
        setup.save()
        setup.domains.all().delete()
        SetupDomain.objects.bulk_create(
            SetupDomain(setup=setup, kind=kind, domain=domain) for kind, ds in clean.domains.items() for domain in ds
        )
        audit_record(
            district=district,
            actor=actor,
            action="devices.setup.saved",
            subject=setup,
            before={"scope": where, **before} if before else {},
            after={"scope": where, **_snapshot(setup)},
        )
        readiness_refresh_after_setup_change(district=district)
    return setup


def _same_setup(before: dict, clean: CleanSetup) -> bool:
    """The same devices and domains, whatever the order they were typed in."""
    return bool(before) and (
        set(before["platforms"]) == set(clean.platforms)
        and set(before["google_domains"]) == set(clean.domains[DomainKind.GOOGLE])
        and set(before["windows_domains"]) == set(clean.domains[DomainKind.WINDOWS])
    )


def readiness_refreshed_inline(*, district: District) -> bool:
    """Whether a setup change recomputes the district's readiness during the save (else in the background)."""
    students = SchoolReadinessTotal.objects.filter(district=district).aggregate(n=Sum("students"))["n"] or 0
    return students <= settings.DEVICE_READINESS_INLINE_MAX_STUDENTS


def readiness_refresh_after_setup_change(*, district: District) -> bool:
    """Recompute readiness after a setup change: at once (True), or, for a large district, in a background task
    once the change is committed (False), so a save never holds a web request and the write lock for long
    (a mistyped domain makes every student of a million not ready: a million rows to write)."""
    if readiness_refreshed_inline(district=district):
        readiness_refresh(district=district)
        return True
    from django_q.tasks import async_task

    district_id = district.pk
    transaction.on_commit(lambda: async_task("devices.tasks.readiness_refresh_task", district_id))
    return False


def device_setup_delete(*, district: District, school: School, actor: AbstractBaseUser | None) -> bool:
    """Let a school use the district default again; False when it had no setup of its own."""
    with transaction.atomic():
        setup = DeviceSetup.objects.select_for_update().filter(district=district, school=school).first()
        if setup is None:
            return False
        before = _snapshot(setup)
        audit_record(
            district=district,
            actor=actor,
            action="devices.setup.removed",
            subject=setup,
            before={"scope": school.name, **before},
            after={"scope": school.name, "uses": "the district default"},
        )
        setup.delete()
        readiness_refresh_after_setup_change(district=district)
    return True


# The district's active students, each with how many active students of the district share their email
# (same_email) and the lowest and highest id among them. PostgreSQL: a window, one pass that no plan can turn
# into a loop over the students per student (its statistics are stale right after a first import). SQLite:
# a grouped self-join on the (district, email_key) index, about twice as fast there as the window.
_STUDENTS_SQL = {
    False: """students AS (
                SELECT s.id, s.email_key, s.first_name, s.last_name,
                    COUNT(*) OVER same AS same_email, MIN(s.id) OVER same AS low_id, MAX(s.id) OVER same AS high_id
                FROM rosters_student s
                WHERE s.district_id = %s AND s.archived_at IS NULL
                WINDOW same AS (PARTITION BY s.email_key)
            )""",
    True: """dup AS (
                SELECT email_key, COUNT(*) AS same_email, MIN(id) AS low_id, MAX(id) AS high_id
                FROM rosters_student
                WHERE district_id = %s AND archived_at IS NULL AND email_key <> ''
                GROUP BY email_key HAVING COUNT(*) > 1
            ),
            students AS (
                SELECT s.id, s.email_key, s.first_name, s.last_name,
                    COALESCE(d.same_email, 1) AS same_email, d.low_id, d.high_id
                FROM rosters_student s LEFT JOIN dup d ON d.email_key = s.email_key
                WHERE s.district_id = %s AND s.archived_at IS NULL
            )""",
}


def _unicode_lower_sql() -> str:
    """The SQL function that lower-cases names as Python does (the search term is lowered in Python).

    SQLite's own lower() knows ASCII only ("ÉMILE" stays "ÉMILE"), so there it is Python's str.lower,
    registered on the connection; it runs only for the students who are not ready.
    """
    if connection.vendor != "sqlite":
        return "lower"
    connection.ensure_connection()
    connection.connection.create_function(
        "classhub_lower", 1, lambda value: value.lower() if isinstance(value, str) else value, deterministic=True
    )
    return "classhub_lower"


def readiness_refresh(*, district: District) -> dict[str, int]:
    """Recompute which active students are not ready in each of their active schools, in the database.

    Three statements, no row through Python: the students of set-up schools who are not ready are written
    (a few thousand in a real district, not its million students), and every active school's number of
    active students is counted, from which the report derives the ready ones. Per student and school the
    reason is the first that applies: no email, an email shared with another active student of the district
    (both are marked; ``shares_with`` names one other), an email domain that none of the domains of the
    school's device types (Google for Chromebooks, Windows for Windows, Mac and iPad) matches. A school
    with no setup (its own, else the district default) has all its students "not set up".
    Returns how many students there are of each reason, counted per school.
    """
    position = "instr(n.email_key, '@')" if connection.vendor == "sqlite" else "strpos(n.email_key, '@')"
    lower = _unicode_lower_sql()
    uses: dict[str, list[int]] = {DomainKind.GOOGLE: [0], DomainKind.WINDOWS: [0]}  # 0: never an id
    with transaction.atomic():
        # Serialises refreshes of one district on PostgreSQL (SQLite has one writer anyway).
        District.objects.select_for_update().filter(pk=district.pk).values_list("pk", flat=True).first()
        for setup_id, platforms in DeviceSetup.objects.filter(district=district).values_list("id", "platforms"):
            for kind in {PLATFORM_DOMAIN_KIND[Platform(p)] for p in platforms if p in Platform.values}:
                uses[kind].append(setup_id)
        google_in = ", ".join(["%s"] * len(uses[DomainKind.GOOGLE]))
        windows_in = ", ".join(["%s"] * len(uses[DomainKind.WINDOWS]))
        setups_sql = """
            SELECT sc.id AS school_id, COALESCE(own.id, def.id) AS setup_id
            FROM rosters_school sc
            LEFT JOIN devices_devicesetup own ON own.school_id = sc.id
            LEFT JOIN devices_devicesetup def ON def.district_id = sc.district_id AND def.school_id IS NULL
            WHERE sc.district_id = %s AND sc.archived_at IS NULL
        """
        not_ready_sql = f"""
            WITH {_STUDENTS_SQL[connection.vendor == "sqlite"]},
            eff AS ({setups_sql}),
            allowed AS (
                SELECT DISTINCT eff.school_id, d.domain
                FROM eff JOIN devices_setupdomain d ON d.setup_id = eff.setup_id
                WHERE (d.kind = 'google' AND d.setup_id IN ({google_in}))
                   OR (d.kind = 'windows' AND d.setup_id IN ({windows_in}))
            ),
            judged AS (
                SELECT ss.school_id, n.id AS student_id, n.email_key AS email, n.first_name, n.last_name,
                    CASE WHEN {position} > 0 THEN substr(n.email_key, {position} + 1) ELSE '' END AS email_domain,
                    CASE WHEN n.email_key = '' OR n.email_key IS NULL THEN %s
                         WHEN n.same_email > 1 THEN %s
                         WHEN a.domain IS NULL THEN %s
                         ELSE NULL END AS reason,
                    CASE WHEN n.email_key = '' OR n.same_email < 2 THEN NULL
                         WHEN n.id = n.low_id THEN n.high_id ELSE n.low_id END AS shares_with_id
                -- CROSS JOIN keeps the students as the outer loop on SQLite (without it the planner may scan
                -- the district's students once per school); PostgreSQL plans it as the inner join it is.
                FROM students n
                CROSS JOIN rosters_studentschool ss
                CROSS JOIN eff
                LEFT JOIN allowed a ON a.school_id = ss.school_id
                    AND a.domain = CASE WHEN {position} > 0 THEN substr(n.email_key, {position} + 1) ELSE '' END
                WHERE ss.student_id = n.id AND eff.school_id = ss.school_id AND eff.setup_id IS NOT NULL
            )
            INSERT INTO devices_studentreadiness (
                district_id, school_id, student_id, reason, email_domain, shares_with_id,
                search_first_last, search_last_first, search_email
            )
            SELECT %s, j.school_id, j.student_id, j.reason,
                CASE WHEN j.reason = %s THEN j.email_domain ELSE '' END,
                j.shares_with_id,
                {lower}(trim(trim(j.first_name) || ' ' || trim(j.last_name))),
                {lower}(trim(trim(j.last_name) || ' ' || trim(j.first_name))),
                COALESCE(j.email, '')
            FROM judged j
            WHERE j.reason IS NOT NULL
        """  # noqa: S608 - only placeholders are interpolated; every value is a parameter
        not_ready_params = [
            *([district.pk, district.pk] if connection.vendor == "sqlite" else [district.pk]),
            district.pk,
            *uses[DomainKind.GOOGLE],
            *uses[DomainKind.WINDOWS],
            Readiness.NO_EMAIL,
            Readiness.SHARED_EMAIL,
            Readiness.OUTSIDE_DOMAINS,
            district.pk,
            Readiness.OUTSIDE_DOMAINS,
        ]
        # Every active school, with its active students counted through the (student, school) links.
        # ... and its not-ready students by reason, from the rows just written (the index on district, school
        # and reason answers each count).
        not_ready_counts = ",\n".join(
            "(SELECT COUNT(*) FROM devices_studentreadiness r WHERE r.district_id = %s "
            "AND r.school_id = eff.school_id AND r.reason = %s)"
            for _ in SchoolReadinessTotal.NOT_READY_FIELDS
        )
        totals_sql = f"""
            INSERT INTO devices_schoolreadinesstotal (
                district_id, school_id, students, set_up, {", ".join(SchoolReadinessTotal.NOT_READY_FIELDS)}
            )
            SELECT %s, eff.school_id,
                (SELECT COUNT(*) FROM rosters_studentschool ss
                    JOIN rosters_student s ON s.id = ss.student_id AND s.archived_at IS NULL
                 WHERE ss.school_id = eff.school_id),
                eff.setup_id IS NOT NULL,
                {not_ready_counts}
            FROM ({setups_sql}) eff
        """  # noqa: S608 - only placeholders are interpolated
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM devices_studentreadiness WHERE district_id = %s", [district.pk])
            cursor.execute("DELETE FROM devices_schoolreadinesstotal WHERE district_id = %s", [district.pk])
            cursor.execute(not_ready_sql, not_ready_params)
            counts_params = [p for reason in SchoolReadinessTotal.NOT_READY_FIELDS for p in (district.pk, reason)]
            cursor.execute(totals_sql, [district.pk, *counts_params, district.pk])
    return readiness_counts(district=district)
