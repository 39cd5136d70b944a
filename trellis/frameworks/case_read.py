"""Reading a CASE package: parse and check it into a plain structure, without touching the
database.

Reading is lenient where CASE packages in the wild differ (CASE 1.0 and 1.1, OpenSALT's string
sequence numbers, 1.0 members such as CFDocumentURI, Markdown, non-BMP text, the pre-final
draft shape with originNodeIdentifier, educationalLevel and ASN URLs as identifiers), and strict
about everything Trellis stores: each element's type and range is checked, identifiers and texts
must fit their columns (on PostgreSQL too), and texts are kept exactly as given (no trimming),
so that an export gives back what came in. Every problem names its element
(`CFItems[3].identifier`); a package with any error is refused whole.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from trellis.frameworks.case import (
    ASSOCIATION_FIELDS,
    CRITERION_FIELDS,
    DEFINITION_SHAPES,
    DOCUMENT_FIELDS,
    ITEM_FIELDS,
    LEVEL_FIELDS,
    LINK_FIELDS,
    RUBRIC_FIELDS,
    TREE,
)
from trellis.frameworks.problems import Problem, Problems

# Column sizes of the models (PostgreSQL refuses longer values; SQLite would keep them).
IDENTIFIER_MAX = 500
URI_MAX = 2000
CODE_MAX = 200
TYPE_MAX = 200
TITLE_MAX = 500
LEVEL_NAME_MAX = 200
ASSOCIATION_TYPE_MAX = 100
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# CASE objects are a few levels deep; extensions may nest a little more. Deeper is not a package.
MAX_DEPTH = 24
# NUL cannot be stored in PostgreSQL text or jsonb; lone surrogates are not UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass
class CaseItem:
    identifier: str
    uri: str
    full_statement: str
    human_coding_scheme: str
    abbreviated_statement: str
    item_type: str
    fields: dict[str, Any]
    element: str  # where it is in the package, e.g. CFItems[3]
    parent: str | None = None  # identifier of the parent item; None = top level
    position: int = 0
    placement_identifier: str = ""
    placement_fields: dict[str, Any] = field(default_factory=dict)
    criterion_identifier: str = ""
    criterion_fields: dict[str, Any] = field(default_factory=dict)
    # level position → (description, level identifier, other level fields)
    descriptors: dict[int, tuple[str, str, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class CasePackage:
    """A checked CASE package: everything an import writes, nothing read from the database."""

    filename: str
    identifier: str
    uri: str
    title: str
    document: dict[str, Any]
    definitions: dict[str, Any]
    items: list[CaseItem]
    levels: list[tuple[int, str, float | None]]  # (position, name, score)
    associations: list[dict[str, Any]]
    rubric: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _storable(problems: Problems, package: Any) -> None:
    """Every value must be storable as it is: no NaN or infinite numbers, no text PostgreSQL
    cannot hold, nothing nested deeper than a package can be."""
    stack: list[tuple[Any, str, int]] = [(package, "", 0)]
    while stack and not problems.full():
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.error(path, f"is nested more than {MAX_DEPTH} levels deep.")
            continue
        if isinstance(value, float) and not math.isfinite(value):
            problems.error(path, "is a number too large to store.")
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            problems.error(path, "contains a NUL character or invalid Unicode.")
        elif isinstance(value, dict):
            for key, child in value.items():
                if _UNSTORABLE.search(key):
                    problems.error(path, "has a member name with invalid characters.")
                    continue
                stack.append((child, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                stack.append((child, f"{path}[{index}]", depth + 1))


class _Reader:
    """The checks on one package; each method records problems and returns a safe value."""

    def __init__(self, problems: Problems) -> None:
        self.p = problems

    def text(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        max_len: int | None = None,
    ) -> str:
        value = obj.get(key)
        where = f"{path}.{key}"
        if value is None:
            if required:
                self.p.error(where, "is missing.")
            return ""
        if not isinstance(value, str):
            self.p.error(where, f"expected text, found {_kind(value)}.")
            return ""
        if required and not value.strip():
            self.p.error(where, "is empty.")
        if max_len is not None and len(value) > max_len:
            self.p.error(where, f"is {len(value):,} characters long; at most {max_len:,} fit.")
            return ""
        return value

    def integer(self, obj: dict[str, Any], key: str, path: str) -> int | None:
        """A whole number in the database's range; numeric text is read as OpenSALT writes it."""
        value = obj.get(key)
        where = f"{path}.{key}"
        if value is None or value == "":
            return None
        whole = isinstance(value, int) and not isinstance(value, bool)
        whole = whole or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
        whole = whole or (isinstance(value, str) and bool(re.fullmatch(r"\s*-?\d{1,12}\s*", value)))
        number = int(value) if whole else None
        if number is None:
            self.p.error(where, f"expected a whole number, found {_kind(value)}.")
            return None
        if not INT_MIN <= number <= INT_MAX:
            self.p.error(where, f"is out of range (at most {INT_MAX:,}).")
            return None
        return number

    def number(self, obj: dict[str, Any], key: str, path: str) -> float | None:
        value = obj.get(key)
        where = f"{path}.{key}"
        if value is None or value == "":
            return None
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value) if abs(value) < 1e15 else None
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number) or abs(number) >= 1e15:
            self.p.error(where, f"expected a number, found {_kind(value)} {str(value)[:20]!r}.")
            return None
        return number

    def objects(self, package: dict[str, Any], key: str, path: str = "") -> list[dict[str, Any]]:
        """A list of objects (missing or null is an empty list); anything else is an error."""
        value = package.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return []
        if not isinstance(value, list):
            self.p.error(where, f"expected a list of objects, found {_kind(value)}.")
            return []
        good = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                good.append(entry)
            else:
                self.p.error(f"{where}[{index}]", f"expected an object, found {_kind(entry)}.")
        return good if len(good) == len(value) else []

    def link(self, obj: dict[str, Any], key: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """A LinkGenURI: an object with identifier, uri and title (only the identifier is
        needed to place it)."""
        value = obj.get(key)
        where = f"{path}.{key}"
        if value is None:
            return None
        if not isinstance(value, dict) or not isinstance(value.get("identifier"), str):
            self.p.error(where, "expected an object with identifier, uri, title.")
            return None
        clean = {}
        for member in LINK_FIELDS:
            if value.get(member) is None:
                continue
            if not isinstance(value[member], str):
                self.p.error(f"{where}.{member}", f"expected text, found {_kind(value[member])}.")
                continue
            clean[member] = value[member]
        identifier = self.text(value, "identifier", where, max_len=IDENTIFIER_MAX)
        return identifier, clean


# The shape of each CASE member Trellis keeps (and writes back on export): text, text or a list
# of texts (CASE 1.0 wrote single strings where 1.1 has lists), a LinkURI object, one or a list
# of them, a number, or an object (extensions).
TEXT, TEXTS, LINK, LINKS, NUMBER, OBJECT = "text", "texts", "link", "links", "number", "object"
DOCUMENT_SPEC = {
    "frameworkType": TEXT,
    "officialSourceURL": TEXT,
    "publisher": TEXT,
    "description": TEXT,
    "subject": TEXTS,
    "subjectURI": LINKS,
    "subjectURL": LINKS,
    "language": TEXT,
    "version": TEXT,
    "adoptionStatus": TEXT,
    "statusStartDate": TEXT,
    "statusEndDate": TEXT,
    "licenseURI": LINK,
    "notes": TEXT,
    "extensions": OBJECT,
    "creator": TEXT,
    "lastChangeDateTime": TEXT,
}
ITEM_SPEC = {
    "alternativeLabel": TEXT,
    "CFItemTypeURI": LINK,
    "listEnumeration": TEXT,
    "conceptKeywords": TEXTS,
    "conceptKeywordsURI": LINK,
    "notes": TEXT,
    "subject": TEXTS,
    "subjectURI": LINKS,
    "language": TEXT,
    "educationLevel": TEXTS,
    "educationalLevel": TEXTS,
    "licenseURI": LINK,
    "statusStartDate": TEXT,
    "statusEndDate": TEXT,
    "extensions": OBJECT,
    "lastChangeDateTime": TEXT,
}
ASSOCIATION_SPEC = {
    "CFAssociationGroupingURI": LINK,
    "notes": TEXT,
    "extensions": OBJECT,
    "lastChangeDateTime": TEXT,
}
RUBRIC_SPEC = {"description": TEXT, "extensions": OBJECT, "lastChangeDateTime": TEXT}
CRITERION_SPEC = {
    "category": TEXT,
    "description": TEXT,
    "weight": NUMBER,
    "extensions": OBJECT,
    "lastChangeDateTime": TEXT,
}
LEVEL_SPEC = {"feedback": TEXT, "extensions": OBJECT, "lastChangeDateTime": TEXT}
DEFINITION_SPEC = {
    "title": TEXT,
    "description": TEXT,
    "hierarchyCode": TEXT,
    "typeCode": TEXT,
    "licenseText": TEXT,
    "keywords": TEXT,
    "extensions": OBJECT,
    "lastChangeDateTime": TEXT,
}


def _is_link(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and any(isinstance(value.get(k), str) for k in ("identifier", "uri", "title"))
        and all(value.get(k) is None or isinstance(value[k], str) for k in LINK_FIELDS)
    )


def _shape_ok(value: Any, shape: str) -> bool:
    if value is None:
        return True
    if shape == TEXT:
        return isinstance(value, str)
    if shape == TEXTS:
        return isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
    if shape == LINK:
        return _is_link(value)
    if shape == LINKS:
        return _is_link(value) or (isinstance(value, list) and all(_is_link(v) for v in value))
    if shape == NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, dict)


