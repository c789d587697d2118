"""Match free-text addresses (former three-level or current two-level structure) to administrative units.

One module although ~700 lines: one algorithm, whose index, matcher and result share private
types (`_Index`, `_Scope`, `_Hit`, `_Matcher`) that a split would turn into a half-public API.

Public API (used by the registry spreadsheet importer):

    match_address(text, province_hint=None) -> MatchResult
    MatchResult.best       → the Candidate when unambiguous and confident, else None
    MatchResult.ambiguous  → several plausible candidates; never pick one silently
    MatchResult.province   → the current province when all plausible candidates agree on it
    MatchResult.message    → a Vietnamese explanation, for an error row

Parts are read right to left: province, then district (former structure), then commune. A former
commune is mapped to its current commune(s) through UnitSuccession; one that was split gives one
candidate per successor (ambiguous commune, certain province).

Confidence is the product of the level scores: 1 for an exact name at each level, less for a
fuzzy name (difflib), a missing district, a former-structure name read as current and so on.

The name indexes are built once per process from the database (about half a second) and
rebuilt when units change: at once in this process (signals), within INDEX_TTL seconds in
the others (a version token: counts, highest ids and total name length). Units in candidates
are shared by all matches of the process: treat them as read-only.
"""

from __future__ import annotations

import difflib
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Count, Max, Sum
from django.db.models.functions import Length
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from .addresses import (
    CITY,
    COMMUNE,
    DISTRICT,
    EXTRA,
    PROVINCE_ALIASES,
    Part,
    accent_signature,
    accents_agree,
    has_accents,
    numbers,
    parse_address,
    unit_key,
    unit_type,
)
from .models import Level, Structure, Unit, UnitSuccession

CONFIDENT = 0.8  # best needs at least this …
AMBIGUITY_GAP = 0.1  # … and no other candidate this close to it
INDEX_TTL = 30.0  # seconds between version checks in a long-running process

FUZZY_CUTOFF = 0.75
TYPE_MISMATCH = 0.85  # "Thị trấn X" written for "Xã X"
ACCENT_MISMATCH = 0.85  # "Tân Thạnh" written for "Tân Thành" (same letters, other diacritics)
MISSING_DISTRICT = 0.8  # former commune found in the province without its district
CURRENT_COMMUNE = 0.95  # current commune, no district: the current structure
CURRENT_UNDER_FORMER_NAME = 0.7  # current commune although the province was given by a former name
CURRENT_UNDER_DISTRICT = 0.65  # current commune name written with a former district
OTHER_FORMER_PROVINCE = 0.85  # district of another former province merged into the named one
UNUSED_PART = 0.7  # an unprefixed part left over where the commune would be
NO_PROVINCE = 0.8  # no province in the text and no hint: searched the whole country
HINT_ELSEWHERE = 0.9  # the text's province is not the hinted one
DISTRICT_ONLY = 0.5  # only the district was recognised
PROVINCE_ONLY = 0.4  # only the province was recognised
MAX_PARTS = 8
MAX_KEY = 60
MAX_CANDIDATES = 10
MAX_CACHED_RESULTS = 50_000
MAX_LISTED = 5


@dataclass
class Candidate:
    """One suggestion: the unit the text names (current or former) and where it is today.

    `current_commune` is None when the unit is a province or a district, a former commune
    without successor, or (with one candidate per successor) a former commune that was split.
    """

    unit: Unit
    current_commune: Unit | None
    current_province: Unit
    confidence: float  # 0..1
    explanation: str
    split: bool = False  # the unit is a former commune split between several current communes

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    def describe(self) -> str:
        """'Xã Tân Phú, Huyện Châu Thành, Tỉnh Đồng Tháp (trước 2025, mã 30274) → Xã Tân Phú Trung (…)'."""
        unit = self.unit
        if unit.structure == Structure.CURRENT:
            if unit.level == Level.PROVINCE:
                return unit.name
            return _("%(name)s (%(province)s, mã %(code)s)") % {
                "name": unit.name,
                "province": self.current_province.short_name,
                "code": unit.code,
            }
        chain = [unit.name]
        parent = unit.parent
        while parent is not None:
            chain.append(parent.name)
            parent = parent.parent
        former = _("%(chain)s (trước 2025, mã %(code)s)") % {"chain": ", ".join(chain), "code": unit.code}
        if self.current_commune is not None:
            template = (
                _("%(former)s → một phần nay thuộc %(current)s")
                if self.split
                else _("%(former)s → nay là %(current)s")
            )
            current = _("%(name)s (%(province)s, mã %(code)s)") % {
                "name": self.current_commune.name,
                "province": self.current_province.short_name,
                "code": self.current_commune.code,
            }
            return template % {"former": former, "current": current}
        return _("%(former)s → nay thuộc %(province)s") % {
            "former": former,
            "province": self.current_province.name,
        }


