"""Personal data really masked: rebuild each member's ID number and phone from what each role sees.

The attacker logs in as each staff role and crawls everything the route table lets them read: every
GET route of the URL map whose arguments name a member, union, unit or user of the office, every link
found on a page (so books, claims and exports are reached wherever they are linked), and every GET form
the office clerk's pages offer (a field hidden from a role is still typed into the address bar), with
each choice of its selects, the members' names, card numbers and ID tails typed into its text fields,
and the dates a reviewer's bisection of a birthday would land on, alone and with each choice.

What is shown about a member (their row in a list, their own page, an entry naming them) and what the
filters answer (who is listed for a birthday month, an age band on a date, a typed ID tail) are turned
into constraints, and the ID numbers consistent with all of them are counted as intranet/masking.py
explains: the six-digit area code and the gender are assumed known, births lie between 1900-01-01 and
the join date minus 16 years, a filter means the most revealing thing that agrees with every answer the
server gave. Phones are counted with their first seven digits assumed known.
"""

from __future__ import annotations

import html
import io
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit
from uuid import UUID

import pytest
from flask import Flask
from openpyxl import load_workbook

from aggregates.identifiers import credit_check_char, id_check_digit
from aggregates.roles import ROSTER_KEEPERS
from aggregates.union import approving_level
from intranet import create_app
from intranet.backend import Backend
from intranet.members import AGE_BANDS
from intranet.permissions import allowed, is_public
from projections.roster import initials_of
from tests.conftest import FAST_HASHER, PASSWORD, STAFF_ROLES, Clock, Session, login, user_id_of, username_of

BOUND = 10_000
EARLIEST_BIRTH = date(1900, 1, 1)
TODAY = date(2026, 3, 8)  # the pinned clock's business date
CRAWL_LIMIT = 3000
CLERK = "office"
assert frozenset({CLERK}) == ROSTER_KEEPERS  # the one role that may see ID numbers whole


@dataclass(frozen=True)
class Person:
    """A member whose ID number and phone the attacker tries to rebuild."""

    name: str
    gender: str
    born: date
    joined: date
    area: str
    phone: str
    card: str
    number: str = ""
    member_id: str = ""


# Chosen for what they make hard: a worker who joined on their 16th birthday early in the year, a
# member born on 29 February who joined in 1985, and two who turned 30 and 40 after joining (so a
# bisection over "as of" dates lands on their birthday).
PEOPLE = (
    Person("欧阳明远", "M", date(1990, 5, 17), date(2015, 6, 1), "110105", "13912345678", "HP000101"),
    Person("司马晓雯", "F", date(2008, 1, 3), date(2024, 1, 3), "440305", "15087654321", "HP000102"),
    Person("上官志强", "M", date(1960, 2, 29), date(1985, 4, 1), "210102", "18623456789", "HP000103"),
    Person("诸葛丽华", "F", date(1978, 11, 20), date(2010, 9, 1), "320106", "13698765432", "HP000104"),
)
STAFF_PHONE = "13700001111"  # the cashier's own phone, recorded by the admin


def _id_number(person: Person, serial: int) -> str:
    seq = serial * 2 + (1 if person.gender == "M" else 0)
    first17 = f"{person.area}{person.born:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


# -- the office under attack -------------------------------------------------------------------------------------------


def _admit_everyone(backend: Backend) -> list[Person]:
    office = backend.office
    clerk = office.context(str(user_id_of(backend, CLERK)), CLERK)
    body = "91210102MA0000777"
    unit = office.register_enterprise(clerk, name="新华机械厂", credit_code=body + credit_check_char(body),
                                      ownership="private", community="新华社区", workers=40, women=13)
    union = office.found_union(clerk, name="新华机械厂工会", kind="enterprise", parent_id=None, workers=40,
                               approver=approving_level(40, 7, 50), approval_ref="和工批1号", covers=[unit])
    people = []
    for serial, person in enumerate(PEOPLE, start=31):
        number = _id_number(person, serial)
        member_id = office.admit_member(
            clerk, name=person.name, gender=person.gender, birth_date=person.born, id_number=number,
            union_id=union, joined_on=person.joined, phone=person.phone, enterprise_id=unit, card_no=person.card)
        people.append(Person(**{**person.__dict__, "number": number, "member_id": str(member_id)}))
    office.appoint_office_holder(clerk, union, "chair", member_id_of(people, "欧阳明远"), owner_or_relative=False)
    return people


