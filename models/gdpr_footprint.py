"""Exact matching of one person's identifiers, and the plan of what
erasing them does (``Footprint``).

Identifiers are compared so that erasing or exporting one person never
reaches another: e-mail addresses normalised, phone numbers as full E.164
numbers, names and other free text as whole words. Candidate rows are found
through the trigram indexes of ``gdpr.search.index`` (``ILIKE``), then each
candidate is confirmed here, in Python.
"""

import re
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from markupsafe import Markup

from odoo.tools import SQL, email_normalize
from odoo.tools.sql import escape_psql

try:
    import phonenumbers
except ImportError:  # pragma: no cover - a dependency of phone_validation
    phonenumbers = None

ERASED = "[erased]"
# a free-text identifier needs two words and this many characters
MIN_TEXT_LENGTH = 6
MIN_TEXT_WORDS = 2
# account numbers and other single-word identifiers
MIN_CODE_LENGTH = 8
# models the law makes the company keep when installed, and why
LEGAL_HOLD_MODELS = {
    "account.move": "Accounting documents must be kept for the period the "
    "accounting and tax laws require (GDPR Art. 17(3)(b)).",
    "account.move.line": "Accounting entries must be kept for the period the "
    "accounting and tax laws require (GDPR Art. 17(3)(b)).",
}
# hooks below this sequence find the person's own records; the ones after
# find what hangs on them or mentions them
OWN_RECORDS = 50
ACTIONS = [
    ("anonymise", "Anonymise"),
    ("delete", "Delete"),
    ("scrub", "Remove the person's data from it"),
    ("keep", "Keep"),
    ("destroy_key", "Destroy the key of its values"),
]
# separators between the words of a name, also in HTML
_SPACE = r"(?:\s|&nbsp;|&#160;)+"
# an e-mail address is not part of a longer one
_EMAIL_BEFORE = r"(?<![\w.+\-])"
_EMAIL_AFTER = r"(?![\w\-]|\.\w)"
# a name is not part of a longer word or a double-barrelled name
_WORD_BEFORE = r"(?<![\w\-])"
_WORD_AFTER = r"(?![\w\-])"


# the personal-data map, read once for all the people of one call
_map_memo = ContextVar("crm_gdpr_map_memo", default=None)


@contextmanager
def map_read_once():
    """Within the block, the map is read once, not once per person."""
    token = _map_memo.set({})
    try:
        yield
    finally:
        _map_memo.reset(token)


def ilike_pattern(*words):
    """The (I)LIKE pattern of the text holding ``words`` in this order: the
    one way the add-on searches text in SQL."""
    return "%" + "%".join(escape_psql(word) for word in words) + "%"


def normalize_email(value):
    return email_normalize(value or "", strict=True) or None


