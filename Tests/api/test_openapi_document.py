"""Checks of the hand-written OpenAPI document, Sources/FerryApp/Resources/openapi.json.

Run from the repository root: python3 -m pytest -q Tests/api/test_openapi_document.py
(needs the packages in Tests/api/requirements.txt).

Each module has its own contract document: every `docs/*.md` with a `## JSON API` section is one,
and the table in that section lists the module's routes (`METHOD /path`) and their rules
(docs/SYSTEM.md, "The OpenAPI document"). The document must describe exactly the routes of all
contracts, with the same rules. Bodies are JSON with a schema, binary (a media type of
`BINARY_MEDIA_TYPES`), or absent.
"""

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "Sources" / "FerryApp" / "Resources" / "openapi.json"
# Each module's contract document: every doc with a "## JSON API" section (a heading of its own
# line) whose table lists its routes and rules.
JSON_API = re.compile(r"^## JSON API\b.*$", re.M)
CONTRACTS = sorted(path for path in (ROOT / "docs").glob("*.md") if JSON_API.search(path.read_text(encoding="utf-8")))
# Bodies that are bytes, described by their media type alone: files, and tus upload chunks.
BINARY_MEDIA_TYPES = {"application/octet-stream", "application/offset+octet-stream"}
TUS_CHUNK = "application/offset+octet-stream"
JSON = "application/json"

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
RULES = {"public", "signed-in", "team-member", "team-owner", "admin", "session", "session-or-admin-token", "peer"}
AUTHENTICATED = [{"sessionCookie": []}, {"bearerToken": []}]
# Peers are members or paired guests.
PEER = AUTHENTICATED + [{"guestCookie": []}]
# Operations that may be throttled: 429 with Retry-After.
RATE_LIMITED = {("post", "/session"), ("put", "/me/password"), ("post", "/setup"), ("post", "/invites/{code}/accept"),
                ("post", "/pairings/claim"), ("post", "/drops/{dropID}/open"), ("post", "/drops/{dropID}/check"),
                ("get", "/drops/{dropID}/files/{index}")}


@pytest.fixture(scope="module")
def document():
    with DOCUMENT.open(encoding="utf-8") as file:
        return json.load(file)


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def contract_routes():
    """(method, path) → x-ferry-rule, read from the JSON API tables of the contract documents."""
    routes = {}
    for contract in CONTRACTS:
        table = contract_table(contract)
        assert table, f"{contract.name} has a JSON API section without a route table"
        shared = set(routes) & set(table)
        assert not shared, f"{contract.name} lists routes another contract lists: {sorted(shared)}"
        routes.update(table)
    return routes


def contract_table(contract):
    text = contract.read_text(encoding="utf-8")
    section = text[JSON_API.search(text).end():].split("\n## ", 1)[0]
    routes = {}
    methods = "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS"
    for match in re.finditer(rf"^\| `({methods}) (/[^`]*)` \| ([^|]+) \|", section, re.M):
        method, path, rule = match.group(1).lower(), match.group(2), match.group(3).strip()
        if "(session or admin token)" in rule:
            rule = "session-or-admin-token"
        elif "(session)" in rule:
            rule = "session"
        else:
            # "public (needs the token)", "team-owner, or the member themself"
            rule = re.match(r"[a-z-]+", rule).group(0)
        routes[(method, path)] = rule
    return routes