def member_id_of(people: list[Person], name: str) -> UUID:
    return UUID(next(p.member_id for p in people if p.name == name))


@dataclass
class Fetched:
    """One response the attacker got."""

    path: str
    params: dict[str, str]
    status: int
    cache_control: str
    text: str  # the visible text (HTML without tags, a CSV, an XLSX's cells)
    raw: str


@dataclass
class Crawl:
    """Everything one role fetched."""

    role: str
    seeds: list[str] = field(default_factory=list)  # the URL map's routes the role may read
    pages: list[Fetched] = field(default_factory=list)


@dataclass
class Office:
    """The office under attack and what each role fetched from it."""

    app: Flask
    people: list[Person]
    user_ids: dict[str, str]
    crawls: dict[str, Crawl]


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """An office with four members, crawled once by every staff role (the clerk first: their forms are known)."""
    app = create_app({"TESTING": True, "DATA_DIR": Path(tmp_path_factory.mktemp("office")), "CLOCK": Clock(),
                      "TIMEZONE": "Asia/Shanghai", "PASSWORD_HASHER": FAST_HASHER, "SECRET_KEY": "test-secret"})
    backend: Backend = app.extensions["intranet"]
    user_ids = _staff(backend)
    people = _admit_everyone(backend)
    backend.read_models.catch_up()
    forms, crawls = Forms(), {}
    for role in (CLERK, *(r for r in STAFF_ROLES if r != CLERK)):
        crawls[role] = _crawl(app, role, people, list(user_ids.values()), forms)
    yield Office(app, people, user_ids, crawls)
    backend.close()


def _staff(backend: Backend) -> dict[str, str]:
    """One user per staff role, as in tests/conftest.py; the cashier's phone recorded by the admin."""
    ctx = backend.office.system_context("test")
    admin = backend.office.found_office(ctx, "测试街道工会工作委员会", "Asia/Shanghai", "admin", "管理员")
    backend.credentials.set_password(admin, PASSWORD)
    user_ids = {"admin": str(admin)}
    for role in STAFF_ROLES[1:]:
        user_id = backend.office.register_user(ctx, username_of(role), f"{role}用户", [role],
                                               phone=STAFF_PHONE if role == "cashier" else None)
        backend.credentials.set_password(user_id, PASSWORD)
        user_ids[role] = str(user_id)
    backend.read_models.catch_up()
    return user_ids


# -- the crawl ---------------------------------------------------------------------------------------------------------

_LINK = re.compile(r'href="(/[^"#]*)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_SELECT = re.compile(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="([^"]*)"')
_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def _arguments(app: Flask, people: list[Person], users: list[str]) -> dict[str, list[str]]:
    with app.extensions["intranet"].read_models.reading() as conn:
        unions = [r[0] for r in conn.execute("SELECT union_id FROM unions")]
        units = [r[0] for r in conn.execute("SELECT enterprise_id FROM enterprises")]
    return {"member_id": [p.member_id for p in people], "union_id": unions, "enterprise_id": units,
            "user_id": users}


def _seeds(app: Flask, role: str, people: list[Person], users: list[str]) -> list[str]:
    """Every GET route of the URL map the role may read (signed in), each member, union, unit or user filled in."""
    values = _arguments(app, people, users)
    urls = []
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            fillable = all(a in values for a in rule.arguments)
            readable = allowed(rule.endpoint, [role]) and not is_public(rule.endpoint)
            if "GET" not in (rule.methods or ()) or not fillable or not readable:
                continue
            combos: list[dict[str, str]] = [{}]
            for argument in rule.arguments:
                combos = [{**c, argument: v} for c in combos for v in values[argument]]
            urls += [adapter.build(rule.endpoint, c) for c in combos]
        if allowed("users.member_choices", [role]):  # the admin's member picker, typed into like the roster search
            urls += [adapter.build("users.member_choices", {"member_q": t}) for t in _probe_texts(people)]
    return urls