def e164(number, country_code=None):
    """``number`` as a full E.164 number ("+48601222333"), read in the
    country ``country_code`` when it has no international prefix; None when
    it is not a possible phone number."""
    if not number or not isinstance(number, str):
        return None
    if phonenumbers is None:
        digits = re.sub(r"\D", "", number)
        return "+" + digits if number.strip().startswith("+") and digits else None
    try:
        parsed = phonenumbers.parse(number, (country_code or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_formats(number):
    """The literal spellings of an E.164 number that can be searched in
    free text: its national digits, and its national groups as the
    numbering plan writes them, with a space, a hyphen or a dot."""
    if phonenumbers is None:
        return {number[-9:]}
    parsed = phonenumbers.parse(number)
    digits = phonenumbers.national_significant_number(parsed)
    international = phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    groups = international.split(" ", 1)[1] if " " in international else digits
    formats = {digits, groups}
    for separator in ("-", "."):
        formats.add(groups.replace(" ", separator))
    return {f for f in formats if len(re.sub(r"\D", "", f)) >= 5}


def phone_suffix(number):
    """The last nine digits of a phone number: the form of the suppression
    hashes made before numbers were compared in full."""
    digits = re.sub(r"\D", "", number or "")
    return digits[-9:] if len(digits) >= 6 else None


def clean_text(value):
    return " ".join((value or "").split())


def text_problem(value):
    """Why ``value`` cannot identify a person in free text, or None."""
    text = clean_text(value)
    words = re.findall(r"\w+", text)
    if len(words) == 1 and len(text) >= MIN_CODE_LENGTH and re.search(r"\d", text):
        return None  # an account or document number
    if len(words) < MIN_TEXT_WORDS or len(text) < MIN_TEXT_LENGTH:
        return "short"
    if sum(len(word) >= 2 for word in words) < MIN_TEXT_WORDS:
        return "short"
    return None


def text_regex(value):
    words = clean_text(value).split(" ")
    return _WORD_BEFORE + _SPACE.join(map(re.escape, words)) + _WORD_AFTER


def email_regex(value):
    return _EMAIL_BEFORE + re.escape(value) + _EMAIL_AFTER


def searched_expression(columns):
    """The SQL expression searched for a table's text columns: the same
    expression as the table's trigram index, so that the index is used."""
    return SQL(
        "(%s)",
        SQL(" || ' ' || ").join(
            SQL("COALESCE(%s::text, '')", SQL.identifier(column)) for column in columns
        ),
    )


@dataclass
class Footprint:
    """Where one person's data lives: their records, the identifiers that
    find them in other places, and the places found."""

    label: str
    partners: object
    leads: object
    emails: set = field(default_factory=set)
    phones: set = field(default_factory=set)  # E.164
    texts: set = field(default_factory=set)
    # the DPO named the parent contact: its child contacts are included
    with_children: bool = False
    # search free text (messages, files, meetings, copies) for mentions;
    # retention anonymises the records of many people without it
    scan_text: bool = True
    # (model, action) -> {res_id: reason}
    places: dict = field(default_factory=lambda: defaultdict(dict))
    # identifiers left out, and why (shown in the preview)
    notes: list = field(default_factory=list)
    # the ids of the companies whose records may be reached (None: all):
    # each company's DPO answers for its own records
    companies: object = None
    _regex: object = None
    _regions: object = None

    # -- the plan ------------------------------------------------------

    def add(self, records, action, reason):
        """Plan ``action`` on ``records``; a record kept for a legal reason
        is kept whatever else would be done to it."""
        company = records._fields.get("company_id")
        if self.companies is not None and company and company.store:
            records = records.filtered(
                lambda r: not r.company_id or r.company_id.id in self.companies
            )
        kept = self.places.get((records._name, "keep"), {})
        for record_id in records.ids:
            if action == "keep":
                for (model, other), reasons in self.places.items():
                    if model == records._name and other != "keep":
                        reasons.pop(record_id, None)
            elif record_id in kept:
                continue
            self.places[(records._name, action)].setdefault(record_id, reason)

    def ids(self, model, action=None, with_kept=False):
        """Ids of ``model`` planned for ``action``, or for any change (and
        kept ones too, ``with_kept``)."""
        if action is None:
            skipped = ("destroy_key",) if with_kept else ("keep", "destroy_key")
            return sorted(
                {
                    res_id
                    for (name, act), reasons in self.places.items()
                    if name == model and act not in skipped
                    for res_id in reasons
                }
            )
        return list(self.places.get((model, action), {}))

    def records(self, env, model, action):
        return (
            env[model].browse(self.ids(model, action)).with_context(active_test=False)
        )

    def is_empty(self):
        return not any(
            reasons
            for (_model, action), reasons in self.places.items()
            if action != "keep"
        )

    def listing(self):
        """The places as plain data, sorted."""
        return [
            {"model": model, "res_id": res_id, "action": action, "reason": reason}
            for (model, action), reasons in sorted(self.places.items())
            for res_id, reason in sorted(reasons.items())
        ]

    # -- matching ------------------------------------------------------

    def text_patterns(self):
        """ILIKE patterns that find the candidate rows mentioning the person:
        every match of ``matches`` contains one of them."""
        if not self.scan_text:
            return []
        patterns = set()
        for email in self.emails:
            patterns.add(ilike_pattern(email))
        for text in self.texts:
            patterns.add(ilike_pattern(*clean_text(text).split()))
        for number in self.phones:
            patterns.update(map(ilike_pattern, phone_formats(number)))
        return sorted(patterns)

    def _text_regex(self):
        if self._regex is None:
            parts = [email_regex(email) for email in self.emails]
            parts += [text_regex(text) for text in self.texts]
            # longest first, so that a name inside an address goes with it
            parts.sort(key=len, reverse=True)
            self._regex = re.compile("|".join(parts), re.IGNORECASE) if parts else False
        return self._regex

    def _phone_spans(self, text):
        if not self.phones or phonenumbers is None or not re.search(r"\d{2}", text):
            return []
        spans = []
        if self._regions is None:
            self._regions = {
                phonenumbers.region_code_for_number(phonenumbers.parse(number))
                for number in self.phones
            }
        for region in self._regions:
            for match in phonenumbers.PhoneNumberMatcher(
                text, region, leniency=phonenumbers.Leniency.POSSIBLE
            ):
                number = phonenumbers.format_number(
                    match.number, phonenumbers.PhoneNumberFormat.E164
                )
                if number in self.phones:
                    spans.append((match.start, match.end))
        return spans

    def matches(self, value):
        """Whether ``value`` mentions the person."""
        if not value:
            return False
        text = str(value)
        regex = self._text_regex()
        if regex and regex.search(text):
            return True
        return bool(self._phone_spans(text))

    def scrub(self, value):
        """``value`` with every identifier of the person replaced."""
        if not value:
            return value
        markup = isinstance(value, Markup)
        text = str(value)
        spans = sorted(self._phone_spans(text), reverse=True)
        for start, end in spans:
            text = text[:start] + ERASED + text[end:]
        regex = self._text_regex()
        if regex:
            text = regex.sub(ERASED, text)
        return Markup(text) if markup else text

    def scrub_value(self, value, html=False):
        """``value`` scrubbed; cleared when it was nothing but identifiers of
        the person (an e-mail field holding their address)."""
        scrubbed = self.scrub(value)
        if scrubbed == value or html:
            return scrubbed
        rest = re.sub(r"[\W_]+", "", str(scrubbed).replace(ERASED, ""))
        return scrubbed if rest else False


def find_mentions(env, model_name, columns, footprint, extra=None, per_column=False):
    """``{id: {column: value}}`` of the rows of ``model_name`` whose
    ``columns`` mention the person, or that ``extra`` (SQL) selects:
    candidates through the trigram index of the columns together (or of
    each column, ``per_column``), confirmed in Python. One query."""
    Model = env[model_name]
    columns = [c for c in columns if c in Model._fields and Model._fields[c].store]
    patterns = footprint.text_patterns()
    conditions = []
    if patterns and per_column:
        conditions += [
            SQL("%s ILIKE %s", SQL.identifier(column), p)
            for column in columns
            for p in patterns
        ]
    elif patterns and columns:
        expression = searched_expression(columns)
        conditions += [SQL("%s ILIKE %s", expression, p) for p in patterns]
    if extra is not None:
        # as is, so that its index serves the OR of the conditions
        conditions.append(extra)
    if not conditions:
        return {}
    Model.flush_model(columns)
    env.cr.execute(
        SQL(
            "SELECT id, %s, %s FROM %s WHERE %s",
            SQL("COALESCE((%s), FALSE)", extra) if extra is not None else SQL("FALSE"),
            SQL(", ").join(map(SQL.identifier, columns)) if columns else SQL("NULL"),
            SQL.identifier(Model._table),
            SQL(" OR ").join(conditions),
        )
    )
    result = {}
    for row in env.cr.fetchall():
        values = dict(zip(columns, row[2:], strict=False))
        if row[1] or any(footprint.matches(v) for v in values.values()):
            result[row[0]] = values
    return result
