"""Shared fixtures: a real Clever sandbox HTTP server, a rep, and a way to run queued tasks."""

from __future__ import annotations

import pytest

from classhub.clever.client import CleverClient, RetryPolicy
from classhub.clever.sandbox import SandboxServer, generate_demo
from classhub.clever.sandbox.demo import demo_districts


@pytest.fixture(autouse=True)
def empty_task_queue():
    """Start every test with an empty broker: Redis, unlike the ORM broker, outlives each test's rollback."""
    from django.conf import settings as django_settings

    if django_settings.REDIS_URL:
        from django_q.brokers import get_broker

        get_broker().purge_queue()
    yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: the shared cache (files under the data dir, or Redis) outlives
    each test and each run, and holds rate-limit counters (the device API's, allauth's)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def sandbox(settings):
    """The demo dataset served over real HTTP on a free loopback port; settings point at it."""
    server = SandboxServer(
        generate_demo(1),
        port=0,
        client_id=settings.CLEVER_CLIENT_ID,
        client_secret=settings.CLEVER_CLIENT_SECRET,
        quiet=True,
    ).start()
    settings.CLEVER_API_BASE = server.url
    settings.CLEVER_OAUTH_BASE = server.url
    yield server
    server.stop()


@pytest.fixture
def demo():
    """The three demo districts keyed "a", "b", "c" (ids, purchase status, rollout plan)."""
    return {spec["key"]: spec for spec in demo_districts(1)}


class SleepRecorder:
    """Stands in for time.sleep so retry tests are instant, and records each wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps():
    return SleepRecorder()


@pytest.fixture
def clever_client(sandbox, sleeps):
    """A client against the sandbox whose retries do not really sleep."""
    return CleverClient.from_settings(retry=RetryPolicy(max_retries=4, sleep=sleeps))


@pytest.fixture
def rep(django_user_model):
    return django_user_model.objects.create_user(
        username="rep-test", password="rep-pass-123", is_staff=True, is_superuser=True
    )


def run_queued_tasks() -> list:
    """Take every task waiting in the configured django-q2 broker and run it here, as a worker would."""
    from django.utils.module_loading import import_string
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    results = []
    while True:
        # Ask the size first: an empty ORM broker sleeps for its poll interval on dequeue.
        batch = broker.dequeue() if broker.queue_size() else None
        if not batch:
            return results
        for ack_id, payload in batch:
            task = SignedPackage.loads(payload)
            func = task["func"]
            func = import_string(func) if isinstance(func, str) else func
            results.append(func(*task["args"], **task["kwargs"]))
            broker.acknowledge(ack_id)


@pytest.fixture
def queued_tasks():
    return run_queued_tasks


def staff_in_group(django_user_model, username: str, group_name: str):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username=username, password="pass-12345", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def group_rep(django_user_model):
    """A rep who works from the "Onboarding reps" group, not as a superuser."""
    return staff_in_group(django_user_model, "group-rep", "Onboarding reps")


@pytest.fixture
def support_user(django_user_model):
    return staff_in_group(django_user_model, "support-person", "Support")


@pytest.fixture
def deliver(django_capture_on_commit_callbacks, mailoutbox):
    """Run a step, its after-commit work, and the tasks it queued, as the worker would; return the outbox."""
    from contextlib import contextmanager

    @contextmanager
    def delivering():
        with django_capture_on_commit_callbacks(execute=True):
            yield mailoutbox
        while True:  # tasks may queue more work (an import queues its email): run until all is done
            with django_capture_on_commit_callbacks(execute=True):
                ran = run_queued_tasks()
            if not ran:
                return

    return delivering


@pytest.fixture
def demo_requests(sandbox, demo):
    """The three demo districts connected as `make run` leaves them: requests keyed "a", "b", "c"."""
    from django.core.management import call_command

    from onboarding.models import SharingRequest
    from onboarding.services import connections_sync

    call_command("demo_setup")
    connections_sync()
    return {key: SharingRequest.objects.get(district__clever_id=spec["clever_id"]) for key, spec in demo.items()}


@pytest.fixture
def approve_demo(demo_requests, rep):
    """Approve a demo district's shared schools (all, or those given) as a rep; returns the district."""
    from onboarding.models import District
    from onboarding.services import sharing_request_approve

    def approve(key: str, school_ids: list[str] | None = None):
        request = demo_requests[key]
        ids = school_ids or list(request.school_decisions.values_list("clever_school_id", flat=True))
        sharing_request_approve(request=request, school_ids=ids, actor=rep)
        return District.objects.get(pk=request.district_id)

    return approve


@pytest.fixture
def imported_a(approve_demo):
    """Demo district (a) approved and imported."""
    from rosters.models import ImportRun, ImportStatus
    from rosters.services import import_run_create, import_run_execute

    district = approve_demo("a")
    # Approval queued the first import; run that one, as a worker would.
    queued = ImportRun.objects.filter(district=district, status=ImportStatus.QUEUED).first()
    import_run_execute(run_id=(queued or import_run_create(district=district)).pk)
    district.refresh_from_db()
    return district