def _probe_dates(people: list[Person]) -> list[str]:
    """Each member's latest decade birthday since joining, and the day before: where a bisection lands."""
    days = []
    for p in people:
        for age in (60, 50, 40, 30):
            try:
                birthday = p.born.replace(year=p.born.year + age)
            except ValueError:  # 29 February
                birthday = date(p.born.year + age, 3, 1)
            if p.joined < birthday <= TODAY:
                days += [birthday - timedelta(days=1), birthday]
                break
    return [d.isoformat() for d in days]


def _probe_texts(people: list[Person]) -> list[str]:
    return [t for p in people for t in (p.name, p.card, p.number[-4:], p.phone[-4:])]


@dataclass
class Forms:
    """The GET forms the clerk's pages offer: each field's values to try, and which fields are choices."""

    fields: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    choices: dict[str, set[str]] = field(default_factory=dict)

    def learn(self, page: str, people: list[Person]) -> None:
        """Remember every GET form of `page`."""
        for attributes, body in _FORM.findall(page):
            attrs = dict(_ATTR.findall(attributes))
            if attrs.get("method", "get").lower() != "get":
                continue
            path = urlsplit(html.unescape(attrs.get("action", ""))).path
            fields = self.fields.setdefault(path, {})
            for name, options in _SELECT.findall(body):
                fields.setdefault(name, set()).update(v for v in _OPTION.findall(options) if v)
                self.choices.setdefault(path, set()).add(name)
            for input_ in _INPUT.findall(body):
                attrs_ = dict(_ATTR.findall(input_))
                kind, name = attrs_.get("type", "text"), attrs_.get("name")
                if name and kind == "date":
                    fields.setdefault(name, set()).update(_probe_dates(people))
                elif name and kind in ("text", "search"):
                    fields.setdefault(name, set()).update(_probe_texts(people))

    def variants(self) -> list[str]:
        """Each field alone, and each choice together with each date (the "as of" questions)."""
        urls = []
        for path, fields in self.fields.items():
            dated = {name: values for name, values in fields.items() if values and all(map(_DAY.fullmatch, values))}
            for name, values in fields.items():
                urls += [f"{path}?{urlencode({name: v})}" for v in sorted(values)]
                if name in self.choices.get(path, ()):
                    urls += [f"{path}?{urlencode({name: v, date_name: d})}"
                             for date_name, days in dated.items() for v in sorted(values) for d in sorted(days)]
        return urls


