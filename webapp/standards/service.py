"""Reading the catalogue: search, listing by unit, and the public view of a standard."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Text, and_, case, cast, func, literal, literal_column, or_, select
from sqlalchemy.orm import selectinload

from webapp.core.extensions import db
from webapp.core.units import Unit
from webapp.standards.models import Service

MAX_QUERY_WORDS = 8


@dataclass
class SearchResult:
    """Services found for a query, best first, and a suggestion ("Maksud Anda: ...") when words were corrected."""

    services: list[Service]
    suggestion: str = ""


FUZZY_RATIO = 80  # rapidfuzz ratio (0-100) from which a typed word counts as a typo of a word of the text
TRIGRAM_SIMILARITY = 0.5  # pg_trgm word_similarity from which a typed word counts as a typo
TITLE_HIT, TITLE_TYPO, TEXT_HIT, TEXT_TYPO, UNIT_HIT = 100, 50, 10, 5, 1


def _words(query: str | None) -> list[str]:
    return (query or "").casefold().split()[:MAX_QUERY_WORDS]


def _published(unit: Unit | None):
    statement = (
        select(Service).join(Service.unit).options(selectinload(Service.unit)).where(Service.is_published.is_(True))
    )
    if unit is not None:
        statement = statement.where(Service.unit_id == unit.id)
    return statement


def search_services(query: str | None, unit: Unit | None = None) -> list[Service]:
    """Published services matching every word of ``query``, the best first (see ``search``); all without one."""
    return search(query, unit).services


def search(query: str | None, unit: Unit | None = None) -> SearchResult:
    """Services matching every word of ``query``, ranked: a word in the title counts most, then in the content.

    A word matches when the title, the requirements, the product or the unit's name contain it, or
    the English title, summary or requirement items admin added, so English visitors can search too.
    A word the catalogue does not hold anywhere is taken as a typo and matches a word close to it:
    PostgreSQL's ``pg_trgm`` (migration 0018_search) in SQL, rapidfuzz on SQLite. Equal scores
    keep the catalogue order. Without a query every published service comes in catalogue order.
    When nothing matches, or a word was matched only as a typo, ``suggestion`` is the query with
    each word replaced by the nearest word of the catalogue.
    """
    words = _words(query)
    if not words:
        statement = _published(unit).order_by(Unit.name, Service.position, Service.title)
        return SearchResult(list(db.session.scalars(statement)))
    texts = _texts(unit)
    known = {word for word in words if any(word in t.everything for t in texts)}
    if db.session.get_bind().dialect.name == "postgresql":
        ranked, corrected = _search_postgresql(words, known, unit)
    else:
        ranked, corrected = _search_in_python(words, known, texts)
    suggestion = _suggest(words, texts) if (corrected or not ranked) else ""
    return SearchResult(ranked, suggestion if suggestion != " ".join(words) else "")


@dataclass
class _Text:
    """What search reads of one published service: its text only, one light query for the whole catalogue."""

    id: int
    title: str
    text: str
    unit_name: str
    everything: str
    key: tuple


def _english_items(stored: list | None) -> list[str]:
    """The English strings of ``Service.requirements_en`` ({"id_text", "en"} items)."""
    return [entry["en"] for entry in stored or [] if isinstance(entry, dict) and entry.get("en")]


def _texts(unit: Unit | None) -> list[_Text]:
    statement = (
        select(Service.id, Service.title, Service.search_text, Unit.short_name, Unit.name, Service.position,
               Service.title_en, Service.summary_en, Service.requirements_en)
        .join(Service.unit)
        .where(Service.is_published.is_(True))
    )
    if unit is not None:
        statement = statement.where(Service.unit_id == unit.id)
    texts = []
    for id_, title, text, short, name, position, title_en, summary_en, requirements_en in db.session.execute(statement):
        # The English title counts as the title, the English summary and items as the content.
        titles = f"{title} {title_en or ''}".casefold()
        content = " ".join([text or "", (summary_en or "").casefold(), *_english_items(requirements_en)]).casefold()
        texts.append(_Text(id_, titles, content, short.casefold(), f"{titles} {content} {short.casefold()}",
                           (name, position, title)))
    return texts


def _search_in_python(words: list[str], known: set[str], texts: list[_Text]) -> tuple[list[Service], bool]:
    """rapidfuzz scoring (SQLite). A word the catalogue holds as it is (``known``) never matches as a typo:
    without this, a real word such as "tidak" would also match "tindak" in some other standard."""
    from rapidfuzz import fuzz

    scored: list[tuple[int, tuple, int]] = []
    corrected = False
    for entry in texts:
        tokens: dict[str, set[str]] = {}  # each field tokenised once per entry, when a word first needs it
        score, typo = 0, False
        for word in words:
            found = _word_score(word, entry, known, tokens, fuzz.ratio)
            if found is None:
                score = -1
                break
            score, typo = score + found[0], typo or found[1]
        if score >= 0:
            corrected = corrected or typo
            scored.append((-score, entry.key, entry.id))
    scored.sort(key=lambda item: (item[0], item[1]))
    ids = [id_ for _, _, id_ in scored]
    if not ids:
        return [], corrected
    found = {s.id: s for s in db.session.scalars(_published(None).where(Service.id.in_(ids)))}
    return [found[id_] for id_ in ids], corrected


def _search_postgresql(words: list[str], known: set[str], unit: Unit | None) -> tuple[list[Service], bool]:
    """pg_trgm scoring in SQL; ``known`` words match exactly only, as on SQLite.

    The English text is read as it is stored (no index): it is short, and the catalogue is small.
    """
    title = func.lower(func.concat_ws(" ", Service.title, Service.title_en))
    english_items = func.jsonb_path_query_array(Service.requirements_en, literal_column("'$[*].en'::jsonpath"))
    content = func.concat_ws(
        " ", Service.search_text, func.lower(Service.summary_en), func.lower(cast(english_items, Text))
    )
    score = literal(0)
    exact_everywhere = literal(True)
    statement = _published(unit)
    for word in words:
        title_hit = title.contains(word, autoescape=True)
        text_hit = content.contains(word, autoescape=True)
        unit_hit = Unit.short_name.icontains(word, autoescape=True)
        typo_allowed = literal(word not in known)
        title_typo = and_(typo_allowed, func.word_similarity(word, title) >= TRIGRAM_SIMILARITY)
        text_typo = and_(typo_allowed, func.word_similarity(word, content) >= TRIGRAM_SIMILARITY)
        statement = statement.where(or_(title_hit, text_hit, unit_hit, title_typo, text_typo))
        score = score + case(
            (title_hit, TITLE_HIT), (title_typo, TITLE_TYPO), (text_hit, TEXT_HIT), (text_typo, TEXT_TYPO),
            else_=UNIT_HIT,
        )
        exact_everywhere = and_(exact_everywhere, or_(title_hit, text_hit, unit_hit))
    statement = statement.add_columns(score.label("score"), exact_everywhere.label("exact")).order_by(
        score.desc(), Unit.name, Service.position, Service.title
    )
    rows = db.session.execute(statement).all()
    return [row[0] for row in rows], any(not row.exact for row in rows)


_TOKEN = re.compile(r"[^\W_]{3,}")


def _word_score(word: str, entry: _Text, known: set[str], tokens: dict[str, set[str]],
                ratio: Callable[[str, str], float]) -> tuple[int, bool] | None:
    """What one query word adds to an entry's score, and whether it matched as a typo; None when it matches
    nowhere. The title before the content, each as it is and then (a word the catalogue does not hold) by
    its nearest token; the office's name last."""
    for field, text, hit, typo_score in (("title", entry.title, TITLE_HIT, TITLE_TYPO),
                                         ("text", entry.text, TEXT_HIT, TEXT_TYPO)):
        if word in text:
            return hit, False
        if word not in known:
            if field not in tokens:
                tokens[field] = _tokens(text)
            if any(ratio(word, token) >= FUZZY_RATIO for token in tokens[field]):
                return typo_score, True
    if word in entry.unit_name:
        return UNIT_HIT, False
    return None


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(text.casefold()))


