"""Bad input answers a 4xx with the usual error body, never a 500, and nothing unstorable is saved
(issue 9, items 1-3): text no database can store (NUL, lone surrogates) wherever it enters,
integers past a 64-bit column, and request bodies over the one set of size limits."""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from api.test_cases_api import FORM, application, b64
from catalog.guide_samples import PDF
from yiwang.api.cases import MaterialIn, decode_material

HUGE = "99999999999999999999"  # past 2**63 - 1


@pytest.fixture
def citizen_token(api_token, users):
    return api_token("demo-citizen")


def post_json(client: Client, path: str, token: str, body, **headers):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/api/v1{path}",
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def cases_of(user):
    from yiwang.cases.models import Case

    return Case.objects.filter(created_by=user)


# --- 1. Text that cannot be stored -------------------------------------------------------------


@pytest.mark.parametrize(
    ("form_data", "field"),
    [
        ({"x": "ok \ud800"}, "form_data.x"),  # JSON "\ud800": a lone surrogate
        ({"x": ["a", {"y": "\udfff"}]}, "form_data.x.1.y"),
        ({"x": "a\u0000b"}, "form_data.x"),
        ({"\ud800": "key"}, "form_data.\\ud800"),  # named, and the answer itself encodes
    ],
)
def test_unstorable_text_in_a_json_body_is_422_naming_the_field(
    client, citizen_token, published, users, form_data, field
):
    body = application(published, form_data={**FORM, **form_data}, submit=True)
    response = post_json(client, "/cases", citizen_token, body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]
    assert not cases_of(users["demo-citizen"]).exists()
    # Reading still works: nothing poisoned was stored.
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {citizen_token}").status_code == 200


def test_a_surrogate_encoded_as_raw_bytes_and_a_bad_material_name_are_refused(
    client, citizen_token, published, users
):
    body = json.dumps(application(published), ensure_ascii=False).encode()
    raw = body.replace("好味道小吃".encode(), b"\xed\xa0\x80")  # UTF-8 bytes of U+D800
    response = post_json(client, "/cases", citizen_token, raw)
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid", "invalid_json")
    named = application(published)
    named["materials"][0]["filename"] = "scan\u0000.pdf"
    response = post_json(client, "/cases", citizen_token, named)
    assert response.status_code == 422 and list(response.json()["fields"]) == ["materials.0.filename"]
    assert not cases_of(users["demo-citizen"]).exists()


def test_the_message_is_chinese_by_default_and_english_on_request(client, citizen_token, published):
    body = application(published, form_data={**FORM, "x": "\ud800"})
    zh = post_json(client, "/cases", citizen_token, body).json()["fields"]["form_data.x"][0]
    en = post_json(client, "/cases", citizen_token, body, HTTP_ACCEPT_LANGUAGE="en").json()
    assert "代理项" in zh
    assert "surrogate" in en["fields"]["form_data.x"][0] and en["message"].isascii()


def test_unstorable_text_in_a_multipart_form_is_422_naming_the_field(client, citizen_token, published):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = post_json(client, "/cases", citizen_token, application(published, submit=False)).json()
    response = client.post(
        f"/api/v1/cases/{draft['draft_key']}/materials",
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf"), "name": "扫描件\x00"},
        HTTP_AUTHORIZATION=f"Bearer {citizen_token}",
    )
    assert response.status_code == 422 and list(response.json()["fields"]) == ["name"]


def test_unstorable_text_in_a_page_form_is_a_400_page_and_nothing_is_saved(
    client, citizen_token, published, users
):
    from yiwang.cases.models import Case

    draft = post_json(client, "/cases", citizen_token, application(published, submit=False)).json()
    client.force_login(users["demo-citizen"])
    response = client.post(f"/my/cases/{draft['draft_key']}/save/", {"shop_name": "好\x00味道", "do": "save"})
    assert response.status_code == 400 and "无法保存的字符" in response.content.decode()
    case = Case.objects.get(draft_key=draft["draft_key"])
    assert case.form_data["shop_name"] == FORM["shop_name"]
    assert client.get(f"/my/cases/{draft['draft_key']}/").status_code == 200


# --- 2. 500s on bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["demo-citizen", "demo-supervisor"])
def test_integers_past_a_64_bit_column_are_422(client, api_token, demo_region, who):
    response = client.get(f"/api/v1/items?department={HUGE}")
    assert response.status_code == 422 and list(response.json()["fields"]) == ["department"]
    assert client.get(f"/api/v1/items?department={2**63 - 1}").json()["count"] == 0
    token = api_token(who)
    response = client.get(f"/api/v1/cases?department={HUGE}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422 and list(response.json()["fields"]) == ["department"]


def test_the_bounds_are_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    params = schema["paths"]["/api/v1/items"]["get"]["parameters"]
    department = next(p for p in params if p["name"] == "department")
    assert f"{2**63 - 1}" in json.dumps(department["schema"])


@pytest.mark.parametrize("path", ["/api/v1/cases/%00", "/api/v1/items/%00", "/api/v1/cases/a%00b/form"])
def test_nul_in_an_api_path_is_404_with_the_error_body(client, citizen_token, path):
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {citizen_token}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        (None, "/items/?q=%00", 400),
        ("demo-citizen", "/my/cases/%00/", 404),
        ("demo-clerk", "/workbench/cases/%00/", 404),
        ("demo-clerk", "/workbench/cases/?applicant=%00", 400),
        ("demo-clerk", "/workbench/cases/?applicant=%ED%A0%80", 200),  # decoded as U+FFFD: harmless
    ],
)
def test_nul_in_a_page_path_or_query_is_a_4xx_page(client, users, user, path, status):
    if user:
        client.force_login(users[user])
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")