def _visible(response_body: bytes, content_type: str) -> str:
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(response_body), read_only=True)
        return "\n".join(" ".join(str(c) for c in row if c is not None)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    text = response_body.decode("utf-8", "replace")
    if "html" in content_type:
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def _crawl(app: Flask, role: str, people: list[Person], users: list[str], forms: Forms) -> Crawl:
    """Fetch everything `role` can reach: the URL map, every link, every GET form's variants."""
    session = login(app.test_client(), username_of(role))
    crawl, queue = Crawl(role, _seeds(app, role, people, users)), deque[str]()
    queued: set[str] = set()

    def enqueue(urls: list[str]) -> None:
        fresh = [u for u in dict.fromkeys(urls) if u not in queued and not u.startswith(("/static/", "/logout"))]
        queued.update(fresh)
        queue.extend(fresh)

    enqueue([*crawl.seeds, *forms.variants()])
    while queue:
        assert len(crawl.pages) < CRAWL_LIMIT, f"the crawl as {role} did not end"
        crawl.pages.append(fetched := _fetch(session, queue.popleft()))
        if fetched.status == 200 and fetched.raw:
            enqueue([html.unescape(link) for link in _LINK.findall(fetched.raw)])
            if role == CLERK:
                forms.learn(fetched.raw, people)
                enqueue(forms.variants())
    return crawl


def _fetch(session: Session, url: str) -> Fetched:
    response = session.get(url)
    if response.status_code == 302:  # a fragment-only route (a picker) sends a page load away: ask as htmx does
        response = session.get(url, headers={"HX-Request": "true"})
    body = response.get_data()
    parts = urlsplit(url)
    return Fetched(parts.path, dict(parse_qsl(parts.query)), response.status_code,
                   response.headers.get("Cache-Control", ""), _visible(body, response.content_type),
                   body.decode("utf-8", "replace") if "html" in response.content_type else "")


# -- what the attacker learns ------------------------------------------------------------------------------------------


@dataclass
class Knowledge:
    """What one role knows about one member's ID number and phone."""

    id_chars: dict[int, str] = field(default_factory=dict)
    phone_chars: dict[int, str] = field(default_factory=dict)
    days: set[date] = field(default_factory=set)
    seen_on: int = 0  # pages that name the member


def _contexts(page: Fetched, person: Person) -> list[str]:
    """The parts of a page about `person`: their own page whole, else each row or item naming them."""
    if page.path in (f"/members/{person.member_id}", "/members/me"):
        return [_shown(page.raw)] if person.name in page.text else []
    if not page.raw:
        return [line for line in page.text.splitlines() if person.name in line]
    rows = re.findall(r"<(?:tr|li)\b.*?</(?:tr|li)>", page.raw, re.S)
    return [_shown(row) for row in rows if person.name in row or f"/members/{person.member_id}" in row]


def _shown(fragment: str) -> str:
    """A fragment's text and the values its fields are filled with (a prefilled form shows them too)."""
    values = " ".join(re.findall(r'\bvalue="([^"]*)"', fragment))
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment) + " " + values)


def _read_number(chars: dict[int, str], number: str, context: str, pattern: str) -> None:
    """Every position of `number` that `context` gives away: masked copies, prefixes and suffixes."""
    for run in re.findall(pattern, context):
        if len(run) == len(number):
            chars.update({i: c for i, c in enumerate(run) if c != "*"})
        elif "*" not in run and len(run) >= 4 and number.endswith(run):
            chars.update({len(number) - len(run) + i: c for i, c in enumerate(run)})
        elif "*" not in run and len(run) >= 4 and number.startswith(run):
            chars.update(dict(enumerate(run)))


def _exact_age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _birth_shown(person: Person, context: str, days: set[date]) -> set[date]:
    """Narrow the birth dates by what `context` shows of the true one (date, month and day, year, age)."""
    b = person.born
    if any(f in context for f in (f"{b.year}年{b.month}月{b.day}日", b.isoformat(), f"{b.year}/{b.month}/{b.day}")):
        return {b}
    # A month and day on its own (a birthday list), not the tail of another date such as a typed "as of".
    if re.search(rf"(?<![\d年]){b.month}月{b.day}日|(?<!\d{{4}})-{b:%m-%d}", context):
        days = {d for d in days if (d.month, d.day) == (b.month, b.day)}
    if re.search(rf"(?<!\d){b.year}(?!\d)", context):
        days = {d for d in days if d.year == b.year}
    if f"{_exact_age(b, TODAY)}岁" in context:
        days = {d for d in days if _exact_age(d, TODAY) == _exact_age(b, TODAY)}
    return days


def _in_band(age: int, value: str) -> bool:
    _label, low, high = AGE_BANDS[value]
    return (low is None or age >= low) and (high is None or age <= high)


def _name_or_card(person: Person, text: str) -> bool:
    words = initials_of(person.name).split()
    return text in person.name or any(w.startswith(text.lower()) for w in words) or person.card.startswith(
        text.upper())


def _ignored(_born: date, _value: str, _on: date) -> bool:
    return True


# Each birth filter's possible meanings, most revealing first: listed(birth date, value, as of)?
Meaning = Callable[[date, str, date], bool]
MEANINGS: dict[str, list[Meaning]] = {
    "birthday": [lambda born, v, _on: str(born.month) == v, _ignored],
    "age": [lambda born, v, on: v in AGE_BANDS and _in_band(_exact_age(born, on), v),
            lambda born, v, on: v in AGE_BANDS and _in_band(on.year - born.year, v),
            _ignored],
}


