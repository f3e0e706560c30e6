"""A corpus of hostile deliveries for the four input queues, and a few valid ones to mix in.

Each hostile delivery names the field its rejection reason must mention. Every call to
`build_corpus` makes fresh GUIDs, and every (queue, body) pair in a corpus is unique, so a
stored rejection can be traced back to the delivery that caused it by its body alone.
"""

from __future__ import annotations

import datetime
import decimal
import json
from dataclasses import dataclass

from cohort_packager_tests.support.messages import (
    FILE_COLLECTION,
    FILE_STATUS,
    FILE_VERIFICATION,
    REMOVE,
    REQUEST_INFO,
    OutgoingMessage,
    dispatched_header,
    encode,
    file_collection_body,
    file_status_body,
    file_verification_body,
    header_table,
    new_guid,
    request_info_body,
)

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
MEGABYTE = 1024 * 1024
LARGEST_STORED_BODY = 15 * MEGABYTE
# Values of the valid bodies that no rejection reason may repeat.
IDENTIFIABLE_VALUES = ("2019/01/b.dcm", "2021/f1.dcm", "Smith", "Anonymiser exited with code")


@dataclass(frozen=True)
class HostileMessage:
    """A delivery that must be rejected, and the field its reason must mention."""

    name: str
    queue: str
    headers: dict | None
    body: bytes
    field: str
    content_encoding: str | None = "UTF-8"

    def as_outgoing(self) -> OutgoingMessage:
        return OutgoingMessage(self.queue, self.headers, self.body, self.content_encoding)