@dataclass
class MatchResult:
    query: str
    candidates: list[Candidate] = field(default_factory=list)  # best first
    note: str = ""  # what could not be recognised, for the message

    @property
    def ambiguous(self) -> bool:
        """Several candidates are about as likely as the best one."""
        cands = self.candidates
        return len(cands) > 1 and cands[1].confidence >= cands[0].confidence - AMBIGUITY_GAP

    @property
    def best(self) -> Candidate | None:
        """The candidate to use without asking: unambiguous and confident, else None."""
        if self.candidates and not self.ambiguous and self.candidates[0].confidence >= CONFIDENT:
            return self.candidates[0]
        return None

    @property
    def plausible(self) -> list[Candidate]:
        """The candidates about as likely as the best one."""
        if not self.candidates:
            return []
        floor = self.candidates[0].confidence - AMBIGUITY_GAP
        return [c for c in self.candidates if c.confidence >= floor]

    @property
    def province(self) -> Unit | None:
        """The current province when every plausible candidate lies in it (even if the commune is
        ambiguous, e.g. a former commune that was split)."""
        provinces = {c.current_province.pk: c.current_province for c in self.plausible}
        if len(provinces) == 1 and self.candidates[0].confidence >= PROVINCE_ONLY:
            return next(iter(provinces.values()))
        return None

    @property
    def unit(self) -> Unit | None:
        """The unit every plausible candidate names (a split former commune), else best's unit."""
        units = {c.unit.pk: c.unit for c in self.plausible}
        if len(units) == 1 and self.candidates[0].confidence >= CONFIDENT:
            return next(iter(units.values()))
        return None

    @property
    def message(self) -> str:
        """Vietnamese: what was found, or why nothing can be chosen and what it might be."""
        if not self.candidates:
            return _("Không xác định được địa chỉ '%(query)s': %(reason)s.") % {
                "query": self.query,
                "reason": self.note or _("không nhận ra tỉnh/thành phố, quận/huyện hay xã/phường nào"),
            }
        best = self.best
        if best is not None:
            return _("Địa chỉ '%(query)s': %(unit)s — %(percent)s%%.") % {
                "query": self.query,
                "unit": best.describe(),
                "percent": best.percent,
            }
        listed = self.plausible if self.ambiguous else self.candidates
        options = "; ".join(f"{c.describe()} — {c.percent}%" for c in listed[:MAX_LISTED])
        if len(listed) > MAX_LISTED:
            options += "; …"
        if self.ambiguous:
            text = _("Không xác định được xã: '%(query)s' có thể là: %(options)s.")
        else:
            text = _("Chưa chắc chắn về xã: '%(query)s' gần nhất là: %(options)s.")
        text %= {"query": self.query, "options": options}
        province = self.province
        if province is not None:
            text += " " + _("Tỉnh/thành phố hiện hành: %(province)s.") % {"province": province.name}
        if self.note:
            text += " " + _("Ghi chú: %(note)s.") % {"note": self.note}
        return text + " " + _("Hãy ghi rõ xã/phường, quận/huyện (nếu theo địa giới cũ) và tỉnh/thành phố.")


def match_address(text: str, *, province_hint: Unit | None = None) -> MatchResult:
    """Suggest the units a free-text address names, best first; see MatchResult.

    province_hint (a province, or any unit in it) stands in for a province missing from the text.
    """
    query = " ".join(str(text if text is not None else "").split())
    if not query:
        return MatchResult(query, [], _("địa chỉ trống"))
    index = _index()
    hint = index.units.get(getattr(province_hint, "pk", None))
    cache_key = (query, hint.pk if hint is not None else None)
    cached = index.results.get(cache_key)
    if cached is None:
        cached = _Matcher(index, parse_address(query)[-MAX_PARTS:], hint).run()
        if len(index.results) > MAX_CACHED_RESULTS:
            index.results.clear()
        index.results[cache_key] = cached
    candidates, note = cached
    # Spreadsheets repeat addresses: answer from the cache, with candidates the caller may change.
    return MatchResult(query, [replace(c) for c in candidates], note)


