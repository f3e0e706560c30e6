"""Values from messages cannot act as spreadsheet formulas or as Markdown/HTML in the reports
(DECISIONS 16), end to end: messages through the broker, the sensors, the report run, then the
bytes of the files written."""

from __future__ import annotations

import html
import json
import re

from dagster import DagsterInstance
from markdown_it import MarkdownIt

from cohort_packager_tests.support.messages import (
    FILE_COLLECTION,
    FILE_STATUS,
    FILE_VERIFICATION,
    REQUEST_INFO,
    OutgoingMessage,
    encode,
    file_collection_body,
    file_status_body,
    file_verification_body,
    header_table,
    new_guid,
    request_info_body,
)
from cohort_packager_tests.support.service import ServiceDriver
from cohort_packager_tests.test_hostile import publish

EXTRACTION_DIRECTORY = "PRJ042/extractions/inject"
REPORTS = "PRJ042/extractions/reports/inject"
JOB_FIELDS = {
    "ProjectNumber": "<script>alert(1)</script> **PRJ**",
    "UserName": "[click](http://x.example) `jdoe`",
    "KeyTag": "Series|Instance#UID _x_",
    "Modality": "<img src=x onerror=alert(1)>",
}
REJECTED_KEY = "=1+2"
REJECTIONS = {'=HYPERLINK("http://x.example")': 2, "-2+3": 1, "@SUM(A1)": 1, "\tTabbed": 1,
              "+4": 1}
FILES = {new_guid(): f"S1/{name}.dcm" for name in "abcd"}
IDENTIFIABLE = json.dumps([{
    "Parts": [{"Classification": 3, "Offset": 1, "Word": "Smith"}],
    "Resource": "/extract/x.dcm", "ResourcePrimaryKey": "=1.2.3",
    "ProblemField": "PatientName", "ProblemValue": "=Smith",
}])


def _job(job_id: str) -> list[OutgoingMessage]:
    def message(queue, builder, **changes):
        body = builder(job_id, ExtractionDirectory=EXTRACTION_DIRECTORY, **changes)
        return OutgoingMessage(queue, header_table(), encode(body))

    return [
        message(REQUEST_INFO, request_info_body, KeyValueCount=2, **JOB_FIELDS),
        message(FILE_COLLECTION, file_collection_body, key_value=REJECTED_KEY, files={},
                rejections=REJECTIONS),
        message(FILE_COLLECTION, file_collection_body, key_value="1.2.3", files=FILES),
        message(FILE_STATUS, file_status_body, DicomFilePath="+2019/a.dcm",
                StatusMessage="=cmd|' /C calc'!A0"),
        message(FILE_STATUS, file_status_body, DicomFilePath="@2019/b.dcm", Status=3,
                StatusMessage="-missing"),
        message(FILE_VERIFICATION, file_verification_body, DicomFilePath="=2019/c.dcm",
                Status="ErrorWontRetry", Report="+ERR unreadable", OutputFilePath="S1/c.dcm"),
        message(FILE_VERIFICATION, file_verification_body, DicomFilePath="2019/d.dcm",
                Report=IDENTIFIABLE, OutputFilePath="S1/d.dcm"),
    ]


def _reports(environment) -> dict[str, bytes]:
    produced = environment.extract_root / EXTRACTION_DIRECTORY / "S1" / "d.dcm"
    produced.parent.mkdir(parents=True)
    produced.touch()
    job_id = new_guid()
    environment.declare_queues()
    publish(environment, _job(job_id))
    driver = ServiceDriver(DagsterInstance.ephemeral())

    driver.ingest_tick()
    assert driver.completion_tick() == [job_id]

    folder = environment.extract_root / REPORTS
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_text_cells_that_a_spreadsheet_would_run_get_a_leading_quote(environment):
    reports = _reports(environment)

    assert reports["rejected_files.csv"] == (
        b"ExtractionKey,Count,Reason\n"
        b"'=1+2,2,\"'=HYPERLINK(\"\"http://x.example\"\")\"\n"
        b"'=1+2,1,'-2+3\n"
        b"'=1+2,1,'@SUM(A1)\n"
        b"'=1+2,1,'\tTabbed\n"
        b"'=1+2,1,'+4\n"
    )
    assert reports["processing_errors.csv"] == (
        b"DicomFilePath,Reason\n"
        b"'@2019/b.dcm,Missing\n"
        b"'+2019/a.dcm,'=cmd|' /C calc'!A0\n"
        b"'@2019/b.dcm,'-missing\n"
        b"'=2019/c.dcm,'+ERR unreadable\n"
    )


def test_verification_failures_stay_exact_for_the_reviewer_tool(environment):
    reports = _reports(environment)

    assert reports["verification_failures.csv"] == (
        b"Resource,ResourcePrimaryKey,ProblemField,ProblemValue,PartWords,PartClassifications,"
        b"PartOffsets\n"
        b"S1/d.dcm,=1.2.3,PatientName,=Smith,Smith,Person,1\n"
    )


def test_readme_values_render_as_plain_text_without_markup(environment):
    readme = _reports(environment)["README.md"].decode("utf-8")

    rendered = MarkdownIt("commonmark").render(readme)

    tags = set(re.findall(r"<([a-z0-9]+)", rendered))
    assert tags <= {"h1", "p", "ul", "li"}, tags
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for value in JOB_FIELDS.values():
        assert value in visible