SHAPE_WORDS = {
    TEXT: "text",
    TEXTS: "text or a list of texts",
    LINK: "an object with identifier, uri, title",
    LINKS: "a list of objects with identifier, uri, title",
    NUMBER: "a number",
    OBJECT: "an object",
}


def _members(problems: Problems, obj: dict[str, Any], path: str, spec: dict[str, str]) -> None:
    """The members Trellis keeps and exports must have the shape CASE gives them."""
    for member, shape in spec.items():
        value = obj.get(member)
        if not _shape_ok(value, shape):
            problems.error(
                f"{path}.{member}", f"expected {SHAPE_WORDS[shape]}, found {_kind(value)}."
            )


def _kept(obj: dict[str, Any], members: tuple[str, ...]) -> dict[str, Any]:
    return {k: obj[k] for k in members if obj.get(k) not in (None, "", [])}


def read_case(data: bytes, *, filename: str) -> CasePackage:
    """Parse and check a CASE package; raise FrameworkImportError naming every problem."""
    problems = Problems()
    try:
        package = json.loads(data, parse_constant=_reject_constant)
    except RecursionError:
        problems.error("", f"The file is nested too deeply to be a CASE package ({filename}).")
    except UnicodeDecodeError:
        problems.error("", f"{filename} is not UTF-8 text.")
    except json.JSONDecodeError as error:
        problems.error("", f"{filename} is not valid JSON: {error}")
    except ValueError as error:  # a NaN/Infinity constant, a number with too many digits
        problems.error("", f"{filename} is not valid JSON: {error}")
    problems.raise_if_errors()
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        problems.error("CFDocument", "is missing: the file is not a CASE package.")
        problems.raise_if_errors()
    _storable(problems, package)
    problems.raise_if_errors()
    result = _read(package, problems, filename)
    problems.raise_if_errors()
    result.warnings = problems.warnings
    return result


