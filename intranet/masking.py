"""Personal data as each role may see it: ID numbers, phone numbers and birth dates.

Only the office clerk (``ROSTER_KEEPERS``, the role that admits and verifies members) sees a member's
ID number, phone number and birth date whole. For every other role no combination of what the
intranet shows (any page, fragment, print view, search result or filter) may narrow a person's ID
number, or mobile number, to fewer than 10,000 candidates. This module is where that is decided;
``tests/web/test_personal_data_masking.py`` rebuilds the numbers from what each role sees and counts.

How an ID number is rebuilt
---------------------------
An 18-digit number is AAAAAA YYYYMMDD SSS C: the area code, the birth date, a sequence whose last digit
is odd for men and even for women, and a check digit computed from the other 17 (it adds nothing to
find and, hidden, removes nothing). We count against the worst case: the attacker knows the six-digit
area code outright (the first four digits shown plus the member's union and unit often pin it down)
and the gender (shown everywhere: lists, cadre register, women's organs), which leaves 500 sequences
(499 for women if 000 is never issued). What else is public for every member: the join date and the
admission's business date, and the admission rule "at least 16 on joining" (入会时须年满16周岁), so
the birth date is known to lie on or before the join date minus 16 years. We take births from
1900-01-01 on.

Candidates for the combinations a non-clerk could see (area code and gender known throughout):

==================================================================  ===============================
what is seen                                                        ID numbers left
==================================================================  ===============================
full birth date + first 4 + last 4 (the old display)                ≈ 1 (area × 1 date × 1 sequence
                                                                    ÷ 11 by the check digit): the
                                                                    review's 200 of 200
full birth date alone                                               500
birth year + last 4                                                 365 ÷ 11 ≈ 33
birth year (or age) + the join date of someone who joined on their  3 days × 500 = 1,500 (born Jan 3
16th birthday early in the year                                     2008, joined Jan 3 2024)
birth year + month (the birthday list) + one sequence digit         28 × 50 = 1,400
month and day (a birthday list) + the join date, born on Feb 29     leap years 1904–1968 = 17 × 500
and joined in 1985                                                  = 8,500
month and day on one page + birth year on another                   the full date: 500
a search by the last four (an oracle: try all 11,000 tails) with    (days from 1900 to join − 16
no birth information at all                                         years) ÷ 11: 3,300 for someone
                                                                    who joined in 2015; with a
                                                                    birth year 365 ÷ 11 ≈ 33
**what non-clerks see now**: first 4, gender, join date, nothing    (days from 1900 to join − 16
about the birth date, no birthday or age filter, no tail search     years) × 500 ≥ 365 × 500 =
                                                                    182,500 for anyone who joined
                                                                    in 1917 or later
==================================================================  ===============================

So birth information belongs to the clerk: any lower bound on the birth date (a year, an age, an age
band, a decade) meets the join date's upper bound for someone who joined at 16, and a month and day
alone fail for old members born on 29 February. Non-clerks see no birth date, year or age; the
roster's birthday-month and age-band filters, the birthday lists (MEM-07, the office's greetings) and
the search by the last four characters of the ID number are the clerk's, and the server ignores those
parameters from anyone else (a hidden field is not a rule). The first four digits (province and city)
stay visible: the count above already assumes the whole area code known, and they tell a number on
file from an erased one.

Phone numbers
-------------
A mobile number is 1PP HHHH SSSS: the network prefix, the HLR block (which names the city) and the
subscriber digits. An attacker who knows where a member lives narrows HHHH to that city's blocks, a
few hundred values, so "139****5678" leaves a few hundred numbers, not 10^4. Only the last four are
unguessable, so we count with the first seven known: showing none of the last four leaves
10^4 = 10,000, the bound; showing any one of them leaves 1,000. Non-clerks therefore see the first
three digits only ("139********"); a landline shows its first three characters, its 7–8 local digits
hidden. Staff accounts' phones are seen only by the admin, who records them (users pages).

Pages that show a whole number
------------------------------
Every whole value is unsealed for display through `reveal`, which marks the response (as does the
clerk's roster, whose birth dates beside the masked numbers rebuild them); one after_request rule then
sends ``Cache-Control: no-store`` so no browser or proxy keeps a copy.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, g
from flask_login import current_user
from werkzeug.wrappers import Response

from aggregates.personal_data import KeyStore, Sealed
from aggregates.roles import ROSTER_KEEPERS
from intranet import formatting

SHOWN_ID_DIGITS = 4  # the province and city; the count assumes the whole area code known anyway
SHOWN_PHONE_DIGITS = 3  # the network prefix; the last four are the only digits nobody can guess
ID_LENGTH = 18
MOBILE_LENGTH = 11


def sees_whole() -> bool:
    """Whether the signed-in user may see ID numbers, phones and birth dates whole (the office clerk)."""
    return bool(current_user.is_authenticated and current_user.has_role(*ROSTER_KEEPERS))


def must_not_store() -> None:
    """Mark this response as showing whole personal data: it is sent with Cache-Control: no-store."""
    g.whole_personal_data = True


def reveal(keys: KeyStore, sealed: Sealed | None) -> str | None:
    """Unseal a personal value to show it whole (the response is then never stored)."""
    if sealed is None:
        return None
    must_not_store()
    return keys.unseal(sealed)


def id_number_shown(masked: str | None) -> str | None:
    """The ID number as the signed-in user may see it in a list: the clerk's mask, or the first four."""
    if masked is None or sees_whole():
        return masked
    return masked[:SHOWN_ID_DIGITS] + "*" * (ID_LENGTH - SHOWN_ID_DIGITS)


def phone_shown(masked: str | None) -> str | None:
    """The phone as the signed-in user may see it in a list: the clerk's mask, or the first three."""
    if masked is None or sees_whole():
        return masked
    return masked[:SHOWN_PHONE_DIGITS] + "*" * (MOBILE_LENGTH - SHOWN_PHONE_DIGITS)


def birth_shown(born: date) -> str:
    """The birth date for the clerk; nothing for anyone else (see the table above)."""
    return formatting.day(born) if sees_whole() else ""


def _no_store(response: Response) -> Response:
    if g.get("whole_personal_data"):
        response.headers["Cache-Control"] = "no-store"
    return response


def setup(app: Flask) -> None:
    """Give templates the masks and send no-store with every page that reveals a whole value."""
    app.jinja_env.globals.update(sees_whole=sees_whole)
    app.jinja_env.filters.update(id_number_shown=id_number_shown, phone_shown=phone_shown, birth_shown=birth_shown)
    app.after_request(_no_store)
