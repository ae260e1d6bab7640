"""An attachment sent back to a browser or an API client: always as a download (never rendered
in the site's origin), with its detected type, a clean file name and no caching."""
from __future__ import annotations

from pathlib import Path

from flask import send_file
from werkzeug.wrappers import Response

import engine


def attachment_response(meta: engine.attachments.AttachmentView, path: Path) -> Response:
    # send_file writes the name as filename= (ASCII) and filename*= (UTF-8) in Content-Disposition;
    # the engine stored it without path, quotes or control characters.
    response = send_file(path, mimetype=meta.content_type, as_attachment=True, download_name=meta.name,
                         conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