# --- 3. Size limits -------------------------------------------------------------------------------


class Unreadable(io.RawIOBase):
    """A request body that must not be read."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


class Counting(io.BytesIO):
    """A body that counts how much of it was read."""

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken = getattr(self, "taken", 0) + len(data)
        return data


def test_the_limits_are_one_consistent_set(settings):
    base64_file = 4 * -(-settings.MAX_UPLOAD_BYTES // 3)
    assert settings.MAX_FILES_PER_REQUEST * base64_file + 512 * 1024 <= settings.MAX_JSON_BODY_BYTES
    assert settings.MAX_MULTIPART_BODY_BYTES > settings.MAX_FILES_PER_REQUEST * settings.MAX_UPLOAD_BYTES
    assert settings.MAX_MULTIPART_BODY_BYTES > settings.MAX_IMPORT_BYTES
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= settings.MAX_JSON_BODY_BYTES


@pytest.mark.parametrize(
    "content",
    [
        "%%%",  # outside the alphabet
        "JVBERi0",  # a quantum short, no padding
        "JVBE Ri0x",  # a space inside
        "JVBERi0x\n",  # a line break at the end
        "JVBERi0x=",  # padding after a whole quantum
        "JVBERi0x" + "é",  # not ASCII (NUL and lone surrogates: the unstorable-text tests above)
    ],
)
def test_a_material_that_is_not_strict_base64_is_422_naming_it_and_nothing_is_kept(
    client, citizen_token, published, users, content
):
    body = application(published)
    body["materials"][1]["content_base64"] = content
    response = post_json(client, "/cases", citizen_token, body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [
        "materials.1.content_base64"
    ]  # numbered from 0, as the request body's array and django-ninja's own 422s
    assert not cases_of(users["demo-citizen"]).exists()


def test_a_material_over_5_mb_in_base64_json_is_accepted(client, citizen_token, published, users):
    body = application(published)
    body["materials"][0]["content_base64"] = b64(PDF + b"0" * (6 * 1024 * 1024))  # 8 MB in Base64
    response = post_json(client, "/cases", citizen_token, body)
    assert response.status_code == 201, response.content[:300]
    assert max(m["size"] for m in response.json()["materials"]) > 6 * 1024 * 1024


@pytest.mark.parametrize(
    ("path", "content_type", "json_answer"),
    [
        ("/api/v1/cases", "application/json", True),
        ("/api/v1/cases/x/materials", "multipart/form-data; boundary=b", True),
        ("/my/cases/x/upload/", "multipart/form-data; boundary=b", False),
        ("/accounts/login/", "application/x-www-form-urlencoded", False),
    ],
)
def test_an_oversized_body_is_413_by_its_content_length_without_reading_it(
    client, path, content_type, json_answer
):
    response = client.generic(
        "POST",
        path,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        HTTP_ACCEPT_LANGUAGE="en",
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    if json_answer:
        assert response.json()["code"] == "too_large" and "MB" in response.json()["message"]
    else:
        assert response["Content-Type"].startswith("text/html") and "too large" in response.content.decode()


def test_a_chunked_body_is_cut_off_past_the_limit_and_read_within_it(client, settings, demo_region):
    from yiwang.core import body_limits

    settings.MAX_JSON_BODY_BYTES = 100_000
    big = Counting(b'{"username": "' + b"a" * 10_000_000 + b'"}')
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
    response = client.generic(
        "POST", "/api/v1/auth/tokens", CONTENT_TYPE="application/json", **chunked, **{"wsgi.input": big}
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert big.taken <= settings.MAX_JSON_BODY_BYTES + body_limits.CHUNK
    small = io.BytesIO(json.dumps({"username": "demo-citizen", "password": "yiwang-demo"}).encode())
    response = client.generic(
        "POST", "/api/v1/auth/tokens", CONTENT_TYPE="application/json", **chunked, **{"wsgi.input": small}
    )
    assert response.status_code == 200 and response.json()["token"]


def run_apart(coroutine):
    """Run a coroutine on its own loop in a thread of its own: in a worker that ran a browser test
    Playwright's loop is running on the main thread, where asyncio.run refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_the_asgi_handler_reads_no_more_than_the_limit(settings):
    from yiwang.asgi import application as asgi

    settings.MAX_JSON_BODY_BYTES = settings.MAX_MULTIPART_BODY_BYTES = 100_000
    settings.MAX_FORM_BODY_BYTES = 100_000

    async def call(headers: list[tuple[bytes, bytes]], chunks: int) -> tuple[int, int]:
        received, sent = 0, []

        async def receive():
            nonlocal received
            if received == chunks:
                await asyncio.Event().wait()  # the client waits for the answer
            received += 1
            return {"type": "http.request", "body": b"x" * 65536, "more_body": received < chunks}

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/api/v1/auth/tokens",
            "headers": [(b"content-type", b"application/json"), *headers],
            "query_string": b"",
        }
        await asgi(scope, receive, send)
        return sent[0]["status"], received

    status, received = run_apart(call([(b"content-length", str(200 * 1024 * 1024).encode())], 3200))
    assert status == 413 and received == 0
    status, received = run_apart(call([], 3200))
    assert status == 413 and received <= 3