def _suggest(words: list[str], texts: list[_Text]) -> str:
    """The query with each word replaced by the nearest word of the published titles and content."""
    from rapidfuzz import fuzz, process

    vocabulary: set[str] = set()
    for entry in texts:
        vocabulary |= _tokens(entry.title) | _tokens(entry.text)
    if not vocabulary:
        return ""
    choices = sorted(vocabulary)
    out = []
    for word in words:
        if word in vocabulary:
            out.append(word)
            continue
        best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=60)
        out.append(best[0] if best else word)
    return " ".join(out)


def units_with_services() -> Sequence[Unit]:
    """Every unit with its services loaded, for the home page and the catalogue."""
    statement = select(Unit).options(selectinload(Unit.services)).order_by(Unit.name)
    return db.session.scalars(statement).all()


def group_by_unit(services: list[Service]) -> list[tuple[Unit, list[Service]]]:
    """Services grouped under their unit, keeping the given order."""
    groups: dict[int, tuple[Unit, list[Service]]] = {}
    for service in services:
        groups.setdefault(service.unit_id, (service.unit, []))[1].append(service)
    return list(groups.values())


class StandardView:
    """A standard document dressed like a ``Service`` for the public templates: draft previews."""

    def __init__(self, doc: dict, unit: Unit) -> None:
        self._doc = doc
        self.unit = unit
        self.slug = doc["slug"]
        self.title = doc["title"]
        self.category = doc["category"]
        self.source = doc.get("source")
        self.source_note = doc.get("source_note")
        self.complaint_channels = doc.get("complaint_channels") or []
        self.sop = doc.get("sop")
        self.guides = doc.get("guides") or []
        self.decree = doc.get("decree")
        components = doc["components"]
        self.duration_days = (components.get("jangka_waktu") or {}).get("days")
        self.fee_amount = (components.get("biaya") or {}).get("amount")
        self.staff_count = (components.get("jumlah_pelaksana") or {}).get("count")

    def block(self, code: str) -> dict | None:
        """The component ``code`` as a block, or None when unpublished."""
        return self._doc["components"].get(code)