def _read(package: dict[str, Any], problems: Problems, filename: str) -> CasePackage:
    r = _Reader(problems)
    document = package["CFDocument"]
    identifier = r.text(document, "identifier", "CFDocument", required=True, max_len=IDENTIFIER_MAX)
    title = r.text(document, "title", "CFDocument", required=True, max_len=TITLE_MAX)
    doc_uri = r.text(document, "uri", "CFDocument", max_len=URI_MAX)
    _members(problems, document, "CFDocument", DOCUMENT_SPEC)
    kept = _kept(document, (*DOCUMENT_FIELDS, "creator", "lastChangeDateTime"))
    # Draft and 1.0 shapes: a single subject string, subjectURL for subjectURI.
    if isinstance(kept.get("subject"), str):
        kept["subject"] = [kept["subject"]]
    if "subjectURI" not in kept and isinstance(document.get("subjectURL"), list):
        kept["subjectURI"] = document["subjectURL"]

    items: dict[str, CaseItem] = {}
    order: list[str] = []
    codes: dict[str, str] = {}
    for index, raw in enumerate(r.objects(package, "CFItems")):
        path = f"CFItems[{index}]"
        item_id = r.text(raw, "identifier", path, required=True, max_len=IDENTIFIER_MAX)
        statement = r.text(raw, "fullStatement", path, required=True)
        _members(problems, raw, path, ITEM_SPEC)
        item = CaseItem(
            identifier=item_id,
            uri=r.text(raw, "uri", path, max_len=URI_MAX),
            full_statement=statement,
            human_coding_scheme=r.text(raw, "humanCodingScheme", path, max_len=CODE_MAX),
            abbreviated_statement=r.text(raw, "abbreviatedStatement", path),
            item_type=r.text(raw, "CFItemType", path, max_len=TYPE_MAX),
            fields=_kept(raw, (*ITEM_FIELDS, "lastChangeDateTime")),
            element=path,
            position=index,
        )
        if "educationLevel" not in item.fields and raw.get("educationalLevel"):
            level = raw["educationalLevel"]
            item.fields["educationLevel"] = (
                level
                if isinstance(level, list)
                else [part.strip() for part in str(level).split(",") if part.strip()]
            )
        if not item_id.strip():
            continue
        code = item.human_coding_scheme
        if code and code in codes:
            # Codes name competencies on every page and in ratings: one code, one item.
            problems.error(
                f"{path}.humanCodingScheme", f"{code} is already the code of {codes[code]}."
            )
        codes.setdefault(code, path)
        key = item_id.lower()
        if key in items:
            problems.error(
                f"{path}.identifier", f"{item_id} is already used by {items[key].element}."
            )
            continue
        items[key] = item
        order.append(key)

    associations = _associations(r, package, identifier, items)
    _check_tree(problems, items, order)
    definitions = _definitions(r, package)
    levels, rubric = _rubric(r, package, items)
    # Siblings keep their CASE order; ties keep file order.
    rank = {key: index for index, key in enumerate(order)}
    ordered = sorted(items.values(), key=lambda i: (i.position, rank[i.identifier.lower()]))
    return CasePackage(
        filename=filename,
        identifier=identifier,
        uri=doc_uri,
        title=title,
        document=kept,
        definitions=definitions,
        items=ordered,
        levels=sorted((pos, name, score) for pos, (name, score) in levels.items()),
        associations=associations,
        rubric=rubric,
    )