def _tail_search(person: Person, text: str) -> bool:
    """The search box's answer if it also matches the last four of the ID number."""
    return _name_or_card(person, text) or person.number[-4:] == text.upper()


def _oracle_pages(crawl: Crawl, name: str) -> list[Fetched]:
    """The roster answers to one filter (alone or with an "as of" date)."""
    return [p for p in crawl.pages if p.path == "/members" and p.status == 200 and name in p.params
            and set(p.params) <= {name, "on"}]


def _listed(person: Person, born: date, page: Fetched, name: str, meaning: Meaning) -> bool:
    return _joined_by(person, page) and meaning(born, page.params[name], _on(page))


def _meaning(crawl: Crawl, people: list[Person], name: str) -> Meaning:
    """The most revealing meaning of a filter that agrees with every answer the server gave."""
    pages = _oracle_pages(crawl, name)
    for meaning in MEANINGS[name]:
        if all((p.name in page.text) == _listed(p, p.born, page, name, meaning) for page in pages for p in people):
            return meaning
    pytest.fail(f"the roster's {name} filter answers in a way no known meaning explains")


def _on(page: Fetched) -> date:
    return date.fromisoformat(page.params["on"]) if "on" in page.params else TODAY


def _joined_by(person: Person, page: Fetched) -> bool:
    return person.joined <= _on(page)


def knowledge(office: Office, role: str, person: Person) -> Knowledge:
    """Everything `role` saw that narrows `person`'s ID number and phone."""
    crawl = office.crawls[role]
    start, end = EARLIEST_BIRTH, _years_before(person.joined, 16)
    known = Knowledge(days={start + timedelta(days=n) for n in range((end - start).days + 1)})
    for page in crawl.pages:
        _learn_from_page(known, page, person)
    for name in MEANINGS:
        _learn_from_filter(known, crawl, office.people, person, name)
    _learn_from_searches(known, crawl, office.people, person)
    return known


def _learn_from_page(known: Knowledge, page: Fetched, person: Person) -> None:
    """What a page shows: a whole number anywhere (attributes too), and what the member's rows show."""
    if person.number in page.text or person.number in page.raw:
        known.id_chars.update(dict(enumerate(person.number)))
    if person.phone in page.text or person.phone in page.raw:
        known.phone_chars.update(dict(enumerate(person.phone)))
    for context in _contexts(page, person):
        known.seen_on += 1
        _read_number(known.id_chars, person.number, context, r"[0-9Xx*]{4,}")
        _read_number(known.phone_chars, person.phone, context, r"[0-9*]{4,}")
        known.days = _birth_shown(person, context, known.days)


def _learn_from_filter(known: Knowledge, crawl: Crawl, people: list[Person], person: Person, name: str) -> None:
    """Whether the member is listed under each value of a birth filter, read with its most revealing meaning."""
    meaning = _meaning(crawl, people, name)
    for page in _oracle_pages(crawl, name) if meaning is not _ignored else ():
        listed = person.name in page.text
        known.days = {d for d in known.days if _listed(person, d, page, name, meaning) == listed}


def _learn_from_searches(known: Knowledge, crawl: Crawl, people: list[Person], person: Person) -> None:
    """If the search box also matches ID tails (every answer agrees), a typed tail that lists the member is theirs."""
    searches = _oracle_pages(crawl, "q")
    if not all((p.name in page.text) == _tail_search(p, page.params["q"]) for page in searches for p in people):
        return
    for page in searches:
        value = page.params["q"].upper()
        if person.name in page.text and not _name_or_card(person, value):
            known.id_chars.update({14 + i: c for i, c in enumerate(value)})


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# -- counting ----------------------------------------------------------------------------------------------------------


def _fits(chars: dict[int, str], start: int, text: str) -> bool:
    return all(chars.get(start + i, c) == c for i, c in enumerate(text))


