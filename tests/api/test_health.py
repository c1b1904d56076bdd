"""GET /health and the documentation endpoints."""

from __future__ import annotations

import httpx


def test_health_is_ok_without_auth(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-content-type-options"] == "nosniff"


def test_openapi_lists_every_route_with_error_codes(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    expected = {
        ("/auth/signup", "post"): {"201", "400", "409"},
        ("/auth/login", "post"): {"200", "400", "401"},
        ("/prompts", "get"): {"200", "401"},
        ("/prompts", "post"): {"201", "400", "401"},
        ("/prompts/{id}", "get"): {"200", "400", "401", "403", "404"},
        ("/prompts/{id}", "patch"): {"200", "400", "401", "403", "404"},
        ("/prompts/{id}", "delete"): {"204", "400", "401", "403", "404"},
        ("/logs", "post"): {"201", "400", "401", "404"},
        ("/logs", "get"): {"200", "400", "401", "403", "404"},
        ("/logs-by-prompt", "get"): {"200", "400", "401", "403", "404"},
        ("/logs/{id}", "delete"): {"204", "400", "401", "403", "404"},
        ("/search", "get"): {"200", "400", "401"},
        ("/health", "get"): {"200", "503"},
    }
    for (path, method), codes in expected.items():
        responses = paths[path][method]["responses"]
        assert codes <= set(responses), (path, method, sorted(responses))
        assert "422" not in responses
    assert "bearerAuth" in document["components"]["securitySchemes"]
    # Every route refuses an unknown query parameter (400) and needs the database (503).
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"400", "503"} <= set(operation["responses"]), (method, path)


def test_docs_page_is_served(client: httpx.Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
