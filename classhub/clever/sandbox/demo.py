"""Deterministic demo data: three districts full of Clever's real-world quirks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from .dataset import SandboxDataset

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "Mateo",
    "Isabella",
    "Lucas",
    "Mia",
    "Ethan",
    "Amelia",
    "Aiden",
    "Harper",
    "Jackson",
    "Evelyn",
    "Sebastian",
    "Abigail",
    "Leo",
    "Camila",
    "Daniel",
    "Priya",
    "Wei",
    "Fatima",
    "Omar",
    "Aaliyah",
    "Diego",
    "Hana",
    "Kai",
    "Zoe",
    "Malik",
    "Sofia",
    "Ravi",
    "Chloe",
    "Yusuf",
    "Nora",
    "Jamal",
    "Lucia",
    "Tomas",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Garcia",
    "Nguyen",
    "Williams",
    "Brown",
    "Martinez",
    "Lee",
    "Patel",
    "Kim",
    "Hernandez",
    "Davis",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Chen",
    "Okafor",
    "Rossi",
    "Haddad",
    "Kowalski",
    "Yamamoto",
    "O'Brien",
    "Singh",
    "Novak",
    "Silva",
    "Dubois",
]
MIDDLE_NAMES = ["", "", "", "A", "J", "Marie", "Lee", "R", "Grace", "James"]

GRADES = ["Kindergarten"] + [str(n) for n in range(1, 13)]
YEAR = 2026  # school year 2026-2027; graduation years derive from it

# (section name, subject, grade or None for "any grade of the school")
CATALOG = {
    "elementary": [
        ("Homeroom", "homeroom/advisory", None),
        ("Reading Workshop", "english/language arts", None),
        ("Math", "math", None),
        ("Science Explorers", "science", None),
        ("Art", "arts and music", None),
        ("Music", "arts and music", None),
    ],
    "middle": [
        ("Homeroom", "homeroom/advisory", None),
        ("Math 6", "math", "6"),
        ("Math 7", "math", "7"),
        ("Pre-Algebra", "math", "8"),
        ("ELA 6", "english/language arts", "6"),
        ("ELA 7", "english/language arts", "7"),
        ("ELA 8", "english/language arts", "8"),
        ("Life Science", "science", "7"),
        ("Art", "arts and music", None),
        ("Physical Education", "PE and health", None),
    ],
    "high": [
        ("Homeroom", "homeroom/advisory", None),
        ("Algebra I", "math", "9"),
        ("Geometry", "math", "10"),
        ("Biology", "science", "9"),
        ("English 10", "english/language arts", "10"),
        ("Chemistry", "science", "11"),
        ("US History", "social studies", "11"),
        ("AP Calculus", "math", "12"),
        ("Spanish I", "language", None),
        ("Art", "arts and music", None),
        ("Computer Science", "technology and engineering", None),
        ("Physical Education", "PE and health", None),
    ],
}

# Static shape of the three demo districts; ids and people come from the seed.
DISTRICT_SPECS = [
    {
        "key": "a",
        "name": "Maple Grove Unified School District",
        "domain": "maplegrove.k12.us",
        "legacy_domain": "mgusd.net",
        "city": "Maple Grove",
        "state": "OR",
        "zip": "97045",
        "nces": "4107820",
        "sis_type": "PowerSchool",
        "purchase_status": "already_purchased",
        "sharing_type": "by_schools",
        "schools": [
            {
                "name": "Cedar Hollow Elementary School",
                "level": "elementary",
                "low": "Kindergarten",
                "high": "5",
                "students": 26,
                "teachers": 1,
                "sections": 0,
                "shared": True,
            },
            {
                "name": "Maple Grove Middle School",
                "level": "middle",
                "low": "6",
                "high": "8",
                "students": 46,
                "teachers": 5,
                "sections": 9,
                "shared": True,
            },
            {
                "name": "Maple Grove High School",
                "level": "high",
                "low": "9",
                "high": "12",
                "students": 52,
                "teachers": 6,
                "sections": 11,
                "shared": True,
            },
            {
                "name": "Riverbend Elementary School",
                "level": "elementary",
                "low": "Kindergarten",
                "high": "5",
                "students": 28,
                "teachers": 3,
                "sections": 4,
                "shared": False,
            },
        ],
    },
    {
        "key": "b",
        "name": "Harbor Point School District",
        "domain": "hpsd.org",
        "legacy_domain": "harborpoint.k12.wa.us",
        "city": "Harbor Point",
        "state": "WA",
        "zip": "98335",
        "nces": "5303390",
        "sis_type": "Infinite Campus",
        "purchase_status": "already_purchased",
        "sharing_type": "whole_district",
        "schools": [
            {
                "name": "Harbor Point Elementary School",
                "level": "elementary",
                "low": "PreKindergarten",
                "high": "5",
                "students": 40,
                "teachers": 3,
                "sections": 5,
                "shared": True,
            },
            {
                "name": "Harbor Point Middle School",
                "level": "middle",
                "low": "6",
                "high": "8",
                "students": 38,
                "teachers": 4,
                "sections": 7,
                "shared": True,
            },
            {
                "name": "Harbor Point High School",
                "level": "high",
                "low": "9",
                "high": "12",
                "students": 44,
                "teachers": 5,
                "sections": 9,
                "shared": True,
            },
        ],
    },
    {
        "key": "c",
        "name": "Silver Creek Charter Schools",
        "domain": "silvercreekcharter.org",
        "legacy_domain": "scc-mail.org",
        "city": "Silver Creek",
        "state": "CO",
        "zip": "80424",
        "nces": "0803360",
        "sis_type": "clever-csv",
        "purchase_status": "havent_purchased",
        "sharing_type": "whole_district",
        "schools": [
            {
                "name": "Silver Creek Academy",
                "level": "middle",
                "low": "6",
                "high": "8",
                "students": 36,
                "teachers": 3,
                "sections": 6,
                "shared": True,
            },
            {
                "name": "Silver Creek Preparatory High School",
                "level": "high",
                "low": "9",
                "high": "12",
                "students": 30,
                "teachers": 3,
                "sections": 6,
                "shared": True,
            },
        ],
    },
]


class _Builder:
    """Seeded source of ids, timestamps and names shared by one generation run."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ds = SandboxDataset()
        self._ids: set[str] = set()
        self._emails: set[str] = set()
        self.base = datetime(2025, 5, 1, tzinfo=UTC)

    def new_id(self) -> str:
        """A fresh 24-hex id, unique across every kind (as Clever's are)."""
        while True:
            value = f"{self.rng.getrandbits(96):024x}"
            if value not in self._ids:
                self._ids.add(value)
                return value

    def stamp(self, lo_days: int = 0, hi_days: int = 120) -> str:
        """A deterministic ISO 8601 Z timestamp some days after the base date."""
        t = self.base + timedelta(
            days=self.rng.randint(lo_days, hi_days),
            seconds=self.rng.randint(0, 86399),
            milliseconds=self.rng.randint(0, 999),
        )
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"

    def times(self) -> dict:
        """created/last_modified pair, last_modified never before created."""
        created = self.stamp(0, 200)
        modified = self.stamp(200, 480)
        return {"created": created, "last_modified": modified}

    def name(self) -> dict:
        """A realistic {first, middle, last} name."""
        return {
            "first": self.rng.choice(FIRST_NAMES),
            "middle": self.rng.choice(MIDDLE_NAMES),
            "last": self.rng.choice(LAST_NAMES),
        }

    def email(self, name: dict, domain: str) -> str:
        """first.last@domain, numbered when already taken."""
        local = f"{name['first']}.{name['last']}".lower().replace("'", "")
        candidate, n = f"{local}@{domain}", 1
        while candidate in self._emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self._emails.add(candidate)
        return candidate

    def digits(self, n: int) -> str:
        """n random digits as a string."""
        return "".join(str(self.rng.randint(0, 9)) for _ in range(n))


