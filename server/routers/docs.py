"""``/docs``: the OpenAPI description (``/openapi.json``) in Swagger UI, from the self-hosted assets in
``/static/vendor/swagger-ui-dist/`` (vendored from npm by ``frontend/vendor.py``); it reads no data."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API documentation - AI Incidents knowledge graph</title>
  <link rel="stylesheet" href="/static/vendor/swagger-ui-dist/swagger-ui.css">
</head>
<body>
  <main id="swagger-ui" data-openapi="/openapi.json"><p>Loading the API description from
    <a href="/openapi.json">/openapi.json</a>...</p></main>
  <script src="/static/vendor/swagger-ui-dist/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
async def docs() -> HTMLResponse:
    """The API documentation page."""
    return HTMLResponse(PAGE)