# --- The index -------------------------------------------------------------------------------------

Table = dict[str, list[Unit]]


class _Index:
    """Name keys → units, per level and per parent, plus successions; built from one read of the units."""

    def __init__(self) -> None:
        self.token = _version_token()
        units = list(Unit.objects.all())
        self.units: dict[int, Unit] = {u.pk: u for u in units}
        parent_field = Unit._meta.get_field("parent")
        province_field = Unit._meta.get_field("current_province")
        self.key: dict[int, str] = {}
        self.type: dict[int, str] = {}
        self.current_provinces: Table = defaultdict(list)
        self.former_provinces: Table = defaultdict(list)
        self.formers_of: dict[int, list[Unit]] = defaultdict(list)  # current province → former provinces
        self.districts_of: dict[int, Table] = defaultdict(lambda: defaultdict(list))
        self.communes_of: dict[int, Table] = defaultdict(lambda: defaultdict(list))  # former district → …
        self.former_communes_of: dict[int, Table] = defaultdict(lambda: defaultdict(list))  # former prov.
        self.current_communes_of: dict[int, Table] = defaultdict(lambda: defaultdict(list))
        self.all_districts: Table = defaultdict(list)
        self.all_former_communes: Table = defaultdict(list)
        self.all_current_communes: Table = defaultdict(list)
        # Navigating parent/current_province on a candidate must not query.
        for u in units:
            parent_field.set_cached_value(u, self.units.get(u.parent_id))
            province_field.set_cached_value(u, self.units.get(u.current_province_id))
            self.key[u.pk] = unit_key(u.name, u.division_type)
            self.type[u.pk] = unit_type(u.division_type)
        for u in units:
            key = self.key[u.pk]
            if u.structure == Structure.CURRENT:
                if u.level == Level.PROVINCE:
                    self.current_provinces[key].append(u)
                elif u.level == Level.COMMUNE:
                    self.current_communes_of[u.current_province_id][key].append(u)
                    self.all_current_communes[key].append(u)
            elif u.level == Level.PROVINCE:
                self.former_provinces[key].append(u)
                self.formers_of[u.current_province_id].append(u)
            elif u.level == Level.DISTRICT:
                self.districts_of[u.parent_id][key].append(u)
                self.all_districts[key].append(u)
            elif u.level == Level.COMMUNE:
                self.communes_of[u.parent_id][key].append(u)
                district = self.units.get(u.parent_id)
                if district is not None:
                    self.former_communes_of[district.parent_id][key].append(u)
                self.all_former_communes[key].append(u)
        for alias, key in PROVINCE_ALIASES.items():
            for table in (self.current_provinces, self.former_provinces):
                if key in table and alias not in table:
                    table[alias] = table[key]
        # Successions into current communes (communes, and the island districts without communes).
        self.successions: dict[int, list[UnitSuccession]] = defaultdict(list)
        self.successors: dict[int, list[Unit]] = defaultdict(list)
        former_field = UnitSuccession._meta.get_field("former")
        current_field = UnitSuccession._meta.get_field("current")
        for s in UnitSuccession.objects.all():
            former, current = self.units.get(s.former_id), self.units.get(s.current_id)
            if former is None or current is None:
                continue
            former_field.set_cached_value(s, former)
            current_field.set_cached_value(s, current)
            self.successions[s.former_id].append(s)
            if current.level == Level.COMMUNE:
                self.successors[s.former_id].append(current)
        for successors in self.successors.values():
            successors.sort(key=lambda u: (u.sort_key, u.code))
        self._fuzzy: dict[tuple[int, str], list[tuple[str, float]]] = {}
        self._fuzzy_lock = threading.Lock()
        self._signatures: dict[int, tuple] = {}
        self.results: dict[tuple[str, int | None], tuple[list[Candidate], str]] = {}

    def fuzzy(self, table: Table, key: str) -> list[tuple[str, float]]:
        """Keys of the table close to key (never pairing different numbers), with their ratio."""
        cache_key = (id(table), key)
        found = self._fuzzy.get(cache_key)
        if found is None:
            wanted = numbers(key)
            found = []
            matcher = difflib.SequenceMatcher(b=key, autojunk=False)
            for other in table:
                matcher.set_seq1(other)
                if (
                    matcher.real_quick_ratio() >= FUZZY_CUTOFF
                    and matcher.quick_ratio() >= FUZZY_CUTOFF
                    and numbers(other) == wanted
                ):
                    ratio = matcher.ratio()
                    if ratio >= FUZZY_CUTOFF:
                        found.append((other, ratio))
            found.sort(key=lambda item: -item[1])
            found = found[:4]
            with self._fuzzy_lock:
                if len(self._fuzzy) > 100_000:
                    self._fuzzy.clear()
                self._fuzzy[cache_key] = found
        return found

    def signature(self, unit: Unit) -> tuple:
        """Accent signature of the unit's name without its type, computed once."""
        found = self._signatures.get(unit.pk)
        if found is None:
            found = self._signatures[unit.pk] = accent_signature(unit.short_name)
        return found

    def prefetch_successions(self, unit: Unit) -> None:
        """Let resolve_current() and Located.locate() use the loaded successions, without a query."""
        cache = getattr(unit, "_prefetched_objects_cache", None)
        if cache is None:
            cache = unit._prefetched_objects_cache = {}
        if "successions" not in cache:
            queryset = unit.successions.all()
            queryset._result_cache = list(self.successions.get(unit.pk, ()))
            queryset._prefetch_done = True
            cache["successions"] = queryset