@dataclass(frozen=True)
class Corpus:
    """Hostile deliveries, the valid ones published among them, and the publishing order."""

    hostile: list[HostileMessage]
    valid: list[OutgoingMessage]
    zero_file_job: str          # a valid job with no files: complete once ingested

    def publication_order(self) -> list[OutgoingMessage]:
        """Valid deliveries spread among the hostile ones; the first valid one goes first,
        because the last hostile one conflicts with it."""
        order = [message.as_outgoing() for message in self.hostile]
        step = max(1, len(order) // len(self.valid))
        for position, message in reversed(list(enumerate(self.valid))):
            order.insert(position * step, message)
        return order


def build_corpus() -> Corpus:
    """A fresh corpus: well over fifty hostile deliveries spread over the four queues."""
    original = _request_info_with(KeyValueCount=2)
    zero_file_job = new_guid()
    valid = [original, *_zero_file_job(zero_file_job), *_valid_deliveries()]
    hostile = [
        *_header_faults(),
        *_body_faults(),
        *_common_field_faults(),
        *_request_info_faults(),
        *_file_collection_faults(),
        *_file_status_faults(),
        *_verification_faults(),
        _conflicting_repeat(original),
    ]
    return Corpus(hostile, valid, zero_file_job)


_FRESH = object()


def _hostile(name: str, queue: str, body: bytes, field: str, headers: object = _FRESH,
             content_encoding: str | None = "UTF-8") -> HostileMessage:
    table = header_table() if headers is _FRESH else headers
    return HostileMessage(name, queue, table, body, field, content_encoding)


def _request(**changes) -> bytes:
    return encode(request_info_body(new_guid(), **changes))


def _collection(**changes) -> bytes:
    return encode(file_collection_body(new_guid(), **changes))


def _status(**changes) -> bytes:
    return encode(file_status_body(new_guid(), **changes))


def _verification(**changes) -> bytes:
    return encode(file_verification_body(new_guid(), **changes))


def _report(failures: object) -> str:
    return json.dumps(failures)


def _header_faults() -> list[HostileMessage]:
    def with_header(name, queue, body, field, **changes):
        return _hostile(name, queue, body, field, headers=header_table(**changes))

    two_guids = f"{new_guid()}->{new_guid()}"
    lower_case_keys = {key.lower(): value for key, value in header_table().items()}
    return [
        _hostile("no header table", FILE_STATUS, _status(), "header", headers=None),
        with_header("MessageGuid missing", REQUEST_INFO, _request(), "MessageGuid",
                    MessageGuid=REMOVE),
        with_header("ProducerProcessID missing", FILE_COLLECTION, _collection(),
                    "ProducerProcessID", ProducerProcessID=REMOVE),
        with_header("ProducerExecutableName missing", FILE_STATUS, _status(),
                    "ProducerExecutableName", ProducerExecutableName=REMOVE),
        with_header("OriginalPublishTimestamp missing", FILE_VERIFICATION, _verification(),
                    "OriginalPublishTimestamp", OriginalPublishTimestamp=REMOVE),
        with_header("Parents missing", REQUEST_INFO, _request(), "Parents", Parents=REMOVE),
        _hostile("header keys in lower case", FILE_STATUS, _status(), "MessageGuid",
                 headers=lower_case_keys),
        with_header("MessageGuid not a GUID", FILE_VERIFICATION, _verification(),
                    "MessageGuid", MessageGuid="message-0001"),
        with_header("MessageGuid holding two GUIDs", REQUEST_INFO, _request(), "MessageGuid",
                    MessageGuid=two_guids),
        with_header("MessageGuid empty", FILE_COLLECTION, _collection(), "MessageGuid",
                    MessageGuid=""),
        with_header("MessageGuid an integer", FILE_STATUS, _status(), "MessageGuid",
                    MessageGuid=12345),
        with_header("MessageGuid bytes not UTF-8", FILE_VERIFICATION, _verification(),
                    "MessageGuid", MessageGuid=b"\xff\xfe\x00guid"),
        with_header("ProducerProcessID a string", REQUEST_INFO, _request(),
                    "ProducerProcessID", ProducerProcessID="3101"),
        with_header("ProducerProcessID a boolean", FILE_STATUS, _status(),
                    "ProducerProcessID", ProducerProcessID=True),
        with_header("ProducerProcessID beyond 32 bits", FILE_VERIFICATION, _verification(),
                    "ProducerProcessID", ProducerProcessID=2**40),
        with_header("ProducerProcessID zero", REQUEST_INFO, _request(), "ProducerProcessID",
                    ProducerProcessID=0),
        with_header("ProducerProcessID negative", FILE_COLLECTION, _collection(),
                    "ProducerProcessID", ProducerProcessID=-3101),
        with_header("ProducerProcessID a decimal", FILE_STATUS, _status(),
                    "ProducerProcessID", ProducerProcessID=decimal.Decimal("3101")),
        with_header("Parents with a piece not a GUID", FILE_VERIFICATION, _verification(),
                    "Parents", Parents=f"{new_guid()}->not-a-guid"),
        with_header("Parents an AMQP array", REQUEST_INFO, _request(), "Parents",
                    Parents=[new_guid()]),
        with_header("OriginalPublishTimestamp a string", FILE_COLLECTION, _collection(),
                    "OriginalPublishTimestamp", OriginalPublishTimestamp="1709285400"),
        with_header("OriginalPublishTimestamp an AMQP timestamp", FILE_STATUS, _status(),
                    "OriginalPublishTimestamp",
                    OriginalPublishTimestamp=datetime.datetime(2024, 3, 1, 9, 30)),
        with_header("ProducerExecutableName an integer", REQUEST_INFO, _request(),
                    "ProducerExecutableName", ProducerExecutableName=7),
        with_header("ProducerExecutableName a table", FILE_COLLECTION, _collection(),
                    "ProducerExecutableName", ProducerExecutableName={"name": "x"}),
    ]


def header_doubles() -> list[HostileMessage]:
    """Header integers sent as AMQP doubles, as a .NET producer can send them. Kept apart from
    the corpus because a broker client may hand them over already converted to integers."""
    return [
        _hostile("ProducerProcessID a whole double", FILE_COLLECTION, _collection(),
                 "ProducerProcessID", headers=header_table(ProducerProcessID=3101.0)),
        _hostile("ProducerProcessID a fractional double", FILE_STATUS, _status(),
                 "ProducerProcessID", headers=header_table(ProducerProcessID=3101.75)),
        _hostile("OriginalPublishTimestamp a fractional double", FILE_VERIFICATION,
                 _verification(), "OriginalPublishTimestamp",
                 headers=header_table(OriginalPublishTimestamp=1709285400.5)),
    ]


def _body_faults() -> list[HostileMessage]:
    body = "message body"
    utf16 = json.dumps(request_info_body(new_guid())).encode("utf-16")
    truncated = _collection()[:-25]
    long_number = _collection()[:-1] + b',"KeyValue":' + b"7" * 5000 + b"}"
    return [
        _hostile("invalid UTF-8 outside strings", REQUEST_INFO, b"\xff\xfe\xfd{\x80}", body),
        _hostile("UTF-16 bytes labelled UTF-8", FILE_COLLECTION, utf16, body),
        _hostile("body an array", FILE_STATUS, b'["an", "array", "body"]', body),
        _hostile("body a number", FILE_VERIFICATION, b"4242", body),
        _hostile("body a string", REQUEST_INFO, b'"a JSON string body"', body),
        _hostile("body null", FILE_COLLECTION, b"null", body),
        _hostile("body true", REQUEST_INFO, b"true", body),
        _hostile("body NaN", FILE_VERIFICATION, b"NaN", body),
        _hostile("empty body", FILE_STATUS, b"", body),
        _hostile("white space only", FILE_VERIFICATION, b" \r\n\t ", body),
        _hostile("byte order mark only", REQUEST_INFO, b"\xef\xbb\xbf", body),
        _hostile("truncated JSON", FILE_COLLECTION, truncated, body),
        _hostile("a number of 5000 digits", FILE_COLLECTION, long_number, body),
        _hostile("100,000 nested arrays", FILE_STATUS, b"[" * 100_000 + b"]" * 100_000, body),
        _hostile("5 MB JSON string", FILE_VERIFICATION, b'"' + b"x" * (5 * MEGABYTE) + b'"',
                 body),
        _hostile("16 MB JSON string", REQUEST_INFO, b'"' + b"y" * (16 * MEGABYTE) + b'"',
                 body),
        _hostile("unknown content encoding", FILE_VERIFICATION, _verification(), "encoding",
                 content_encoding="x-no-such-encoding"),
        _hostile("content encoding rot13", REQUEST_INFO, _request(), "encoding",
                 content_encoding="rot13"),
        _hostile("content encoding base64", FILE_COLLECTION, _collection(), "encoding",
                 content_encoding="base64"),
    ]


def _common_field_faults() -> list[HostileMessage]:
    job = "ExtractionJobIdentifier"
    return [
        _hostile("job identifier not a GUID", FILE_STATUS,
                 _status(ExtractionJobIdentifier="job-42"), job),
        _hostile("job identifier all zeros", REQUEST_INFO,
                 _request(ExtractionJobIdentifier=ZERO_GUID), job),
        _hostile("job identifier missing", FILE_VERIFICATION,
                 _verification(ExtractionJobIdentifier=REMOVE), job),
        _hostile("job identifier a number", FILE_COLLECTION,
                 _collection(ExtractionJobIdentifier=42), job),
        _hostile("old-format property AnonymisedFileName", FILE_VERIFICATION,
                 _verification(AnonymisedFileName="S1/a.dcm"), "AnonymisedFileName"),
        _hostile("unknown property", REQUEST_INFO, _request(Priority="high"), "Priority"),
        _hostile("JobSubmittedAt year 1", REQUEST_INFO,
                 _request(JobSubmittedAt="0001-01-01T00:00:00"), "JobSubmittedAt"),
        _hostile("JobSubmittedAt month 13", FILE_COLLECTION,
                 _collection(JobSubmittedAt="2024-13-01T00:00:00Z"), "JobSubmittedAt"),
        _hostile("JobSubmittedAt a number", FILE_STATUS,
                 _status(JobSubmittedAt=1709285400), "JobSubmittedAt"),
        _hostile("IsIdentifiableExtraction a number", FILE_VERIFICATION,
                 _verification(IsIdentifiableExtraction=1), "IsIdentifiableExtraction"),
        _hostile("IsPooledExtraction missing", REQUEST_INFO,
                 _request(IsPooledExtraction=REMOVE), "IsPooledExtraction"),
        _hostile("Modality blank", REQUEST_INFO, _request(Modality="   "), "Modality"),
        _hostile("ProjectNumber blank", REQUEST_INFO, _request(ProjectNumber=""),
                 "ProjectNumber"),
    ]


def _request_info_faults() -> list[HostileMessage]:
    def directory(name: str, value: str) -> HostileMessage:
        return _hostile(f"ExtractionDirectory {name}", REQUEST_INFO,
                        _request(ExtractionDirectory=value), "ExtractionDirectory")

    return [
        directory("absolute", "/PRJ042/extractions/x"),
        directory("climbing out with ..", "PRJ042/../../outside/x"),
        directory("climbing out with backslashes", "PRJ042\\..\\..\\outside\\x"),
        directory("with a drive letter", "C:\\extract\\PRJ042\\x"),
        directory("a UNC path", "\\\\server\\share\\x"),
        directory("a single segment", "extraction"),
        directory("with a control character", "PRJ042/extractions/x\x00y"),
        directory("blank", "  "),
        _hostile("KeyValueCount 0", REQUEST_INFO, _request(KeyValueCount=0), "KeyValueCount"),
        _hostile("KeyValueCount negative", REQUEST_INFO, _request(KeyValueCount=-1),
                 "KeyValueCount"),
        _hostile("KeyValueCount beyond 32 bits", REQUEST_INFO,
                 _request(KeyValueCount=2**31), "KeyValueCount"),
        _hostile("KeyValueCount a fraction", REQUEST_INFO, _request(KeyValueCount=1.5),
                 "KeyValueCount"),
        _hostile("KeyValueCount null", REQUEST_INFO, _request(KeyValueCount=None),
                 "KeyValueCount"),
        _hostile("KeyTag blank", REQUEST_INFO, _request(KeyTag=" "), "KeyTag"),
        _hostile("UserName missing", REQUEST_INFO, _request(UserName=REMOVE), "UserName"),
    ]


def _file_collection_faults() -> list[HostileMessage]:
    dispatched = "ExtractFileMessagesDispatched"
    header = dispatched_header(new_guid())

    def with_dispatched(keys: list, values: list, **extra) -> bytes:
        value = {"SerializeableKeys": keys, "SerializeableValues": values, **extra}
        return _collection(ExtractFileMessagesDispatched=value)

    return [
        _hostile("KeyValue blank", FILE_COLLECTION, _collection(key_value=" \t"), "KeyValue"),
        _hostile("RejectionReasons null", FILE_COLLECTION, _collection(RejectionReasons=None),
                 "RejectionReasons"),
        _hostile("RejectionReasons zero count", FILE_COLLECTION,
                 _collection(rejections={"Blacklisted": 0}), "RejectionReasons"),
        _hostile("RejectionReasons blank reason", FILE_COLLECTION,
                 _collection(rejections={"  ": 3}), "RejectionReasons"),
        _hostile("RejectionReasons a list", FILE_COLLECTION,
                 _collection(RejectionReasons=["Blacklisted"]), "RejectionReasons"),
        _hostile("RejectionReasons count not a number", FILE_COLLECTION,
                 _collection(rejections={"Blacklisted": "many"}), "RejectionReasons"),
        _hostile("dispatched files missing", FILE_COLLECTION,
                 _collection(ExtractFileMessagesDispatched=REMOVE), dispatched),
        _hostile("dispatched files a list", FILE_COLLECTION,
                 _collection(ExtractFileMessagesDispatched=[]), dispatched),
        _hostile("dispatched files with an unknown property", FILE_COLLECTION,
                 with_dispatched([], [], Extra=1), dispatched),
        _hostile("dispatched header with an unknown property", FILE_COLLECTION,
                 with_dispatched([{**header, "Colour": "red"}], ["S1/a.dcm"]), "Colour"),
        _hostile("dispatched file with a zero GUID", FILE_COLLECTION,
                 _collection(files={ZERO_GUID: "S1/a.dcm"}), "MessageGuid"),
        _hostile("dispatched file with a blank output path", FILE_COLLECTION,
                 _collection(files={new_guid(): " "}), "SerializeableValues"),
        _hostile("the same dispatched header twice", FILE_COLLECTION,
                 with_dispatched([header, header], ["S1/a.dcm", "S1/b.dcm"]),
                 "SerializeableKeys"),
        _hostile("dispatched header with a bad parent", FILE_COLLECTION,
                 with_dispatched([{**header, "Parents": ["nope"]}], ["S1/a.dcm"]), "Parents"),
    ]


def _file_status_faults() -> list[HostileMessage]:
    return [
        _hostile("Status None on the no-verify queue", FILE_STATUS, _status(Status=0),
                 "Status"),
        _hostile("Status Anonymised on the no-verify queue", FILE_STATUS,
                 _status(Status=1, OutputFilePath="S1/a.dcm"), "Status"),
        _hostile("Status None by name", FILE_STATUS, _status(Status="None"), "Status"),
        _hostile("Status an unknown name", FILE_STATUS, _status(Status="Exploded"), "Status"),
        _hostile("StatusMessage null for a failure", FILE_STATUS,
                 _status(StatusMessage=None), "StatusMessage"),
        _hostile("StatusMessage blank for a missing file", FILE_STATUS,
                 _status(Status=3, StatusMessage=" "), "StatusMessage"),
        _hostile("StatusMessage missing", FILE_STATUS, _status(StatusMessage=REMOVE),
                 "StatusMessage"),
        _hostile("OutputFilePath missing", FILE_STATUS, _status(OutputFilePath=REMOVE),
                 "OutputFilePath"),
        _hostile("DicomFilePath blank", FILE_STATUS, _status(DicomFilePath=""),
                 "DicomFilePath"),
    ]


def _verification_faults() -> list[HostileMessage]:
    def report(name: str, text: object, field: str = "Report", **changes) -> HostileMessage:
        return _hostile(f"Report {name}", FILE_VERIFICATION,
                        _verification(Report=text, **changes), field)

    part = {"Classification": 3, "Offset": 0, "Word": "x"}
    return [
        _hostile("Status None", FILE_VERIFICATION, _verification(Status=0), "Status"),
        report("an object", "{}"),
        report("a number", "5"),
        report("the text null", "null"),
        report("plain text for IsIdentifiable", "PatientName looked identifiable"),
        report("an empty list for IsIdentifiable", "[]"),
        report("blank", ""),
        report("a JSON array, not a string", []),
        report("with a failure that is not an object", "[1]"),
        report("with a failure without Parts", _report([{"ProblemField": "X"}]), "Parts"),
        report("with Parts null", _report([{"Parts": None}]), "Parts"),
        report("with an unknown classification",
               _report([{"Parts": [{**part, "Classification": "Alien"}]}]), "Classification"),
        report("with an offset that is text",
               _report([{"Parts": [{**part, "Offset": "first"}]}]), "Offset"),
        report("nested 100,000 deep", "[" * 100_000 + "]" * 100_000),
        _hostile("OutputFilePath blank", FILE_VERIFICATION,
                 _verification(Status=2, Report="[]", OutputFilePath=" "), "OutputFilePath"),
        _hostile("OutputFilePath null", FILE_VERIFICATION,
                 _verification(OutputFilePath=None), "OutputFilePath"),
    ]


def _request_info_with(**changes) -> OutgoingMessage:
    return OutgoingMessage(REQUEST_INFO, header_table(),
                           encode(request_info_body(new_guid(), **changes)))


def _conflicting_repeat(original: OutgoingMessage) -> HostileMessage:
    """The request info of an already stored job, with different content (DECISIONS 1)."""
    body = json.loads(original.body)
    body["UserName"] = "someone-else"
    return _hostile("request info conflicting with a stored one", REQUEST_INFO,
                    encode(body), "conflicts")


def _zero_file_job(job_id: str) -> list[OutgoingMessage]:
    """A job whose only key had every file rejected: complete as soon as it is stored."""
    directory = "PRJ042/extractions/all-rejected"
    return [
        OutgoingMessage(REQUEST_INFO, header_table(), encode(request_info_body(
            job_id, KeyValueCount=1, ExtractionDirectory=directory))),
        OutgoingMessage(FILE_COLLECTION, header_table(), encode(file_collection_body(
            job_id, files={}, rejections={"Blacklisted": 2}, ExtractionDirectory=directory))),
    ]


def _valid_deliveries() -> list[OutgoingMessage]:
    """Odd but valid deliveries: each must be stored, none rejected."""
    job_id = new_guid()
    invalid_utf8_in_text = encode(file_status_body(job_id, StatusMessage="@@TEXT@@")).replace(
        b"@@TEXT@@", b"exit code \xff\xfe 1")
    lenient_report = ("[{'Parts': [{'Classification': 'Person', 'Offset': 0, 'Word': 'W'}],"
                      " 'ProblemField': 'PatientName', 'ProblemValue': 'W',}]")
    odd_header = header_table(MessageGuid="{" + new_guid().upper() + "}",
                              Parents=f"->{new_guid()}->->{new_guid()}",
                              OriginalPublishTimestamp=2**63 - 1)
    return [
        OutgoingMessage(FILE_STATUS, header_table(), invalid_utf8_in_text),
        OutgoingMessage(FILE_VERIFICATION, header_table(), encode(file_verification_body(
            job_id, Status="ErrorWontRetry", Report="Could not scan the file: truncated"))),
        OutgoingMessage(FILE_VERIFICATION, header_table(), encode(file_verification_body(
            job_id, Report=lenient_report, OutputFilePath="S1/lenient.dcm"))),
        OutgoingMessage(FILE_STATUS, odd_header, encode(file_status_body(
            job_id, Status="filemissing", DicomFilePath="2019/01/z.dcm"))),
    ]
