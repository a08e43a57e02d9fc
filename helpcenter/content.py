"""The help guides as data: each step's id (its anchor, and the id stored with feedback), who acts, what to do.

Written in ClassHub's own words for district admins who never saw ClassHub or Django. The template renders
them; helpcenter.selectors decides which steps a district has done. Facts come from PRODUCT.md and CLEVER.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A word and what it means here, shown as a definition list."""

    term: str
    meaning: str


@dataclass(frozen=True)
class Problem:
    what: str  # what the district admin sees
    fix: str  # what to do about it, and who does it


@dataclass(frozen=True)
class HelpStep:
    id: str  # the anchor (#share-by-schools) and the step id of "Did this help?" answers; never change it
    title: str
    who: str
    summary: str
    details: tuple[Term, ...] = ()
    actions: tuple[str, ...] = ()  # what to click or do, in order
    expect: str = ""  # what happens after, and what the district admin sees
    problems: tuple[Problem, ...] = ()
    # Inside the portal, a link to the page where this step is followed (a URL name of the "portal" namespace).
    portal_link: tuple[str, str] | None = None  # (URL name, link text)


@dataclass(frozen=True)
class HelpGuide:
    id: str  # the page id of "Did this help?" answers; never change it
    title: str
    intro: str
    steps: tuple[HelpStep, ...]

    @property
    def step_ids(self) -> list[str]:
        return [step.id for step in self.steps]

    def step(self, step_id: str) -> HelpStep | None:
        return next((step for step in self.steps if step.id == step_id), None)