def _associations(
    r: _Reader, package: dict[str, Any], doc_id: str, items: dict[str, CaseItem]
) -> list[dict[str, Any]]:
    problems = r.p
    doc_key = doc_id.lower()
    others: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for index, association in enumerate(r.objects(package, "CFAssociations")):
        path = f"CFAssociations[{index}]"
        assoc_id = r.text(association, "identifier", path, required=True, max_len=IDENTIFIER_MAX)
        kind = r.text(
            association, "associationType", path, required=True, max_len=ASSOCIATION_TYPE_MAX
        )
        r.text(association, "uri", path, max_len=URI_MAX)
        _members(problems, association, path, ASSOCIATION_SPEC)
        ends = []
        for end in ("origin", "destination"):
            link = r.link(association, f"{end}NodeURI", path)
            # The draft shape carries the identifier beside the link.
            beside = r.text(association, f"{end}NodeIdentifier", path, max_len=IDENTIFIER_MAX)
            node_id, clean = link if link is not None else ("", {})
            node_id = node_id or beside
            if node_id and "identifier" not in clean:
                clean["identifier"] = node_id
            if not node_id.strip():
                problems.error(f"{path}.{end}NodeURI", "is missing (no identifier).")
            ends.append((node_id, clean))
        sequence = r.integer(association, "sequenceNumber", path)
        if not assoc_id.strip() or not kind.strip():
            continue
        if assoc_id.lower() in seen:
            problems.error(
                f"{path}.identifier", f"{assoc_id} is already used by {seen[assoc_id.lower()]}."
            )
            continue
        seen[assoc_id.lower()] = path
        (origin_id, origin), (destination_id, destination) = ends
        fields = {
            k: association[k]
            for k in (*ASSOCIATION_FIELDS, "lastChangeDateTime", "uri")
            if association.get(k) not in (None, "")
        }
        entry = {
            "identifier": assoc_id,
            "type": kind,
            "origin": origin_id,
            "destination": destination_id,
            "origin_link": origin,
            "destination_link": destination,
            "sequence": sequence if sequence is not None and sequence >= 0 else None,
            "fields": fields,
        }
        if kind != TREE:
            others.append(entry)
            continue
        child = items.get(origin_id.lower())
        if child is None:
            problems.error(
                f"{path}.originNodeURI",
                f"places {origin_id or '(nothing)'}, which is not an item of this package.",
            )
            continue
        parent_key = destination_id.lower()
        if parent_key != doc_key and parent_key not in items:
            problems.error(
                f"{path}.destinationNodeURI",
                f"places {child.identifier} under {destination_id or '(nothing)'}, which is "
                "neither the document nor an item of this package.",
            )
            continue
        if child.placement_identifier:
            # An item under a second parent: kept as an association, the tree keeps the first.
            others.append(entry)
            continue
        child.parent = None if parent_key == doc_key else items[parent_key].identifier
        child.placement_identifier = assoc_id
        child.placement_fields = {**fields, "destination_link": destination, "origin_link": origin}
        if sequence is not None and sequence >= 0:
            child.position = sequence
    return others