def resolve(document, reference):
    assert reference.startswith("#/"), f"only local references are used: {reference}"
    node = document
    for token in reference[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and token in node, f"unresolved $ref {reference}"
        node = node[token]
    return node


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def deref(document, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(document, node["$ref"])
    return node


def test_is_a_valid_openapi_3_1_document(document):
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "Ferry API"
    assert document["info"]["version"] == "1"
    assert document["servers"] == [{"url": "/api/v1"}]


def test_security_schemes(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["sessionCookie"] == {**schemes["sessionCookie"], "type": "apiKey", "in": "cookie", "name": "ferry_session"}
    assert schemes["bearerToken"]["type"] == "http"
    assert schemes["bearerToken"]["scheme"].lower() == "bearer"


def test_every_module_has_a_contract():
    names = {path.name for path in CONTRACTS}
    assert {"SYSTEM.md", "IDENTITY.md", "SIGNALLING.md", "DROPS.md"} <= names, names


def test_routes_and_rules_match_the_contract(document):
    expected = contract_routes()
    actual = {(method, path): operation.get("x-ferry-rule") for method, path, operation in operations(document)}
    assert sorted(actual) == sorted(expected)
    assert actual == expected


def test_operation_ids_are_present_unique_and_camel_case(document):
    ids = [operation.get("operationId") for _, _, operation in operations(document)]
    assert all(ids), "every operation has an operationId"
    assert len(ids) == len(set(ids)), "operationIds are unique"
    for operation_id in ids:
        assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", operation_id), operation_id


def test_every_operation_has_a_summary_a_rule_and_security(document):
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("x-ferry-rule") in RULES, where
        assert "security" in operation, where
        if operation["x-ferry-rule"] == "public":
            assert operation["security"] == [], where
        elif operation["x-ferry-rule"] == "peer":
            assert operation["security"] == PEER, where
        else:
            assert operation["security"] == AUTHENTICATED, where


def test_non_public_operations_answer_401_and_403(document):
    for method, path, operation in operations(document):
        if operation["x-ferry-rule"] != "public":
            assert "401" in operation["responses"], f"{method.upper()} {path}"
            assert "403" in operation["responses"], f"{method.upper()} {path}"


def test_gated_public_operations_answer_401_to_a_bad_token(document):
    """Module routes authenticate whatever credentials a request presents, public ones too: a bad
    API token is a 401, not an anonymous request. The system routes and tus discovery (`OPTIONS`,
    fixed answers given on the event loop) do not look at credentials."""
    system = contract_table(ROOT / "docs" / "SYSTEM.md")
    for method, path, operation in operations(document):
        if operation["x-ferry-rule"] == "public" and (method, path) not in system and method != "options":
            assert "401" in operation["responses"], f"{method.upper()} {path}"


def test_routes_with_path_parameters_answer_404(document):
    for method, path, operation in operations(document):
        if "{" in path:
            assert "404" in operation["responses"], f"{method.upper()} {path}"


def test_every_ref_resolves(document):
    refs = set(references(document))
    assert refs
    for reference in refs:
        resolve(document, reference)


def test_path_parameters_are_declared(document):
    for method, path, operation in operations(document):
        declared = {
            parameter["name"]
            for parameter in (deref(document, p) for p in operation.get("parameters", []))
            if parameter["in"] == "path"
        }
        assert declared == set(re.findall(r"\{([^}]+)\}", path)), f"{method.upper()} {path}"


def request_body_problems(document):
    """What is wrong with the request bodies: JSON with a schema, bytes, or none."""
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        if "requestBody" not in operation:
            continue
        body = deref(document, operation["requestBody"])
        media_types = set(body.get("content", {}))
        responses = set(operation["responses"])
        if not media_types or not media_types <= {JSON} | BINARY_MEDIA_TYPES:
            yield f"{where}: request media types {sorted(media_types)}"
        # A body the server reads has a size limit (413) and a media type it checks (415).
        if not {"413", "415"} <= responses:
            yield f"{where}: no 413 or 415"
        if JSON in media_types and not (body["content"][JSON].get("schema") and "400" in responses):
            yield f"{where}: a JSON body needs a schema and 400"
        for media_type in media_types & BINARY_MEDIA_TYPES:
            # Bytes as they are: no schema, or a string of that media type.
            schema = body["content"][media_type].get("schema")
            if not (schema is None or schema.get("type") == "string"):
                yield f"{where}: {media_type} described as {schema}"
        if TUS_CHUNK in media_types:
            # A tus chunk is framed by headers (tus 1.0 core): they are its description.
            headers = {deref(document, p)["name"].lower() for p in operation.get("parameters", [])
                       if deref(document, p)["in"] == "header"}
            if not {"tus-resumable", "upload-offset"} <= headers:
                yield f"{where}: a tus chunk without Tus-Resumable and Upload-Offset headers"


def response_problems(document):
    """What is wrong with the answers: JSON with a schema, bytes or nothing; errors are problems."""
    problem = "#/components/schemas/Problem"
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        for status, response in operation["responses"].items():
            response = deref(document, response)
            code = int(status)
            content = response.get("content", {})
            if code in (101, 204, 304) or method == "head":
                if content:
                    yield f"{where} {status}: a body where there is none"
            elif code < 400:
                # JSON with a schema, bytes, or nothing (a tus answer is all headers).
                if not set(content) <= {JSON} | BINARY_MEDIA_TYPES:
                    yield f"{where} {status}: media types {sorted(content)}"
                elif JSON in content and not content[JSON].get("schema"):
                    yield f"{where} {status}: JSON without a schema"
            elif list(content) != ["application/problem+json"] or \
                    content["application/problem+json"].get("schema") != {"$ref": problem}:
                yield f"{where} {status}: an error that is not a problem"


def test_request_bodies_are_json_or_binary(document):
    assert list(request_body_problems(document)) == []


def test_responses_are_described_as_they_are_and_errors_are_problems(document):
    assert list(response_problems(document)) == []


def binary_operations(chunk_headers):
    """A tus chunk upload and a file download, as a module would describe them."""
    problem = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    header = lambda name: {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}  # noqa: E731
    return {
        "openapi": "3.1.0",
        "components": {"schemas": {"Problem": {"type": "object"}}},
        "paths": {
            "/uploads/{uploadID}": {
                "patch": {
                    "parameters": [header(name) for name in chunk_headers],
                    "requestBody": {"required": True, "content": {TUS_CHUNK: {}}},
                    "responses": {"204": {"description": "Appended; `Upload-Offset` is the new offset."},
                                  "409": problem, "413": problem, "415": problem, "460": problem},
                },
                # A HEAD answer has headers only, errors included.
                "head": {"responses": {"200": {"description": "`Upload-Offset`, `Upload-Length`."},
                                       "404": {"description": "No such upload."}}},
            },
            "/files/{fileID}": {
                "get": {"responses": {
                    "200": {"content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
                    "206": {"content": {"application/octet-stream": {}}},
                    "304": {"description": "Not modified."},
                    "416": problem,
                }},
            },
        },
    }


def test_binary_and_tus_operations_can_be_described_as_they_are():
    document = binary_operations(["Tus-Resumable", "Upload-Offset", "Upload-Checksum"])
    assert list(request_body_problems(document)) == []
    assert list(response_problems(document)) == []
    # A chunk without its framing headers, and an error in plain text, are still refused.
    bare = binary_operations(["Tus-Resumable"])
    bare["paths"]["/files/{fileID}"]["get"]["responses"]["416"] = {"content": {"text/plain": {}}}
    assert len(list(request_body_problems(bare))) == 1
    assert len(list(response_problems(bare))) == 1


def test_request_schemas_state_closed_shapes_where_the_server_refuses_extras(document):
    """Requests whose decoder refuses unknown members say so (additionalProperties: false)."""
    schemas = document["components"]["schemas"]
    for name in ("RegisterDeviceRequest", "ClaimPairingRequest"):
        assert schemas[name]["additionalProperties"] is False, name


def test_rate_limited_operations_answer_429_with_retry_after(document):
    for method, path, operation in operations(document):
        response = operation["responses"].get("429")
        if (method, path) in RATE_LIMITED:
            assert response, f"{method.upper()} {path}"
            header = deref(document, deref(document, response)["headers"]["Retry-After"])
            assert header["schema"]["type"] == "integer"
        else:
            assert response is None, f"{method.upper()} {path}"


def test_shapes_of_the_contract(document):
    schemas = document["components"]["schemas"]
    shapes = {
        "User": {"id", "email", "displayName", "isAdmin", "disabled", "createdAt"},
        "Me": {"user", "teams", "via", "scopes"},
        "TeamSummary": {"id", "name", "role"},
        "Team": {"id", "name", "createdAt", "role", "memberCount"},
        "Member": {"user", "role", "joinedAt", "disabled"},
        "Token": {"id", "name", "scopes", "prefix", "createdAt", "expiresAt", "lastUsedAt"},
        "Invite": {"id", "teamID", "role", "maxUses", "uses", "createdAt", "expiresAt", "revokedAt", "createdBy"},
        "InvitePreview": {"teamName", "role", "expiresAt", "valid"},
        "AuditEvent": {"id", "at", "action", "actorID", "teamID", "subject", "clientAddress", "detail"},
        "Problem": {"type", "title", "status", "detail", "instance", "errors"},
    }
    for name, keys in shapes.items():
        assert set(schemas[name]["properties"]) == keys, name
    for name in set(shapes) - {"Problem"}:
        assert set(schemas[name]["required"]) == shapes[name], f"{name}: all keys are always present"
    assert set(schemas["Problem"]["required"]) == shapes["Problem"] - {"errors"}
    assert schemas["Scope"]["enum"] == ["read", "write", "admin"]
    assert schemas["Role"]["enum"] == ["owner", "member"]


def test_patterns_compile(document):
    """Every pattern is one Python's `re` reads the same as ECMA-262 does (what generators use)."""
    def patterns(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    yield value
                else:
                    yield from patterns(value)
        elif isinstance(node, list):
            for value in node:
                yield from patterns(value)

    found = list(patterns(document))
    assert found
    for pattern in found:
        re.compile(pattern)
        # No Python-only or ECMA-only escapes (\A, \Z, \U, \u{…}, \p{…}): the same text in both.
        assert not re.search(r"\\[AZU]|\\u\{|\\[pP]\{", pattern), pattern


# Values and whether the server's input rules (Sources/FerryApp/Identity/InputRules.swift, its
# tests beside these) accept them: the schemas must not accept what the server refuses.
RULE_CASES = {
    "Name": [("Ann", True), ("  Ann  ", True), ("e\u0301", True), ("😀 Team", True), ("a" * 100, True),
             ("", False), ("   ", False), ("\u200b", False), ("a\u0000b", False), ("a\u0085b", False),
             ("x\u202ey", False), ("\ufffd", False), ("a\U0001fffe", False), ("a" * 101, False)],
    "Email": [("ann@example.org", True), ("a@b", True), ("ü@straße.de", True), ("no-at", False),
              ("@example.org", False), ("ann@", False), ("a b@example.org", False), ("a@b@c", False),
              ("\u200b@b", False), ("a" * 250 + "@b.cd", False)],
    "Password": [("p" * 10, True), ("  spaces kept  ", True), ("p" * 1024, True), ("p" * 9, False),
                 ("p" * 1025, False), ("tab\tinside!!", False)],
}


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_input_rule_schemas_match_the_server_rules(document, name):
    schema = document["components"]["schemas"][name]
    pattern = re.compile(schema["pattern"])
    for value, valid in RULE_CASES[name]:
        length = len(value)  # code points, as JSON Schema counts
        accepted = bool(pattern.search(value)) and schema["minLength"] <= length <= schema["maxLength"]
        assert accepted == valid, f"{name}: {value!r}"