CONNECT_CLEVER = HelpGuide(
    id="connect-clever",
    title="Connecting Clever to ClassHub, step by step",
    intro=(
        "ClassHub gets your rosters and your teachers' sign-ins through Clever. This guide walks you, the "
        "district admin, through every step from adding ClassHub in Clever to the day teachers start using it: "
        "who does each step, what to click, what to expect, and what to do when something goes wrong."
    ),
    steps=(
        HelpStep(
            id="add-classhub",
            title="Add ClassHub in your Clever dashboard",
            who="Your district's Clever admin",
            summary="The connection starts in your district's Clever account, not in ClassHub.",
            actions=(
                "Sign in to Clever with your district admin account and open your district dashboard.",
                "Open Applications, and look for ClassHub among the applications you can request (search for it "
                "by name).",
                "Choose to request ClassHub. Clever asks two questions: whether you have purchased it (the next step) "
                "and a preferred launch date.",
            ),
            expect=(
                "ClassHub checks Clever for new connections every ten minutes, so within about ten minutes your "
                "district appears at ClassHub and you can sign in to the ClassHub portal with Clever."
            ),
            problems=(
                Problem(
                    "ClassHub is not in the list of applications.",
                    "Check that you are signed in with your district admin account and search for “ClassHub” by "
                    "name. If it still does not appear, write to ClassHub (address at the end of this page).",
                ),
                Problem(
                    "The portal says your account is not a district admin of a district that connected ClassHub.",
                    "Wait ten minutes after adding ClassHub, then sign in again. If it persists, ask whoever manages "
                    "your Clever account to check that you have the district admin role.",
                ),
                Problem(
                    "ClassHub was removed from Clever by mistake.",
                    "Add it again in Clever. ClassHub keeps your district's data and reviews the connection again.",
                ),
            ),
            portal_link=("portal:home", "Your district's page"),
        ),
        HelpStep(
            id="purchase",
            title="Say whether your district has already purchased ClassHub",
            who="Your district's Clever admin; then your ClassHub rep or ClassHub sales",
            summary=(
                "When you request ClassHub, Clever asks whether your district has already purchased it. Your answer "
                "decides who contacts you next."
            ),
            details=(
                Term(
                    "Already purchased",
                    "Your ClassHub rep confirms the purchase and starts reviewing the schools you share. Your "
                    "district contact gets an email saying the request was received and is under review.",
                ),
                Term(
                    "Haven't purchased",
                    "Your request goes to ClassHub sales, not to the review. Sales contacts you; once your district "
                    "buys ClassHub, your rep records the purchase and the review starts.",
                ),
            ),
            actions=(
                "In Clever, choose the answer that is true for your district today.",
                "Once you can sign in to the ClassHub portal, its first step asks the same question: answer it there "
                "too, so your rep sees your answer.",
            ),
            expect="Your district contact hears from your ClassHub rep or from ClassHub sales by email.",
            problems=(
                Problem(
                    "You answered “Haven't purchased”, but your district has bought ClassHub.",
                    "Answer “Already purchased” on the first step of your portal page, or tell your ClassHub rep. "
                    "The rep records the purchase and the review starts.",
                ),
                Problem(
                    "Nobody has contacted you after a few working days.",
                    "Write to ClassHub (address at the end of this page) with your district's name.",
                ),
            ),
            portal_link=("portal:home", "Your district's page"),
        ),
        HelpStep(
            id="share-by-schools",
            title="Share by schools, not the whole district",
            who="Your district's Clever admin",
            summary=(
                "Clever then asks which data to share with ClassHub. Choose to share by schools, and pick the "
                "schools you agreed with your ClassHub rep: your rollout plan."
            ),
            details=(
                Term(
                    "Why not the whole district?",
                    "ClassHub only accepts data for the schools in your agreed rollout plan, so it never holds "
                    "records of students it does not serve. Sharing the whole district without an agreement "
                    "beforehand is denied, with that reason, and nothing is imported.",
                ),
                Term(
                    "A shared school outside the plan",
                    "It is denied on its own; the schools of the plan can still be approved.",
                ),
            ),
            actions=(
                "In Clever's sharing settings for ClassHub, choose to share by schools.",
                "Tick exactly the schools of your rollout plan, then save.",
                "You can add or remove schools later at any time; ClassHub reviews just what changed.",
            ),
            expect="ClassHub sees the schools you shared, and your rep reviews them (below).",
            problems=(
                Problem(
                    "You shared the whole district.",
                    "In Clever, change the sharing to the schools of your plan. ClassHub sees the change and reviews "
                    "it again.",
                ),
                Problem(
                    "You need a school that is not in the plan.",
                    "Ask your ClassHub rep to add it to the rollout plan first, then share it in Clever.",
                ),
                Problem(
                    "You stopped sharing a school by mistake.",
                    "Share it again. ClassHub archives the records of a school you stop sharing (it never deletes "
                    "them) and brings them back when you share it again.",
                ),
            ),
        ),
        HelpStep(
            id="what-to-share",
            title="Share the data ClassHub needs",
            who="Your district's Clever admin, with your SIS team",
            summary=(
                "For each shared school ClassHub needs the records below. If one kind is missing, the import stops at "
                "“Needs attention” and your portal page says what is missing and how to fix it."
            ),
            details=(
                Term("Schools", "The schools of your rollout plan."),
                Term("Students", "Every student of those schools."),
                Term(
                    "Teachers",
                    "The teachers of those schools. A teacher without classes is fine: they can still sign in and "
                    "make a ClassHub-only class.",
                ),
                Term(
                    "Sections",
                    "The classes that link teachers to their students. Many elementary schools have no sections in "
                    "their SIS: ask Clever Support to create homeroom sections for them.",
                ),
                Term(
                    "At least one admin",
                    "A district admin or a school admin, so someone at your district can manage ClassHub.",
                ),
            ),
            actions=(
                "In Clever, check that students, teachers and sections are shared for every school of the plan, and "
                "at least one district or school admin.",
                "For elementary schools without sections, ask Clever Support to create homeroom sections.",
            ),
            expect=(
                "The import counts what arrived. One bad record never stops it: it is listed with what to fix "
                "in your SIS."
            ),
            problems=(
                Problem(
                    "Your portal page says “No sections were shared”.",
                    "Ask Clever Support to create sections (homeroom sections for elementary schools), then press "
                    "Sync now on your portal page.",
                ),
                Problem(
                    "Your portal page says no district or school admin was shared.",
                    "In Clever, share at least one district admin or school admin with ClassHub, then press Sync now.",
                ),
                Problem(
                    "Some records could not be used.",
                    "The import section of your portal page lists each one with what is wrong and how to fix it in "
                    "your SIS. Download the list (CSV) for your SIS team.",
                ),
            ),
            portal_link=("portal:home", "The import section of your district's page"),
        ),
        HelpStep(
            id="review",
            title="ClassHub reviews what you shared",
            who="Your ClassHub rep",
            summary=(
                "Your rep compares the schools you shared with your rollout plan. Before deciding, the rep sees a "
                "trial run: for each school, how many students, teachers, sections and admins the import would "
                "bring, and any data problems."
            ),
            actions=(
                "Nothing to click. Follow the review on your portal page: each school's decision and its reason "
                "appear under “Your schools and ClassHub's decision”.",
            ),
            expect="Your district contact gets an email with the decision. Approved schools go on to the import.",
            problems=(
                Problem(
                    "The request was denied.",
                    "Read the reason on your portal page, change your sharing in Clever as it says, and ClassHub "
                    "reviews the change.",
                ),
                Problem(
                    "One school was denied.",
                    "It is not in your rollout plan. Ask your rep to add it to the plan, or stop sharing it in Clever.",
                ),
            ),
            portal_link=("portal:home", "The decisions on your district's page"),
        ),
        HelpStep(
            id="import",
            title="ClassHub imports your rosters",
            who="ClassHub (automatic)",
            summary=(
                "ClassHub reads the approved schools from Clever: schools, students, teachers, sections with their "
                "students, terms, and school and district admins."
            ),
            actions=("Watch the progress bar on your portal page; it updates by itself.",),
            expect=(
                "When it finishes, your portal page shows how many records came in. From then on ClassHub picks up "
                "changes from Clever every few minutes and re-reads everything each night; Sync now on your portal "
                "page starts a full sync at once."
            ),
            problems=(
                Problem(
                    "The import stopped at “Needs attention”.",
                    "Some required data is missing. Your portal page names it and who fixes it (see “Share the data "
                    "ClassHub needs” above); after the fix, press Sync now.",
                ),
                Problem(
                    "The import could not finish.",
                    "ClassHub sees this too and runs it again; nothing you shared is lost.",
                ),
            ),
            portal_link=("portal:home", "The import on your district's page"),
        ),
        HelpStep(
            id="onboarding-session",
            title="Your onboarding session with Clever",
            who="Your ClassHub rep schedules it; your district and Clever take part",
            summary=(
                "After the approval, your rep schedules an onboarding session with Clever. Your district contact "
                "gets the date by email, with a calendar invite."
            ),
            actions=(
                "Accept the calendar invite.",
                "Invite the people who manage your SIS and your students' devices: the data and the emails are "
                "theirs to fix.",
            ),
            expect="Your portal page shows the date and time of the session.",
            problems=(
                Problem(
                    "The time does not suit you.",
                    "Reply to the email or tell your rep. They move the session, and the invite in your calendar "
                    "updates.",
                ),
                Problem(
                    "No invite arrived.",
                    "The invite goes to the district contact Clever gave ClassHub. Check that contact's email in "
                    "Clever; your portal page shows the date as well.",
                ),
            ),
            portal_link=("portal:home", "The session on your district's page"),
        ),
        HelpStep(
            id="student-emails",
            title="Make each student's email the account they use on their device",
            who="Your district admin, with your SIS team",
            summary=(
                "ClassHub recognises a student on a device from the email signed in on it. So the email in your "
                "SIS, shared through Clever, must be the account that student's device knows. You can fix emails in "
                "your SIS at any time, even before you connect."
            ),
            details=(
                Term(
                    "Chromebooks",
                    "The student's Google Workspace account email, in your district's Google domain (for example "
                    "ava.smith@students.example.org).",
                ),
                Term("Windows devices", "The student's Windows sign-in, in your Windows domain."),
                Term("Macs and iPads joined to a Windows domain", "The student's Windows sign-in as well."),
                Term(
                    "Otherwise",
                    "A student with no email, or with an email in another domain, is not recognised on the device: "
                    "they must log in to Clever every time they use it.",
                ),
            ),
            actions=(
                "On the Devices page of the portal, record which devices your students use and their sign-in "
                "domains, for the whole district and for any school that differs. The domain only, for example "
                "students.example.org.",
                "Read the sign-in readiness report: per school, how many students are ready, and for each student who "
                "is not, the reason and what to fix in your SIS.",
                "Download the list (CSV) for your SIS team. Their fixes reach ClassHub with the next sync.",
            ),
            expect="The report is recomputed after every save and every sync, so it is always your current to-do list.",
            problems=(
                Problem(
                    "Many students show “Email outside the school's domains”.",
                    "Either the SIS holds another email for them (fix it in the SIS), or a domain is missing from the "
                    "setup (add it if students really sign in with it).",
                ),
                Problem(
                    "Two students have the same email.",
                    "Give each student their own email in the SIS; ClassHub never guesses which student it is.",
                ),
                Problem(
                    "A school shows “School not set up yet”.",
                    "Record a setup for the whole district, or one for that school, on the Devices page.",
                ),
            ),
            portal_link=("portal:devices", "Device setup and sign-in readiness"),
        ),
        HelpStep(
            id="go-live",
            title="Go live",
            who="Your ClassHub rep",
            summary="Once your rosters are in with nothing missing, your rep takes your district live.",
            expect=(
                "Teachers and admins get a welcome email and sign in with Clever; students are recognised on their "
                "devices. ClassHub keeps your rosters current every night and whenever you press Sync now."
            ),
            problems=(
                Problem(
                    "A teacher does not see one of their classes.",
                    "Classes come from your SIS through Clever: check the section in your SIS and that its school is "
                    "shared. Meanwhile the teacher can make a ClassHub-only class.",
                ),
                Problem(
                    "Another school should start using ClassHub.",
                    "Agree it with your rep, then share it in Clever; ClassHub reviews just that school.",
                ),
            ),
        ),
    ),
)

GUIDES: dict[str, HelpGuide] = {guide.id: guide for guide in (CONNECT_CLEVER,)}


def is_known_topic(page: str, step: str = "") -> bool:
    """Whether ``page`` is a guide, and ``step`` (when given) one of its steps."""
    guide = GUIDES.get(page)
    return guide is not None and (not step or guide.step(step) is not None)