def id_candidates(person: Person, known: Knowledge) -> int:
    """ID numbers consistent with what is known (area code and gender assumed known), up to BOUND."""
    if len(known.id_chars) == len(person.number):
        return 1
    days = [f"{d:%Y%m%d}" for d in known.days if _fits(known.id_chars, 6, f"{d:%Y%m%d}")]
    parity = 1 if person.gender == "M" else 0
    seqs = [f"{s:03d}" for s in range(1000) if s % 2 == parity and _fits(known.id_chars, 14, f"{s:03d}")]
    if 17 not in known.id_chars:
        return len(days) * len(seqs)
    count = 0
    for day_ in days:
        for seq in seqs:
            count += id_check_digit(person.area + day_ + seq) == known.id_chars[17]
            if count >= BOUND:
                return count
    return count


def phone_candidates(known: Knowledge) -> int:
    """Mobile numbers consistent with what is shown, the first seven digits assumed known."""
    return 10 ** sum(1 for i in range(7, 11) if i not in known.phone_chars)


NON_CLERKS = [r for r in STAFF_ROLES if r != CLERK]


# -- the attacks -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_CLERKS)
def test_no_id_number_can_be_rebuilt_from_what_the_role_sees(attacked: Office, role: str) -> None:
    for person in attacked.people:
        known = knowledge(attacked, role, person)
        assert known.seen_on, f"{role} never saw {person.name}: the crawl proves nothing"
        assert id_candidates(person, known) >= BOUND, (
            f"{role} narrows {person.name}'s ID number to {id_candidates(person, known)} candidates, seeing "
            f"{sorted(known.id_chars.items())} and {len(known.days)} possible birth dates")


@pytest.mark.parametrize("role", NON_CLERKS)
def test_no_phone_number_can_be_rebuilt_from_what_the_role_sees(attacked: Office, role: str) -> None:
    for person in attacked.people:
        known = knowledge(attacked, role, person)
        assert phone_candidates(known) >= BOUND, (
            f"{role} narrows {person.name}'s phone to {phone_candidates(known)}: {sorted(known.phone_chars.items())}")


def test_the_office_clerk_who_admits_members_sees_their_numbers_whole(attacked: Office) -> None:
    for person in attacked.people:
        known = knowledge(attacked, CLERK, person)
        assert id_candidates(person, known) == 1
        assert phone_candidates(known) == 1
        assert known.days == {person.born}


def test_every_page_that_shows_a_whole_id_or_phone_number_is_never_stored(attacked: Office) -> None:
    whole = [p.number for p in attacked.people] + [p.phone for p in attacked.people] + [STAFF_PHONE]
    revealing = [(crawl.role, page) for crawl in attacked.crawls.values() for page in crawl.pages
                 if any(w in page.text for w in whole)]
    assert {role for role, _page in revealing} == {CLERK, "admin"}  # the clerk's members, the admin's accounts
    for role, page in revealing:
        assert "no-store" in page.cache_control, f"{page.path} shows a whole number to {role} and may be cached"


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_attack_reads_every_page_the_route_table_lets_the_role_read(attacked: Office, role: str) -> None:
    """The attack is only as good as its reach: every GET route the role may use, for every record, answered."""
    crawl = attacked.crawls[role]
    answered = {page.path for page in crawl.pages if page.status == 200}
    assert crawl.seeds
    assert {urlsplit(url).path for url in crawl.seeds} <= answered


# -- the same attacks, one at a time --------------------------------------------------------------------------------


@pytest.fixture
def zhang(backend: Backend) -> Person:
    """One member, admitted by the office clerk, with the ID number and phone the attacker is after."""
    person = PEOPLE[0]
    clerk = backend.office.context(str(user_id_of(backend, CLERK)), CLERK)
    body = "91210102MA0000888"
    unit = backend.office.register_enterprise(clerk, name="新华机械厂", credit_code=body + credit_check_char(body),
                                              ownership="private", community="新华社区", workers=40, women=13)
    union = backend.office.found_union(clerk, name="新华机械厂工会", kind="enterprise", parent_id=None, workers=40,
                                       approver=approving_level(40, 7, 50), approval_ref="和工批1号", covers=[unit])
    number = _id_number(person, 7)
    member_id = backend.office.admit_member(
        clerk, name=person.name, gender=person.gender, birth_date=person.born, id_number=number, union_id=union,
        joined_on=person.joined, phone=person.phone)
    backend.read_models.catch_up()
    return Person(**{**person.__dict__, "number": number, "member_id": str(member_id)})


