"""The OpenAPI document tells the truth about what the API sends and takes, and /api/docs
shows it with locally served Swagger UI."""
from __future__ import annotations

import pytest

API = "/api/v1"
UPLOADS = {f"{API}/processes": True, f"{API}/bundles": True, f"{API}/attachments": False,
           f"{API}/bundles/{{key}}/eligibility": False}  # path → several files in one request
PDFS = (f"{API}/documents/{{document_id}}", f"{API}/bundles/{{key}}/notice.pdf",
        f"{API}/bundles/{{key}}/materials/{{code}}/{{kind}}.pdf")
XML = (f"{API}/processes/{{key}}/bpmn", f"{API}/processes/{{key}}/versions/{{version}}/bpmn")


@pytest.fixture
def doc(client) -> dict:
    resp = client.get(f"{API}/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def _operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def _resolve(doc: dict, obj: dict) -> dict:
    while "$ref" in obj:
        section, name = obj["$ref"].split("/")[-2:]
        obj = doc["components"][section][name]
    return obj


def test_it_validates_as_openapi_3(doc):
    validator = pytest.importorskip("openapi_spec_validator")
    assert doc["openapi"].startswith("3.")
    validator.validate(doc)


def test_every_error_response_is_the_real_error_shape(doc):
    schemas = doc["components"]["schemas"]
    assert "Error" not in schemas  # flask-smorest's {code, status, message, errors}
    body = _resolve(doc, schemas["ApiError"]["properties"]["error"])
    assert body["required"] == ["code", "fields", "message"]
    assert body["properties"]["fields"]["additionalProperties"]["items"] == {"type": "string"}
    for path, method, operation in _operations(doc):
        assert "default" in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                continue
            schema = _resolve(doc, response)["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ApiError"}, (method, path, status)


def test_bad_arguments_are_documented_as_400(doc):
    assert "UNPROCESSABLE_ENTITY" not in doc["components"]["responses"]  # webargs' 422 is our 400
    assert doc["paths"][f"{API}/cases"]["post"]["responses"]["400"] == {"$ref": "#/components/responses/BAD_REQUEST"}
    assert "400" in doc["paths"][f"{API}/users/{{username}}"]["patch"]["responses"]


def test_uploads_are_multipart_with_a_binary_file(doc):
    for path, many in UPLOADS.items():
        body = doc["paths"][path]["post"]["requestBody"]
        assert list(body["content"]) == ["multipart/form-data"], path
        schema = _resolve(doc, body["content"]["multipart/form-data"]["schema"])
        assert "file" in schema["required"], path
        file = schema["properties"]["file"]
        binary = file["items"] if many else file
        assert (binary["type"], binary["format"]) == ("string", "binary"), path


def test_xml_and_pdf_bodies(doc):
    for path in XML:
        assert list(doc["paths"][path]["get"]["responses"]["200"]["content"]) == ["application/xml"], path
    for path in PDFS:
        content = doc["paths"][path]["get"]["responses"]["200"]["content"]
        assert content == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}, path


def test_tags_are_readable(doc):
    names = [t["name"] for t in doc["tags"]]
    assert {"Cases 工单", "Tasks 待办", "Processes 流程定义", "Attachments 附件"} <= set(names)
    assert not [n for n in names if n.startswith("api_")]
    used = {tag for _, _, operation in _operations(doc) for tag in operation["tags"]}
    assert used <= set(names)


def test_public_endpoints_need_no_token(doc):
    assert doc["paths"][f"{API}/auth/token"]["post"]["security"] == []
    assert doc["paths"][f"{API}/bundles/{{key}}/notice.pdf"]["get"]["security"] == []
    assert doc["security"] == [{"bearer": []}]


def test_admin_endpoints_are_described(doc):
    paths = doc["paths"]
    assert {"get", "patch"} <= set(paths[f"{API}/users/{{username}}"])
    assert "post" in paths[f"{API}/users/{{username}}/password"]
    for action in ("retire", "activate"):
        assert "post" in paths[f"{API}/processes/{{key}}/versions/{{version}}/{action}"]


def test_swagger_ui_page_is_served_locally(client):
    resp = client.get("/api/docs")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f'"/vendor/swagger-ui-dist/{name}"' in page
    assert 'data-spec-url="/api/v1/openapi.json"' in page
    assert "<script>" not in page and "//cdn" not in page and "unpkg" not in page
    script = client.get("/static/api-docs.js")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.data
    script.close()