def _version_token() -> tuple:
    """Changes whenever units or successions are added, removed or renamed (in practice)."""
    units = Unit.objects.aggregate(n=Count("id"), m=Max("id"), length=Sum(Length("name")))
    links = UnitSuccession.objects.aggregate(n=Count("id"), m=Max("id"))
    return (units["n"], units["m"], units["length"], links["n"], links["m"])


_state: dict[str, object] = {"index": None, "checked": 0.0}
_lock = threading.Lock()


def _index() -> _Index:
    index = _state["index"]
    now = time.monotonic()
    if isinstance(index, _Index) and now - float(_state["checked"]) < INDEX_TTL:  # type: ignore[arg-type]
        return index
    with _lock:
        index = _state["index"]
        if isinstance(index, _Index) and now - float(_state["checked"]) < INDEX_TTL:  # type: ignore[arg-type]
            return index
        if not isinstance(index, _Index) or _version_token() != index.token:
            index = _Index()
        _state["index"], _state["checked"] = index, time.monotonic()
        return index


def reset_index(**kwargs) -> None:
    """Forget the loaded names (the next match reloads them); also a signal receiver."""
    _state["index"], _state["checked"] = None, 0.0


def expire_index() -> None:
    """Check the version token at the next match (e.g. after a rolled-back transaction)."""
    _state["checked"] = 0.0


for _model in (Unit, UnitSuccession):
    post_save.connect(reset_index, sender=_model, dispatch_uid=f"ocop.geo.matching.save.{_model.__name__}")
    post_delete.connect(
        reset_index, sender=_model, dispatch_uid=f"ocop.geo.matching.delete.{_model.__name__}"
    )


# --- Matching --------------------------------------------------------------------------------------


@dataclass
class _Hit:
    unit: Unit
    score: float
    how: str
    exact: bool = True


@dataclass
class _Scope:
    """Where to look below the province: a current province and the former provinces it stands for."""

    current: Unit | None  # None: the whole country
    formers: list[tuple[Unit, float]]
    current_factor: float  # weight of current communes
    score: float
    steps: list[str]
    province_unit: Unit | None  # the unit for a province-only candidate
    exact: bool = False  # the province name matched exactly


