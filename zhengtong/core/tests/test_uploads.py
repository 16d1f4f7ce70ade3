"""The upload cap stops taking a file at its limit, while the body is read; the form's other fields
are read as usual."""

import io

from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory

from zhengtong.core.uploads import FORM_SLACK, MB, _CappedUploadHandler

BOUNDARY = "zt-boundary"


class _Recorder(FileUploadHandler):
    """Stands for Django's own handlers behind the cap: counts the file bytes that reach them."""

    def __init__(self, request=None):
        super().__init__(request)
        self.bytes = 0

    def receive_data_chunk(self, raw_data, start):
        self.bytes += len(raw_data)
        return None

    def file_complete(self, file_size):
        return None


def _parse(file_bytes: int, cap: int, *, declared: int | None = None):
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\ntoken\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + b"x" * file_bytes + \
        f"\r\n--{BOUNDARY}--\r\n".encode()
    request = RequestFactory().post("/")
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(declared if declared is not None else len(body))}
    recorder = _Recorder(request)
    post, files = MultiPartParser(meta, io.BytesIO(body), [_CappedUploadHandler(request, cap), recorder]).parse()
    return request, post, files, recorder


def test_a_file_within_the_cap_passes():
    request, post, files, recorder = _parse(100_000, MB)
    assert recorder.bytes == 100_000 and not getattr(request, "upload_too_large", False)


def test_a_file_past_the_cap_is_dropped_at_the_cap_and_the_other_fields_are_kept():
    request, post, files, recorder = _parse(3 * MB, MB, declared=MB)  # a body that claims to be small
    assert request.upload_too_large and "file" not in files
    assert recorder.bytes <= MB  # nothing past the cap reached the handlers that keep a file
    assert post["csrfmiddlewaretoken"] == "token"


def test_a_body_whose_length_is_past_the_cap_keeps_none_of_its_file():
    request, post, files, recorder = _parse(3 * MB, MB)
    assert 3 * MB > MB + FORM_SLACK
    assert request.upload_too_large and "file" not in files and recorder.bytes == 0
    assert post["csrfmiddlewaretoken"] == "token"