# --- the A4 poster: always one page ---------------------------------------------------------

POSTER_REQUIREMENT_LINES = 17  # lines of requirements that fit beside the facts at the normal size
POSTER_DENSE_LINES = 26  # lines at the small size, before the list continues "selengkapnya: pindai QR"


def _lines(text: str, per_line: int) -> int:
    return max(1, -(-len(text) // per_line))


def poster_layout(service: object) -> dict:
    """How the poster of ``service`` fits on one A4 page: the title's size, the requirements shown.

    A long title steps down in size; a long requirement list first gets a smaller type, then is
    cut, and the poster says how many more there are and points to the QR code. The print
    stylesheet also holds the sheet to one page, so a wrong estimate clips, never spills.
    """
    title = getattr(service, "title", "") or ""
    title_size = "normal" if len(title) <= 60 else "long" if len(title) <= 110 else "xlong"
    block = service.block("persyaratan") or {}  # type: ignore[attr-defined]
    texts = [item["text"] for item in block.get("items") or []] + list(block.get("paragraphs") or [])
    budget_shift = {"normal": 0, "long": 1, "xlong": 2}[title_size]
    normal = sum(_lines(t, 42) for t in texts)
    if normal <= POSTER_REQUIREMENT_LINES - budget_shift:
        return {"title_size": title_size, "dense": False, "shown": texts, "more": 0}
    shown: list[str] = []
    used = 0
    for text in texts:
        used += _lines(text, 52)
        if used > POSTER_DENSE_LINES - budget_shift:
            break
        shown.append(text)
    return {"title_size": title_size, "dense": True, "shown": shown, "more": len(texts) - len(shown)}
