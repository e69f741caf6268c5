"""The directory: view it, download it, and replace it (edited text or a file) with the same validation as
`ivr directory load`, refusing one that would leave a line without its help desk, standby or switchboard."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from console.access import me, require
from console.blueprint import bp
from directory.loader import DirectoryError, directory_as_csv, parse_directory, replace_directory
from directory.lookup import all_units
from ivr.audit.service import record_audit
from ivr.lines.loader import lines_problems
from ivr.users.roles import Permission
from ivr.web.context import now, runtime
from ivr.web.session import get_session

MAX_DIRECTORY_BYTES = 60 * 1024  # below the app's request limit


@bp.get("/directory")
@require(Permission.DIRECTORY)
def directory(problems: list[str] | None = None, text: str | None = None) -> str:
    """Every unit, and the form to replace the directory."""
    db = get_session()
    return render_template(
        "directory.html",
        units=all_units(session=db),
        text=text if text is not None else directory_as_csv(session=db),
        problems=problems,
    )


@bp.get("/directory.csv")
@require(Permission.DIRECTORY)
def directory_file() -> Response:
    """The stored directory as a directory file."""
    return Response(
        directory_as_csv(session=get_session()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="directory.csv"'},
    )


@bp.post("/directory")
@require(Permission.DIRECTORY)
def replace() -> WerkzeugResponse | tuple[str, int]:
    """Replace the whole directory, or nothing: any bad row, or a line left without a number, refuses it."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        source, raw = upload.filename, upload.read(MAX_DIRECTORY_BYTES + 1)
        text = raw.decode("utf-8", errors="replace")
    else:
        source, text = "katalog", request.form.get("text", "")
    if not text.strip():
        flash("directory.empty", "error")
        return redirect(url_for("console.directory"))
    try:
        rows = parse_directory(text, source=source)
    except DirectoryError as exc:
        return directory(problems=exc.problems, text=text), 400
    problems = lines_problems(runtime().lines, rows)
    if problems:
        return directory(problems=problems, text=text), 400
    db = get_session()
    count = replace_directory(session=db, rows=rows)
    record_audit(
        session=db,
        actor=me().username,
        action="directory.replace",
        subject="directory",
        detail={"units": count, "source": source},
        now=now(),
    )
    db.commit()
    flash("directory.loaded", "info")
    return redirect(url_for("console.directory", loaded=count))