def _grade_range(low: str, high: str) -> list[str]:
    """Clever grade strings from low to high (PreKindergarten maps onto Kindergarten's slot)."""
    start = 0 if low in ("PreKindergarten", "Kindergarten") else GRADES.index(low)
    grades = GRADES[start : GRADES.index(high) + 1]
    return (["PreKindergarten"] + grades) if low == "PreKindergarten" else grades


def _graduation_year(grade: str) -> str:
    """Graduation year as Clever sends it (a string), '' for grades without one."""
    if grade in GRADES:
        return str(YEAR + 13 - GRADES.index(grade))
    return ""


class _DistrictBuilder:
    """Builds one demo district into the shared dataset."""

    def __init__(self, b: _Builder, spec: dict):
        self.b, self.spec, self.ds = b, spec, b.ds
        self.did = b.new_id()
        self.schools: list[dict] = []  # school objects in spec order
        self.students: dict[str, list] = {}  # school id -> student users
        self.teachers: dict[str, list] = {}  # school id -> teacher users
        self.sections: dict[str, list] = {}  # school id -> sections
        self.terms: list[dict] = []
        self.courses: dict[str, dict] = {}  # section name -> course

    # ----- objects -----

    def person(self, roles: dict, domain: str | None = None, name: dict | None = None) -> dict:
        """A user of this district with the given roles."""
        b = self.b
        name = name or b.name()
        user = {"id": b.new_id(), "district": self.did, "name": name, "roles": roles, **b.times()}
        if domain:
            user["email"] = b.email(name, domain)
        self.ds.users[user["id"]] = user
        return user

    def build_district(self) -> None:
        """The district object with its contact."""
        b, s = self.b, self.spec
        contact = b.name()
        self.ds.districts[self.did] = {
            "id": self.did,
            "name": s["name"],
            "state": "success",
            "last_sync": b.stamp(480, 490),
            "launch_date": "2026-08-17" if s["purchase_status"] == "already_purchased" else None,
            "pause_start": None,
            "pause_end": None,
            "mdr_number": b.digits(7),
            "nces_id": s["nces"],
            "sis_type": s["sis_type"],
            "login_methods": ["google", "badges"],
            "district_contact": {
                "id": b.new_id(),
                "email": b.email(contact, s["domain"]),
                "name": {"first": contact["first"], "last": contact["last"]},
                "title": "Director of Technology",
            },
        }

    def build_terms_and_courses(self) -> None:
        """Three terms of the current school year; courses are made on demand."""
        for name, start, end in (
            ("2026-2027 School Year", "2026-08-24", "2027-06-11"),
            ("Fall 2026", "2026-08-24", "2027-01-22"),
            ("Spring 2027", "2027-01-25", "2027-06-11"),
        ):
            term = {
                "id": self.b.new_id(),
                "district": self.did,
                "name": name,
                "start_date": start,
                "end_date": end,
            }
            self.terms.append(term)
            self.ds.terms[term["id"]] = term

    def course_for(self, section_name: str, level: str) -> dict:
        """One course per (level, section name) in this district."""
        key = f"{level}:{section_name}"
        if key not in self.courses:
            course = {
                "id": self.b.new_id(),
                "district": self.did,
                "name": section_name,
                "number": f"{section_name[:2].upper()}{len(self.courses) + 100:04d}",
            }
            self.courses[key] = course
            self.ds.courses[course["id"]] = course
        return self.courses[key]

    def build_school(self, n: int, sspec: dict) -> dict:
        """A school object with principal and location filled in."""
        b, s = self.b, self.spec
        school = {
            "id": b.new_id(),
            "district": self.did,
            "name": sspec["name"],
            "sis_id": str(100 + n),
            "school_number": str(100 + n),
            "nces_id": s["nces"] + f"{b.rng.randint(1, 2999):05d}",
            "state_id": f"{s['state']}-{b.digits(4)}",
            "mdr_number": b.digits(8),
            "phone": f"(555) {b.digits(3)}-{b.digits(4)}",
            "low_grade": sspec["low"],
            "high_grade": sspec["high"],
            "principal": {"name": "", "email": ""},
            "location": {
                "address": f"{b.rng.randint(100, 9999)} {b.rng.choice(['Oak', 'Elm', 'Cedar', 'Pine'])} "
                f"{b.rng.choice(['Street', 'Avenue', 'Road'])}",
                "city": s["city"],
                "state": s["state"],
                "zip": s["zip"],
            },
            **b.times(),
        }
        self.ds.schools[school["id"]] = school
        self.schools.append(school)
        return school

    def build_principal(self, school: dict) -> None:
        """Staff user titled Principal, mirrored in school.principal."""
        user = self.person(
            {
                "staff": {
                    "staff_id": self.b.digits(5),
                    "title": "Principal",
                    "department": "Administration",
                    "schools": [school["id"]],
                    "credentials": {"district_username": ""},
                    "legacy_id": "",
                }
            },
            self.spec["domain"],
        )
        user["roles"]["staff"]["credentials"]["district_username"] = user["email"].split("@")[0]
        school["principal"] = {
            "name": f"{user['name']['first']} {user['name']['last']}",
            "email": user["email"],
        }

    def build_teachers(self, school: dict, count: int) -> None:
        """Teachers of one school."""
        out = []
        for _ in range(count):
            roles = {
                "teacher": {
                    "sis_id": f"T{self.b.digits(6)}",
                    "teacher_number": self.b.digits(5),
                    "state_id": self.b.digits(9),
                    "title": "Teacher",
                    "school": school["id"],
                    "schools": [school["id"]],
                    "credentials": {"district_username": ""},
                    "legacy_id": "",
                }
            }
            user = self.person(roles, self.spec["domain"])
            roles["teacher"]["credentials"]["district_username"] = user["email"].split("@")[0]
            out.append(user)
        self.teachers[school["id"]] = out

    def build_students(self, school: dict, sspec: dict) -> None:
        """Students of one school, some without email or in another domain."""
        b, out = self.b, []
        grades = _grade_range(sspec["low"], sspec["high"])
        for i in range(sspec["students"]):
            grade = b.rng.choice(grades)
            year = int(_graduation_year(grade) or YEAR + 13) - 18
            role = {
                "sis_id": b.digits(6),
                "student_number": b.digits(6),
                "state_id": b.digits(10),
                "school": school["id"],
                "schools": [school["id"]],
                "grade": grade,
                "graduation_year": _graduation_year(grade),
                "dob": f"{b.rng.randint(1, 12)}/{b.rng.randint(1, 28)}/{year}",
                "gender": b.rng.choice(["M", "F", "F", "M", "X", ""]),
                "credentials": {"district_username": ""},
                "enrollments": [{"school": school["id"], "start_date": "2026-08-24", "end_date": None}],
            }
            user = self.person({"student": role})
            # spread of email situations: missing key, null, legacy domain, normal
            if i % 11 == 3:
                pass
            elif i % 13 == 5:
                user["email"] = None
            elif i % 9 == 7:
                user["email"] = b.email(user["name"], self.spec["legacy_domain"])
            else:
                user["email"] = b.email(user["name"], "students." + self.spec["domain"])
            role["credentials"]["district_username"] = (
                f"{user['name']['first'][0]}{user['name']['last']}{role['student_number'][-3:]}".lower()
            )
            out.append(user)
        self.students[school["id"]] = out

    def build_sections(self, school: dict, sspec: dict, teachers: list) -> None:
        """Sections of one school, each with a term, course and some students."""
        b, out = self.b, []
        for n, (name, subject, grade) in enumerate(CATALOG[sspec["level"]][: sspec["sections"]]):
            teacher = teachers[n % len(teachers)]
            term = self.terms[0] if subject == "homeroom/advisory" else b.rng.choice(self.terms[1:])
            section = {
                "id": b.new_id(),
                "district": self.did,
                "school": school["id"],
                "name": name,
                "sis_id": f"{school['sis_id']}-{n + 1:03d}",
                "students": [],
                "teachers": [teacher["id"]],
                "teacher": teacher["id"],
                "course": self.course_for(name, sspec["level"])["id"],
                "term_id": term["id"],
                "period": str(n % 7 + 1),
                "section_number": f"{n + 1:02d}",
                "grade": grade or "",
                "subject": subject,
                **b.times(),
            }
            out.append(section)
            self.ds.sections[section["id"]] = section
        self.sections[school["id"]] = out
        self.enroll(out, self.students[school["id"]])

    def enroll(self, sections: list, students: list) -> None:
        """Put each student in a few sections fitting their grade; no section left empty."""
        rng = self.b.rng
        for st in students:
            grade = st["roles"]["student"]["grade"]
            fits = [s for s in sections if s["grade"] in ("", grade)]
            for s in rng.sample(fits, min(4, len(fits))):
                s["students"].append(st["id"])
        for s in sections:
            if not s["students"] and students:
                s["students"].append(rng.choice(students)["id"])
            s["students"].sort()

    # ----- whole district -----

    def build(self) -> None:
        """Schools, people and sections of the district, in a fixed order."""
        self.build_district()
        self.build_terms_and_courses()
        for n, sspec in enumerate(self.spec["schools"]):
            school = self.build_school(n, sspec)
            self.build_principal(school)
            self.build_teachers(school, sspec["teachers"])
            self.build_students(school, sspec)
        for sspec, school in zip(self.spec["schools"], self.schools, strict=True):
            teachers = self.teachers[school["id"]]
            # district a's last high-school teacher (a counselor) teaches nothing
            if self.spec["key"] == "a" and sspec["level"] == "high":
                teachers = teachers[:-1]
            if sspec["sections"]:
                self.build_sections(school, sspec, teachers)
            else:
                self.sections[school["id"]] = []
        self.ds.shared_schools[self.did] = {
            s["id"] for s, sp in zip(self.schools, self.spec["schools"], strict=True) if sp["shared"]
        }
        self.build_district_people()

    def build_district_people(self) -> None:
        """District admins and contacts."""
        admin = self.person({"district_admin": {"title": "Technology Director", "legacy_id": ""}}, self.spec["domain"])
        self.admins = [admin]
        shared_students = [
            st for s in self.schools if s["id"] in self.ds.shared_schools[self.did] for st in self.students[s["id"]]
        ]
        for st in self.b.rng.sample(shared_students, 2):
            last = st["name"]["last"]
            parent = f"{self.b.rng.choice(FIRST_NAMES)} {last}"
            contact = {
                "student_relationships": [{"student": st["id"], "type": "Parent/Guardian", "relationship": "Parent"}],
                "phone": f"555{self.b.digits(7)}",
                "phone_type": "Cell",
                "sis_id": f"C{self.b.digits(6)}",
                "legacy_id": "",
            }
            user = self.person({"contact": contact}, name={"first": "", "middle": "", "last": parent})
            user["email"] = f"{parent.lower().replace(' ', '.').replace(chr(39), '')}@example.com"

    # ----- helpers for quirks -----

    def school(self, level: str) -> dict:
        """The first shared school of a level."""
        for sp, s in zip(self.spec["schools"], self.schools, strict=True):
            if sp["level"] == level and sp["shared"]:
                return s
        raise LookupError(level)

    def make_multi_school(self, from_level: str, to_level: str) -> dict:
        """A student of from_level also enrolled at to_level; primary stays from_level."""
        src, dst = self.school(from_level), self.school(to_level)
        # prefer a student in the source school's top grade (e.g. an 8th grader taking Algebra I)
        top = self.spec["schools"][self.schools.index(src)]["high"]
        pool = self.students[src["id"]]
        st = next((s for s in pool if s["roles"]["student"]["grade"] == top), pool[0])
        role = st["roles"]["student"]
        role["schools"] = sorted([src["id"], dst["id"]])
        role["enrollments"].append({"school": dst["id"], "start_date": "2026-08-24", "end_date": None})
        target = self.sections[dst["id"]][1]
        target["students"] = sorted(set(target["students"]) | {st["id"]})
        return st


