"""A small CASE package with a rubric, written here (no third-party text)."""

from __future__ import annotations

from typing import Any


def rubric_package() -> dict[str, Any]:
    """A small package with a rubric, written here (no third-party text)."""
    doc = "0a000000-0000-4000-8000-000000000001"

    def item(n: int, code: str) -> dict[str, Any]:
        return {
            "identifier": f"0a000000-0000-4000-8000-00000000010{n}",
            "uri": f"https://example.org/uri/{n}",
            "fullStatement": f"Competency {code}",
            "humanCodingScheme": code,
            "CFItemType": "Competency",
            "lastChangeDateTime": "2026-01-01T00:00:00Z",
        }

    items = [item(1, "1"), item(2, "1.A"), item(3, "1.B")]

    def link(i):
        return {
            "title": i["fullStatement"],
            "identifier": i["identifier"],
            "uri": i["uri"],
        }

    doc_link = {"title": "Leading Learning", "identifier": doc, "uri": "https://example.org/d"}
    associations = [
        {
            "identifier": f"0a000000-0000-4000-8000-00000000020{n}",
            "associationType": "isChildOf",
            "uri": f"https://example.org/a/{n}",
            "sequenceNumber": seq,
            "originNodeURI": link(items[n]),
            "destinationNodeURI": dest,
            "lastChangeDateTime": "2026-01-01T00:00:00Z",
        }
        for n, seq, dest in ((0, 1, doc_link), (1, 2, link(items[0])), (2, 1, link(items[0])))
    ]
    levels = ["Beginning", "Developing", "Proficient", "Exemplary"]
    criteria = [
        {
            "identifier": f"0a000000-0000-4000-8000-00000000030{n}",
            "uri": f"https://e.org/c/{n}",
            "CFItemURI": link(items[n]),
            "position": n,
            "lastChangeDateTime": "2026-01-01T00:00:00Z",
            "CFRubricCriterionLevels": [
                {
                    "identifier": f"0a000000-0000-4000-8000-0000000004{n}{p}",
                    "uri": f"https://e.org/l/{n}{p}",
                    "quality": q,
                    "score": p,
                    "position": p,
                    "description": f"{q} at {n}",
                    "lastChangeDateTime": "2026-01-01T00:00:00Z",
                }
                for p, q in enumerate(levels, start=1)
            ],
        }
        for n in (1, 2)
    ]
    return {
        "CFDocument": {
            "identifier": doc,
            "uri": "https://example.org/d",
            "creator": "Us",
            "title": "Leading Learning",
            "lastChangeDateTime": "2026-01-01T00:00:00Z",
            "caseVersion": "1.1",
        },
        "CFItems": items,
        "CFAssociations": associations,
        "CFRubrics": [
            {
                "identifier": "0a000000-0000-4000-8000-000000000500",
                "uri": "https://example.org/r",
                "title": "Leading Learning rubric",
                "lastChangeDateTime": "2026-01-01T00:00:00Z",
                "CFRubricCriteria": criteria,
            }
        ],
    }
