"""Small OneRoster bundles written by hand for the tests (no third-party data)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from trellis.rosters import spec

HEADERS_12 = {
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear",
    "users": "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
    "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
    "preferredFamilyName,primaryOrgSourcedId,pronouns",
    "roles": "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
    "orgSourcedId,subjects,subjectCodes",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate",
}


def rows_12(
    *, schools: int = 2, teachers: int = 2, students: int = 3, status: str = "", modified: str = ""
) -> dict[str, list[dict[str, str]]]:
    """A complete, valid 1.2 bulk (or delta, with status and modified) bundle as dicts."""
    head = {"status": status, "dateLastModified": modified}
    files: dict[str, list[dict[str, str]]] = {k: [] for k in HEADERS_12}
    files["orgs"].append({"sourcedId": "d1", **head, "name": "Riverbend", "type": "district"})
    files["academicSessions"].append(
        {
            "sourcedId": "y2027",
            **head,
            "title": "2026-27",
            "type": "schoolYear",
            "startDate": "2026-08-01",
            "endDate": "2027-06-30",
            "schoolYear": "2027",
        }
    )
    for i in range(1, schools + 1):
        school = f"s{i}"
        files["orgs"].append(
            {
                "sourcedId": school,
                **head,
                "name": f"School {i}",
                "type": "school",
                "identifier": f"ID{i}",
                "parentSourcedId": "d1",
            }
        )
        files["courses"].append(
            {
                "sourcedId": f"c{i}",
                **head,
                "title": f"Math {i}",
                "orgSourcedId": school,
                "schoolYearSourcedId": "y2027",
            }
        )
        files["classes"].append(
            {
                "sourcedId": f"k{i}",
                **head,
                "title": f"Math {i}A",
                "courseSourcedId": f"c{i}",
                "classType": "scheduled",
                "schoolSourcedId": school,
                "termSourcedIds": "y2027",
            }
        )
        people = [(f"t{i}-{j}", "teacher") for j in range(teachers)]
        people += [(f"p{i}-{j}", "student") for j in range(students)]
        people.append((f"pr{i}", "principal"))
        for sid, role in people:
            files["users"].append(
                {
                    "sourcedId": sid,
                    **head,
                    "enabledUser": "true",
                    "username": sid,
                    "givenName": f"Given {sid}",
                    "familyName": f"Family {sid}",
                    "grades": "05",
                    "primaryOrgSourcedId": school,
                }
            )
            files["roles"].append(
                {
                    "sourcedId": f"r-{sid}",
                    **head,
                    "userSourcedId": sid,
                    "roleType": "primary",
                    "role": role,
                    "beginDate": "2026-08-01",
                    "orgSourcedId": school,
                }
            )
            if role != "principal":
                files["enrollments"].append(
                    {
                        "sourcedId": f"e-{sid}",
                        **head,
                        "classSourcedId": f"k{i}",
                        "schoolSourcedId": school,
                        "userSourcedId": sid,
                        "role": role,
                        "primary": "true" if role == "teacher" else "",
                    }
                )
    return files


def write(
    folder: Path,
    files: dict[str, list[dict[str, str]]],
    *,
    version: str = "1.2",
    modes: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    bom: bool = False,
    names: dict[str, str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    declared = spec.MANIFEST_FILES_12 if version == "1.2" else spec.MANIFEST_FILES_11
    modes = modes or {}
    with (folder / "manifest.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["propertyName", "value"])
        writer.writerow(["manifest.version", "1.0"])
        writer.writerow(["oneroster.version", version])
        for name in declared:
            default = (
                (
                    "delta"
                    if files.get(name) and any(r.get("status") for r in files[name])
                    else "bulk"
                )
                if name in files
                else "absent"
            )
            writer.writerow([f"file.{name}", modes.get(name, default)])
    for name, rows in files.items():
        header = (headers or {}).get(name, HEADERS_12[name]).split(",")
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        data = ("\ufeff" if bom else "") + text.getvalue()
        file_name = (names or {}).get(name, f"{name}.csv")
        (folder / file_name).write_text(data, encoding="utf-8", newline="")
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(folder.iterdir()):
            archive.write(item, item.name)
    return target