def _quirks_a(d: _DistrictBuilder) -> None:
    """Maple Grove: co-teachers, a section without `teacher`, a teacher-admin, odd emails."""
    high, middle = d.school("high"), d.school("middle")
    d.make_multi_school("middle", "high")
    hs_sections, hs_teachers = d.sections[high["id"]], d.teachers[high["id"]]
    # co-taught section: a second teacher joins Algebra I
    co = hs_sections[1]
    second = next(t for t in hs_teachers[:-1] if t["id"] != co["teacher"])
    co["teachers"] = [co["teacher"], second["id"]]
    # a section whose primary teacher is not set
    del d.sections[middle["id"]][2]["teacher"]
    # a teacher who is also a district admin, with sections
    hs_teachers[0]["roles"]["district_admin"] = {"title": "Curriculum Coordinator", "legacy_id": ""}
    # a teacher with a personal address in another domain
    hs_teachers[1]["email"] = hs_teachers[1]["email"].split("@")[0] + "@gmail.com"
    # a staff member working in two schools
    d.person(
        {
            "staff": {
                "staff_id": d.b.digits(5),
                "title": "Instructional Coach",
                "department": "Curriculum",
                "schools": sorted([middle["id"], high["id"]]),
                "credentials": {"district_username": "coach"},
                "legacy_id": "",
            }
        },
        d.spec["domain"],
    )