def _check_tree(problems: Problems, items: dict[str, CaseItem], order: list[str]) -> None:
    """The tree must not loop back on itself."""
    for key in order:
        seen: set[str] = set()
        current: str | None = items[key].identifier
        while current is not None:
            low = current.lower()
            if low in seen:
                problems.error(
                    items[key].element,
                    f"the items under {items[key].identifier} form a cycle through {current}.",
                )
                return
            seen.add(low)
            current = items[low].parent


def _definitions(r: _Reader, package: dict[str, Any]) -> dict[str, Any]:
    """CFDefinitions: an object whose members are lists of objects with an identifier."""
    value = package.get("CFDefinitions")
    if value is None:
        return {}
    if not isinstance(value, dict):
        r.p.error("CFDefinitions", f"expected an object, found {_kind(value)}.")
        return {}
    for key in DEFINITION_SHAPES:
        for index, entry in enumerate(r.objects(value, key, "CFDefinitions")):
            path = f"CFDefinitions.{key}[{index}]"
            r.text(entry, "identifier", path, required=True, max_len=IDENTIFIER_MAX)
            r.text(entry, "uri", path, max_len=URI_MAX)
            _members(r.p, entry, path, DEFINITION_SPEC)
    return value


def _rubric(
    r: _Reader, package: dict[str, Any], items: dict[str, CaseItem]
) -> tuple[dict[int, tuple[str, float | None]], dict[str, Any]]:
    problems = r.p
    levels: dict[int, tuple[str, float | None]] = {}
    rubrics = r.objects(package, "CFRubrics")
    if not rubrics:
        return levels, {}
    if len(rubrics) > 1:
        problems.warning(
            "CFRubrics[1]",
            f"only the first rubric is imported; the other {len(rubrics) - 1} are left out.",
        )
    first = rubrics[0]
    _members(problems, first, "CFRubrics[0]", RUBRIC_SPEC)
    rubric = {
        "identifier": r.text(first, "identifier", "CFRubrics[0]", max_len=IDENTIFIER_MAX),
        "uri": r.text(first, "uri", "CFRubrics[0]", max_len=URI_MAX),
        "title": r.text(first, "title", "CFRubrics[0]", max_len=TITLE_MAX),
        "fields": {
            k: first[k]
            for k in (*RUBRIC_FIELDS, "lastChangeDateTime")
            if first.get(k) not in (None, "")
        },
    }
    for c_index, criterion in enumerate(r.objects(first, "CFRubricCriteria", "CFRubrics[0]")):
        path = f"CFRubrics[0].CFRubricCriteria[{c_index}]"
        criterion_id = r.text(criterion, "identifier", path, max_len=IDENTIFIER_MAX)
        r.text(criterion, "uri", path, max_len=URI_MAX)
        r.integer(criterion, "position", path)
        _members(problems, criterion, path, CRITERION_SPEC)
        link = r.link(criterion, "CFItemURI", path)
        if link is None:
            if "CFItemURI" not in criterion:
                problems.error(f"{path}.CFItemURI", "is missing: which item is this criterion for?")
            continue
        target = items.get(link[0].lower())
        if target is None:
            problems.error(
                f"{path}.CFItemURI",
                f"is for {link[0] or '(no item)'}, which is not an item of this package.",
            )
            continue
        if target.criterion_identifier:
            problems.error(
                f"{path}.CFItemURI", f"the item {target.identifier} has a criterion already."
            )
            continue
        target.criterion_identifier = criterion_id
        target.criterion_fields = {
            k: criterion[k]
            for k in (*CRITERION_FIELDS, "lastChangeDateTime", "uri", "position")
            if criterion.get(k) not in (None, "")
        }
        for l_index, level in enumerate(r.objects(criterion, "CFRubricCriterionLevels", path)):
            l_path = f"{path}.CFRubricCriterionLevels[{l_index}]"
            position = r.integer(level, "position", l_path)
            position = l_index if position is None else position
            quality = r.text(level, "quality", l_path, max_len=LEVEL_NAME_MAX)
            name = quality or f"Level {position}"
            score = r.number(level, "score", l_path)
            description = r.text(level, "description", l_path)
            level_id = r.text(level, "identifier", l_path, max_len=IDENTIFIER_MAX)
            r.text(level, "uri", l_path, max_len=URI_MAX)
            _members(problems, level, l_path, LEVEL_SPEC)
            known = levels.get(position)
            if known is not None and known[0] != name:
                problems.error(
                    f"{l_path}.quality",
                    f"level {position} is called both “{known[0]}” and “{name}”.",
                )
                continue
            if known is not None and known[1] != score:
                problems.error(
                    f"{l_path}.score", f"level {position} is scored both {known[1]} and {score}."
                )
                continue
            if position in target.descriptors:
                problems.error(f"{l_path}.position", f"level {position} appears twice.")
                continue
            levels[position] = (name, score)
            target.descriptors[position] = (
                description,
                level_id,
                {
                    k: level[k]
                    for k in (*LEVEL_FIELDS, "lastChangeDateTime", "uri")
                    if level.get(k) not in (None, "")
                },
            )
    scores = [levels[p][1] for p in sorted(levels)]
    if None not in scores and any(b <= a for a, b in pairwise(scores)):  # type: ignore[operator]
        problems.warning(
            "CFRubrics[0]", "the level scores do not rise with the levels; ratings keep them."
        )
    return levels, rubric