_B64 = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \n-_é", max_size=24
)


@given(st.one_of(_B64, st.binary(max_size=30).map(lambda b: base64.b64encode(b).decode())))
@settings(max_examples=2000, deadline=None)
def test_material_base64_is_decoded_strictly(text):
    """`decode_material` accepts only what the standard library's strict decoder accepts (less:
    padding after a whole quantum), and decodes it to the same bytes."""
    material = MaterialIn(filename="a.pdf", content_base64=text)
    try:
        strict = binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        strict = None
    try:
        ours = decode_material(material, 1)
    except ValidationError:
        ours = None
    if ours is not None:
        assert ours == strict
    if strict is not None and ours is None:
        assert text.endswith("=") and len(text.rstrip("=")) % 4 == 0  # "AAAA=": refused by us only


_TEXT = st.text(
    alphabet=st.sampled_from(["a", "名", "\\", '"', "u", "0", "d", "8", "\x00", "\ud800", "\udfff", "\n"])
)
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=12,
)


@given(_JSON, st.booleans())
@settings(max_examples=1500, deadline=None)
def test_the_quick_check_never_misses_unstorable_text(value, ascii_only):
    """`storable.json_may_hold` may say yes to a body that holds nothing unstorable, never no to
    one that does: escaped (`\\u0000`, `\\ud800`) or raw (NUL, a surrogate's UTF-8 bytes)."""
    from yiwang.core import storable

    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if storable.problems(json.loads(body.decode("utf-8", "surrogatepass"))):
        assert storable.json_may_hold(body)


_STORABLE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_ANY_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(_STORABLE, max_size=8),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(_STORABLE, max_size=4), inner, max_size=4)
    ),
    max_leaves=16,
)


@given(_ANY_JSON, st.booleans(), st.sampled_from(["", " ", "\n\t"]))
@settings(max_examples=1500, deadline=None)
def test_the_fast_parser_reads_every_body_as_the_standard_library_does(value, ascii_only, space):
    """The API's parser reads a body that cannot hold unstorable text with pydantic-core's JSON
    parser: the same values as `json.loads` (numbers of any size, NaN and infinities, escapes,
    non-ASCII, whitespace), and what `json.loads` refuses it refuses too."""
    from django.test import RequestFactory

    from yiwang.api.parser import StorableTextParser

    body = (space + json.dumps(value, ensure_ascii=ascii_only, indent=1 if space else None) + space).encode(
        "utf-8", "surrogatepass"
    )
    for candidate in (body, body[:-2] + b"}", body + b"x"):
        request = RequestFactory().post("/api/v1/cases", candidate, content_type="application/json")
        try:
            expected = json.loads(candidate)
        except ValueError:
            with pytest.raises((ValueError, RecursionError)):  # django-ninja: 400
                StorableTextParser().parse_body(request)
            continue
        got = StorableTextParser().parse_body(request)
        assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_a_body_the_standard_library_reads_as_utf16_or_with_a_bom_still_parses(client):
    from django.test import RequestFactory

    from yiwang.api.parser import StorableTextParser

    for body in ('\ufeff{"名": [1, 2.5]}'.encode(), '{"名": [1, 2.5]}'.encode("utf-16")):
        request = RequestFactory().post("/api/v1/cases", body, content_type="application/json")
        assert StorableTextParser().parse_body(request) == {"名": [1, 2.5]}


def test_every_422_numbers_a_material_as_its_place_in_the_request_body(client, citizen_token, published):
    """django-ninja's own errors (`materials.0.filename`) and the service's agree: from 0."""
    body = application(published)
    body["materials"][1]["material"] = 2**40  # not a material of this entry
    response = post_json(client, "/cases", citizen_token, body)
    assert response.status_code == 422, response.content
    assert "materials.1.material" in response.json()["fields"]  # (the rest is kept as a draft)
    body = application(published)
    del body["materials"][1]["filename"]
    response = post_json(client, "/cases", citizen_token, body)
    assert response.status_code == 422 and list(response.json()["fields"]) == ["materials.1.filename"]