def _quirks_b(d: _DistrictBuilder) -> None:
    """Harbor Point: unknown grade, email without '@', shared email, very long username."""
    high, elem = d.school("high"), d.school("elementary")
    d.make_multi_school("middle", "high")
    students = d.students[high["id"]]
    students[1]["roles"]["student"]["grade"] = "Grade13Plus"
    students[1]["roles"]["student"]["graduation_year"] = ""
    students[2]["roles"]["student"]["grade"] = "Ungraded"
    students[3]["email"] = students[3]["name"]["first"].lower() + students[3]["name"]["last"].lower()
    students[4]["email"] = d.teachers[high["id"]][0]["email"]  # a student sharing a teacher's email
    students[5]["roles"]["student"]["credentials"]["district_username"] = "s" * 3 + "-" + "x" * 120
    d.sections[high["id"]][-1]["grade"] = "Other"
    d.sections[elem["id"]][0]["teachers"].append(d.teachers[elem["id"]][1]["id"])


def _quirks_c(d: _DistrictBuilder) -> None:
    """Silver Creek: a section with neither primary teacher nor grade."""
    sec = d.sections[d.school("high")["id"]][-1]
    del sec["teacher"]
    sec["grade"] = ""


QUIRKS = {"a": _quirks_a, "b": _quirks_b, "c": _quirks_c}