def _found(session: Session, query: str, person: Person) -> bool:
    return f"/members/{person.member_id}" in session.get(f"/members?{query}", headers={"HX-Request": "true"}).text


@pytest.mark.parametrize("role", NON_CLERKS)
def test_a_search_by_the_last_four_of_the_id_number_finds_nobody_for_a_non_clerk(
        app: Flask, zhang: Person, role: str) -> None:
    assert not _found(login(app.test_client(), username_of(role)), f"q={zhang.number[-4:]}", zhang)


def test_a_search_by_the_last_four_of_the_id_number_finds_the_member_for_the_clerk(app: Flask, zhang: Person) -> None:
    assert _found(login(app.test_client(), CLERK), f"q={zhang.number[-4:]}", zhang)


def test_bisecting_an_as_of_age_band_tells_a_cashier_nothing_about_a_birthday(app: Flask, zhang: Person) -> None:
    """The reviewer's attack: ask who was 30–39 the day before and on the 30th birthday."""
    eve, birthday = (date(2020, 5, 16), date(2020, 5, 17))
    cashier, clerk = login(app.test_client(), "cashier"), login(app.test_client(), CLERK)
    assert _found(cashier, f"age=30s&on={eve}", zhang) == _found(cashier, f"age=30s&on={birthday}", zhang)
    assert (_found(clerk, f"age=30s&on={eve}", zhang), _found(clerk, f"age=30s&on={birthday}", zhang)) == (
        False, True)


def test_the_birthday_list_of_a_month_is_the_clerks(app: Flask, zhang: Person) -> None:
    """MEM-07 greetings are the office's work; for anyone else the month is not a filter that tells."""
    cashier, clerk = login(app.test_client(), "cashier"), login(app.test_client(), CLERK)
    assert _found(cashier, "birthday=5", zhang) == _found(cashier, "birthday=6", zhang)
    assert (_found(clerk, "birthday=5", zhang), _found(clerk, "birthday=6", zhang)) == (True, False)


def test_a_non_clerk_sees_neither_birth_date_nor_year_on_the_member_page(app: Flask, zhang: Person) -> None:
    page = login(app.test_client(), "chair").get(f"/members/{zhang.member_id}").text
    assert "仅办公室可见" in page
    assert str(zhang.born.year) not in page


def test_the_clerks_member_page_shows_the_whole_numbers_and_is_never_stored(app: Flask, zhang: Person) -> None:
    response = login(app.test_client(), CLERK).get(f"/members/{zhang.member_id}")
    assert zhang.number in response.text
    assert zhang.phone in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_the_clerks_roster_whose_birth_dates_rebuild_the_masked_numbers_is_never_stored(
        app: Flask, zhang: Person) -> None:
    response = login(app.test_client(), CLERK).get("/members")
    assert f"{zhang.born.year}年{zhang.born.month}月{zhang.born.day}日" in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_a_masked_member_page_may_be_kept_by_the_browser(app: Flask, zhang: Person) -> None:
    """no-store goes with whole numbers, not with every page (the back button keeps working)."""
    response = login(app.test_client(), "auditor").get(f"/members/{zhang.member_id}")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_admins_account_page_with_a_staff_phone_is_never_stored(app: Flask, backend: Backend) -> None:
    cashier = user_id_of(backend, "cashier")
    backend.office.change_user_phone(backend.office.context(str(user_id_of(backend, "admin")), "admin"), cashier,
                                     STAFF_PHONE)
    backend.read_models.catch_up()
    response = login(app.test_client(), "admin").get(f"/users/{cashier}")
    assert STAFF_PHONE in response.text
    assert response.headers["Cache-Control"] == "no-store"
