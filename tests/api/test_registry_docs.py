"""The registry's routes in /openapi.json: every route, parameter and error status."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api
from tests.support.contract import ok_json

EXPECTED = {
    ("get", "/prompts/{id}/versions"): {"400", "401", "403", "404"},
    ("get", "/prompts/{id}/versions/{n}"): {"400", "401", "403", "404"},
    ("post", "/prompts/{id}/versions/{n}/restore"): {"400", "401", "403", "404", "412"},
    ("get", "/prompts/{id}/labels"): {"400", "401", "403", "404"},
    ("put", "/prompts/{id}/labels/{name}"): {"400", "401", "403", "404"},
    ("delete", "/prompts/{id}/labels/{name}"): {"400", "401", "403", "404"},
    ("get", "/prompts/{id}/labels/{name}/history"): {"400", "401", "403", "404"},
    ("post", "/prompts/{id}/render"): {"400", "401", "403", "404", "413"},
}


def test_registry_routes_are_documented_without_422(api: Api) -> None:
    document: dict[str, Any] = ok_json(api.client.get("/openapi.json"))
    paths = document["paths"]
    for (method, path), statuses in EXPECTED.items():
        operation = paths[path][method]
        responses = set(operation["responses"])
        assert statuses <= responses, (method, path, responses)
        assert "422" not in responses
        assert operation["security"] == [{"bearerAuth": []}]
    params = {p["name"] for p in paths["/prompts/{id}"]["get"]["parameters"]}
    assert {"id", "version", "label"} <= params
    schemas = document["components"]["schemas"]
    assert {"version", "labels", "variables"} <= set(schemas["PromptOut"]["properties"])
    assert {"promptVersion", "label", "model"} <= set(schemas["LogOut"]["properties"])
    assert {"promptVersion", "label"} <= set(schemas["LogIn"]["properties"])
    assert "commitMessage" in schemas["PromptPatch"]["properties"]
    for name in ("VersionOut", "LabelOut", "LabelChangeOut", "RenderIn", "RenderOut"):
        assert name in schemas, name