def _build(seed: int) -> tuple[SandboxDataset, list[dict]]:
    """Generate the dataset and the description of its three districts."""
    b = _Builder(seed)
    described = []
    for spec in DISTRICT_SPECS:
        d = _DistrictBuilder(b, spec)
        d.build()
        QUIRKS[spec["key"]](d)
        plan = (
            [
                {"name": s["name"], "nces_id": s["nces_id"]}
                for s, sp in zip(d.schools, spec["schools"], strict=True)
                if sp["shared"]
            ]
            if spec["sharing_type"] == "by_schools" and spec["purchase_status"] == "already_purchased"
            else []
        )
        described.append(
            {
                "key": spec["key"],
                "clever_id": d.did,
                "name": spec["name"],
                "purchase_status": spec["purchase_status"],
                "sharing_type": spec["sharing_type"],
                "rollout_plan": plan,
                "google_domain": spec["domain"],
            }
        )
    _seed_events(b)
    return b.ds, described


def _seed_events(b: _Builder) -> None:
    """One districts.created event per district so an event cursor can be seeded."""
    base = (0x64 << 88) | (b.rng.getrandbits(40) << 40)
    for n, did in enumerate(sorted(b.ds.districts)):
        b.ds.events.append(
            {
                "id": f"{base + n + 1:024x}",
                "created": b.stamp(470, 475),
                "type": "districts.created",
                "data": {"object": dict(b.ds.districts[did])},
            }
        )