class _Matcher:
    def __init__(self, index: _Index, parts: list[Part], hint: Unit | None) -> None:
        self.index = index
        self.parts = parts
        self.hint = hint
        self.hint_province = self._province_of(hint) if hint is not None else None
        self.found: dict[tuple, Candidate] = {}
        self.notes: list[str] = []
        self.commune_notes: list[str] = []  # only worth saying when no commune was found at all
        self.allow_fuzzy = True

    # Lookups ------------------------------------------------------------------------------------

    def lookup(self, tables: list[tuple[Table, float]], part: Part, *, fuzzy: bool = True) -> list[_Hit]:
        """Units named by the part in the tables (each with a weight): exact keys, else fuzzy ones."""
        keys = [part.full_key] if part.kind == EXTRA else part.lookup_keys()
        keys = [k[:MAX_KEY] for k in keys]
        hits: dict[int, _Hit] = {}
        for table, weight in tables:
            for key in keys:
                for u in table.get(key, ()):
                    score = weight * self._type_factor(part, u) * self._accent_factor(part, u)
                    self._add_hit(hits, u, score, _("khớp đúng"))
        if hits or not fuzzy or not self.allow_fuzzy or part.kind == EXTRA:
            return list(hits.values())
        for table, weight in tables:
            for key in keys:
                if len(key) < 3:
                    continue
                for other, ratio in self.index.fuzzy(table, key):
                    score = weight * (0.6 + 1.4 * (ratio - FUZZY_CUTOFF))
                    for u in table[other]:
                        how = _("gần đúng %(percent)s%%") % {"percent": round(ratio * 100)}
                        self._add_hit(hits, u, score * self._type_factor(part, u), how, exact=False)
        return list(hits.values())

    @staticmethod
    def _add_hit(hits: dict[int, _Hit], unit: Unit, score: float, how: str, exact: bool = True) -> None:
        if unit.pk not in hits or hits[unit.pk].score < score:
            hits[unit.pk] = _Hit(unit, score, how, exact)

    def _accent_factor(self, part: Part, unit: Unit) -> float:
        """Names that differ only in their diacritics are told apart by the diacritics written."""
        written = accent_signature(part.raw)
        if not has_accents(written):
            return 1.0
        return 1.0 if accents_agree(written, self.index.signature(unit)) else ACCENT_MISMATCH

    def _type_factor(self, part: Part, unit: Unit) -> float:
        if not part.type_word or part.kind == EXTRA:
            return 1.0
        return 1.0 if part.type_word == self.index.type[unit.pk] else TYPE_MISMATCH

    def _province_of(self, unit: Unit) -> Unit | None:
        unit = self.index.units.get(unit.pk, unit)
        return self.index.units.get(unit.current_province_id)

    # Steps --------------------------------------------------------------------------------------

    def run(self) -> tuple[list[Candidate], str]:
        # Exact names first; fuzzy ones (slower, and guesses) only when no commune was found for sure.
        self.allow_fuzzy = False
        self._search()
        if not any(c.unit.level == Level.COMMUNE and c.confidence >= CONFIDENT for c in self.found.values()):
            self.found, self.notes, self.commune_notes = {}, [], []
            self.allow_fuzzy = True
            self._search()
        candidates = sorted(
            self.found.values(),
            key=lambda c: (
                -c.confidence,
                c.unit.structure != Structure.CURRENT,
                c.unit.sort_key,
                c.unit.code,
            ),
        )
        for c in candidates:
            if c.unit.structure == Structure.FORMER:
                self.index.prefetch_successions(c.unit)
        notes = self.notes
        if not any(c.unit.level == Level.COMMUNE for c in candidates):
            notes = self.commune_notes + notes
        return candidates[:MAX_CANDIDATES], "; ".join(dict.fromkeys(notes))

    def _search(self) -> None:
        parts = self.parts
        scopes = self._province_scopes(parts[-1]) if parts else []
        for scope in scopes:
            self._below_province(scope, parts[:-1])
        if not any(scope.exact for scope in scopes):
            # No province named for sure: the last part may be a district or a commune.
            if self.hint_province is not None:
                self._below_province(self._hint_scope(), parts)
            elif parts:
                step = _("không ghi tỉnh: tìm trong cả nước")
                self._below_province(_Scope(None, [], CURRENT_COMMUNE, NO_PROVINCE, [step], None), parts)
                if not scopes:
                    self.notes.append(
                        _("không ghi tỉnh/thành phố hoặc không nhận ra '%(part)s'")
                        % {"part": parts[-1].raw.strip()}
                    )

    def _province_scopes(self, part: Part) -> list[_Scope]:
        index = self.index
        if part.kind in (DISTRICT, COMMUNE):
            part = Part(part.raw, None, "", part.full_key, part.full_key)
        hits = self.lookup([(index.current_provinces, 1.0), (index.former_provinces, 1.0)], part)
        current_hits = [h for h in hits if h.unit.structure == Structure.CURRENT]
        former_hits = [h for h in hits if h.unit.structure == Structure.FORMER]
        by_current: dict[int, dict] = {}
        for hit in current_hits:
            entry = by_current.setdefault(hit.unit.pk, {"current": hit, "formers": []})
            entry["current"] = hit
        for hit in former_hits:
            province = self._province_of(hit.unit)
            if province is None:
                continue
            by_current.setdefault(province.pk, {"current": None, "formers": []})["formers"].append(hit)
        scopes = []
        for current_id, entry in by_current.items():
            current = index.units[current_id]
            named: _Hit | None = entry["current"]
            formers: list[tuple[Unit, float]] = [(h.unit, h.score) for h in entry["formers"]]
            score = max([h.score for h in entry["formers"]] + ([named.score] if named else []))
            if named is not None:
                listed = {f.pk for f, _w in formers}
                formers += [
                    (f, OTHER_FORMER_PROVINCE) for f in index.formers_of[current_id] if f.pk not in listed
                ]
                step = _("tỉnh %(name)s: %(how)s") % {"name": current.short_name, "how": named.how}
                province_unit = current
            else:
                best = max(entry["formers"], key=lambda h: h.score)
                step = _("tỉnh %(name)s (trước 2025, nay thuộc %(current)s): %(how)s") % {
                    "name": best.unit.short_name,
                    "current": current.short_name,
                    "how": best.how,
                }
                province_unit = best.unit
            if self.hint_province is not None and self.hint_province.pk != current_id:
                score *= HINT_ELSEWHERE
            factor = CURRENT_COMMUNE if named is not None else CURRENT_COMMUNE * CURRENT_UNDER_FORMER_NAME
            exact = any(h.exact for h in entry["formers"]) or bool(named and named.exact)
            scopes.append(_Scope(current, formers, factor, score, [step], province_unit, exact))
        return scopes

    def _hint_scope(self) -> _Scope:
        hint = self.index.units.get(self.hint.pk, self.hint)  # type: ignore[union-attr]
        current = self.hint_province
        assert current is not None
        step = _("tỉnh theo gợi ý: %(name)s") % {"name": current.short_name}
        if hint.structure == Structure.FORMER and hint.level == Level.PROVINCE:
            return _Scope(
                current, [(hint, 1.0)], CURRENT_COMMUNE * CURRENT_UNDER_FORMER_NAME, 1.0, [step], hint
            )
        formers = [(f, 1.0) for f in self.index.formers_of[current.pk]]
        return _Scope(current, formers, CURRENT_COMMUNE, 1.0, [step], current)

    def _below_province(self, scope: _Scope, parts: list[Part]) -> None:
        if not parts:
            if scope.province_unit is not None:
                self.notes.append(_("không ghi xã/phường"))
                self._add(scope.province_unit, scope.score * PROVINCE_ONLY, scope.steps)
            return
        first = parts[-1]
        second = parts[-2] if len(parts) > 1 else None
        found_before = len(self.found)
        if first.kind != COMMUNE:
            self._district_then_commune(scope, first, second)
        if first.kind not in (DISTRICT, CITY):
            factor = 1.0
            if first.kind is None and second is not None and second.kind in (None, COMMUNE):
                # "Tân Phú, Châu Thành, …" read as commune "Châu Thành" would leave "Tân Phú" unused.
                factor = UNUSED_PART if second.kind is None else UNUSED_PART * UNUSED_PART
            self._commune_without_district(scope, first, factor)
        if len(self.found) == found_before:
            if first.kind != EXTRA and scope.current is not None:
                where = scope.province_unit.short_name if scope.province_unit else _("cả nước")
                self.notes.append(
                    _("không tìm thấy '%(part)s' ở %(where)s") % {"part": first.raw.strip(), "where": where}
                )
            if scope.province_unit is not None:
                self._add(scope.province_unit, scope.score * PROVINCE_ONLY, scope.steps)

    def _district_tables(self, scope: _Scope) -> list[tuple[Table, float]]:
        if scope.current is None:
            return [(self.index.all_districts, 1.0)]
        return [(self.index.districts_of[f.pk], w) for f, w in scope.formers]

    def _district_then_commune(self, scope: _Scope, part: Part, commune_part: Part | None) -> None:
        fuzzy = scope.current is not None
        for district in self.lookup(self._district_tables(scope), part, fuzzy=fuzzy):
            score = scope.score * district.score
            steps = [
                *scope.steps,
                _("huyện %(name)s: %(how)s") % {"name": district.unit.name, "how": district.how},
            ]
            if scope.current is None:
                score *= NO_PROVINCE
            found = False
            if commune_part is not None:
                for commune in self.lookup([(self.index.communes_of[district.unit.pk], 1.0)], commune_part):
                    found = True
                    how = _("xã %(name)s: %(how)s") % {"name": commune.unit.name, "how": commune.how}
                    self._add(commune.unit, score * commune.score, [*steps, how])
                if not found and scope.current is not None:
                    # A current commune written with its former district.
                    table = self.index.current_communes_of[scope.current.pk]
                    for commune in self.lookup([(table, CURRENT_UNDER_DISTRICT)], commune_part):
                        found = True
                        how = _("xã hiện hành %(name)s: %(how)s, không thuộc huyện đã ghi") % {
                            "name": commune.unit.name,
                            "how": commune.how,
                        }
                        self._add(commune.unit, score * commune.score, [*steps, how])
                if not found and commune_part.kind != EXTRA:
                    self.commune_notes.append(
                        _("không tìm thấy xã '%(part)s' ở %(district)s")
                        % {"part": commune_part.raw.strip(), "district": district.unit.name}
                    )
            if not found:
                if commune_part is None:
                    self.notes.append(_("không ghi xã/phường"))
                self._add(district.unit, score * DISTRICT_ONLY, steps)

    def _commune_without_district(self, scope: _Scope, part: Part, factor: float) -> None:
        index = self.index
        score = scope.score * factor
        if scope.current is None:
            former_tables = [(index.all_former_communes, MISSING_DISTRICT)]
            current_tables = [(index.all_current_communes, CURRENT_COMMUNE)]
        else:
            former_tables = [(index.former_communes_of[f.pk], w * MISSING_DISTRICT) for f, w in scope.formers]
            current_tables = [(index.current_communes_of[scope.current.pk], scope.current_factor)]
        fuzzy = scope.current is not None
        for commune in self.lookup(current_tables, part, fuzzy=fuzzy):
            how = _("xã hiện hành %(name)s: %(how)s") % {"name": commune.unit.name, "how": commune.how}
            self._add(commune.unit, score * commune.score, [*scope.steps, how])
        for commune in self.lookup(former_tables, part, fuzzy=fuzzy):
            how = _("xã %(name)s (trước 2025, %(district)s): %(how)s, không ghi huyện") % {
                "name": commune.unit.name,
                "district": commune.unit.parent.name if commune.unit.parent else "",
                "how": commune.how,
            }
            self._add(commune.unit, score * commune.score, [*scope.steps, how])

    # Candidates ---------------------------------------------------------------------------------

    def _add(self, unit: Unit, confidence: float, steps: list[str]) -> None:
        index = self.index
        province = index.units.get(unit.current_province_id)
        if province is None:
            return
        confidence = round(min(1.0, confidence), 4)
        explanation = "; ".join(steps)
        if unit.structure == Structure.CURRENT:
            targets = [unit] if unit.level == Level.COMMUNE else [None]
        else:
            targets = list(index.successors.get(unit.pk, ())) or [None]
            if unit.level == Level.DISTRICT and len(targets) > 1:
                targets = [None]
        split = len(targets) > 1
        for target in targets:
            target_province = index.units.get(target.current_province_id) if target else province
            if split:
                key: tuple = ("split", unit.pk, target.pk)  # type: ignore[union-attr]
                note = _("xã cũ đã chia, một phần nay thuộc %(name)s") % {"name": target.name}  # type: ignore[union-attr]
                text = f"{explanation}; {note}"
            elif target is not None:
                key, text = ("commune", target.pk), explanation
            else:
                key, text = ("unit", unit.pk), explanation
            candidate = Candidate(unit, target, target_province or province, confidence, text, split)
            existing = self.found.get(key)
            # Two former communes equally likely, with one current successor: the current commune
            # is sure, the former one is not.
            rival = (
                existing is not None
                and target is not None
                and existing.unit.pk != unit.pk
                and existing.unit.structure == unit.structure == Structure.FORMER
                and abs(existing.confidence - confidence) <= AMBIGUITY_GAP
            )
            if existing is None or existing.confidence < confidence:
                if rival:
                    candidate.unit = target  # type: ignore[assignment]
                self.found[key] = candidate
            elif rival:
                existing.unit = target  # type: ignore[assignment]