def generate_demo(seed: int = 1) -> SandboxDataset:
    """The three-district demo dataset, identical for identical seeds."""
    return _build(seed)[0]


def demo_districts(seed: int = 1) -> list[dict]:
    """Describe the demo districts (id, name, purchase, sharing, rollout plan) for a seed."""
    return _build(seed)[1]


DEMO_DISTRICTS: list[dict] = demo_districts(1)


def generate_district(*, students: int, seed: int = 1, schools: int | None = None) -> SandboxDataset:
    """One big whole-district dataset for benchmarks (~students/20 teachers, ~students/5 sections)."""
    rng = random.Random(seed)
    ids: set[str] = set()

    def new_id() -> str:
        while True:
            value = f"{rng.getrandbits(96):024x}"
            if value not in ids:
                ids.add(value)
                return value

    ds = SandboxDataset()
    did = new_id()
    ds.districts[did] = {
        "id": did,
        "name": f"Benchmark District {seed}",
        "state": "success",
        "district_contact": {
            "id": new_id(),
            "email": "it@bench.example.org",
            "name": {"first": "Pat", "last": "Admin"},
            "title": "IT",
        },
    }
    stamp = "2026-08-01T12:00:00.000Z"
    term = {
        "id": new_id(),
        "district": did,
        "name": "2026-2027",
        "start_date": "2026-08-24",
        "end_date": "2027-06-11",
    }
    course = {"id": new_id(), "district": did, "name": "General", "number": "GEN100"}
    ds.terms[term["id"]], ds.courses[course["id"]] = term, course
    n_schools = schools or max(1, -(-students // 800))
    school_ids = []
    for n in range(n_schools):
        sid = new_id()
        school_ids.append(sid)
        ds.schools[sid] = {
            "id": sid,
            "district": did,
            "name": f"School {n + 1}",
            "sis_id": str(n + 1),
            "low_grade": "Kindergarten",
            "high_grade": "12",
            "created": stamp,
            "last_modified": stamp,
        }
    per = [[] for _ in school_ids]
    for i in range(students):
        k = i % n_schools
        uid = new_id()
        grade = GRADES[i % 13]
        ds.users[uid] = {
            "id": uid,
            "district": did,
            "email": f"student{i}@students.bench.example.org",
            "name": {"first": FIRST_NAMES[i % 40], "middle": "", "last": LAST_NAMES[i % 30]},
            "created": stamp,
            "last_modified": stamp,
            "roles": {
                "student": {
                    "sis_id": str(i),
                    "student_number": str(i),
                    "school": school_ids[k],
                    "schools": [school_ids[k]],
                    "grade": grade,
                }
            },
        }
        per[k].append(uid)
    for k, sid in enumerate(school_ids):
        n_students = len(per[k])
        teachers = []
        for j in range(max(1, n_students // 20)):
            tid = new_id()
            teachers.append(tid)
            ds.users[tid] = {
                "id": tid,
                "district": did,
                "email": f"teacher{k}-{j}@bench.example.org",
                "name": {"first": FIRST_NAMES[j % 40], "middle": "", "last": LAST_NAMES[k % 30]},
                "created": stamp,
                "last_modified": stamp,
                "roles": {"teacher": {"sis_id": f"T{k}-{j}", "school": sid, "schools": [sid]}},
            }
        sections = []
        for j in range(max(1, n_students // 5)):
            secid = new_id()
            t = teachers[j % len(teachers)]
            sections.append(
                {
                    "id": secid,
                    "district": did,
                    "school": sid,
                    "name": f"Section {j + 1}",
                    "students": [],
                    "teachers": [t],
                    "teacher": t,
                    "course": course["id"],
                    "term_id": term["id"],
                    "grade": "",
                    "subject": "other",
                    "created": stamp,
                    "last_modified": stamp,
                }
            )
        for uid in per[k]:
            for sec in rng.sample(sections, min(7, len(sections))):
                sec["students"].append(uid)
        for sec in sections:
            ds.sections[sec["id"]] = sec
    ds.shared_schools[did] = set(school_ids)
    return ds
