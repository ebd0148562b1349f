"""Publishing that never misleads: guard rails, pre-publish checks and command-line conventions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import MOROCCO, files_under, run_cli

ADVISORY = f"{MOROCCO}.yaml"


def advisory(ws: Path, name: str, **changes: object) -> Path:
    data = yaml.safe_load((ws / "advisories" / ADVISORY).read_text()) | changes
    path = ws / "advisories" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


# --- guard rails ------------------------------------------------------------------------------


def test_a_mistyped_workspace_never_wipes_the_published_site(ws: Path, tmp_path: Path) -> None:
    published = tmp_path / "pub"
    assert run_cli("build", "-f", "html", "-o", published, workspace=ws).exit_code == 0
    before = files_under(published)
    ran = run_cli("build", "-f", "html", "-o", published, workspace=tmp_path / "dya")
    assert ran.exit_code == 1 and f"{tmp_path / 'dya'}:1:1: has no advisories/ folder" in ran.stderr
    assert files_under(published) == before and not (tmp_path / "dya").exists()


def test_build_refuses_a_folder_it_did_not_make_unless_empty(ws: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("not ours")
    ran = run_cli("build", "-f", "html", "-o", theirs, workspace=ws)
    assert ran.exit_code == 1 and "is not empty and was not made by travelrisk" in ran.stderr
    assert files_under(theirs) == {"notes.txt": b"not ours"}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("build", "-f", "html", "-o", empty, workspace=ws).exit_code == 0


# --- pre-publish checks -------------------------------------------------------------------------


def test_placeholder_text_in_a_final_advisory_is_an_error_and_fine_in_a_draft(ws: Path) -> None:
    path = advisory(ws, "unfinished", summary="REPLACE: one or two sentences.", status="final")
    ran = run_cli("validate", path, workspace=ws)
    assert ran.exit_code == 1 and "summary still holds placeholder text (REPLACE:) in a final advisory" in ran.stderr
    advisory(ws, "unfinished", summary="REPLACE: one or two sentences.", status="draft")
    assert run_cli("validate", path, workspace=ws).exit_code == 0
    built = run_cli("build", "-f", "json", workspace=ws)
    assert "unfinished" not in (ws / "output" / "advisories.json").read_text(), built.stderr


def test_a_title_that_repeats_the_country_is_a_warning_and_never_doubled(ws: Path) -> None:
    path = advisory(ws, "doubled", title="Morocco: arrests in Fez")
    ran = run_cli("validate", path, workspace=ws)
    assert ran.exit_code == 0 and "warning: the title starts with the country (Morocco)" in ran.stderr
    text = run_cli("render", path, "-f", "text", "-o", "-", workspace=ws).stdout
    assert "Morocco: arrests in Fez" in text and "Morocco: Morocco:" not in text


def test_an_advisory_issued_far_ahead_is_a_warning(ws: Path) -> None:
    path = advisory(ws, "ahead", issued="2099-01-01T00:00:00Z")
    ran = run_cli("validate", path, workspace=ws)
    assert ran.exit_code == 0 and "warning: issued is" in ran.stderr and "days in the future" in ran.stderr


# --- conventions --------------------------------------------------------------------------------


def test_version_help_and_completion() -> None:
    assert run_cli("--version").stdout.startswith("travelrisk ")
    assert run_cli("-h").exit_code == 0
    assert "--install-completion" in run_cli("--help").stdout


def test_the_format_follows_the_output_extension(ws: Path) -> None:
    out = ws / "alert.html"
    ran = run_cli("render", ws / "advisories" / ADVISORY, "-o", out, workspace=ws)
    assert ran.exit_code == 0 and out.read_text().startswith("<!DOCTYPE html>")
    assert ran.stdout.strip() == str(out)  # what it wrote, on standard output
    clash = run_cli("render", ws / "advisories" / ADVISORY, "-f", "pdf", "-o", ws / "alert.html", workspace=ws)
    assert clash.exit_code == 2 and "is a html file name, but -f asks for pdf" in clash.stderr


def test_build_prints_what_it_wrote(ws: Path) -> None:
    ran = run_cli("build", "-f", "json", workspace=ws)
    written = ran.stdout.split()
    assert str(ws / "output" / MOROCCO / f"{MOROCCO}.json") in written
    assert all(Path(p).is_file() for p in written) and "built 2" in ran.stderr


def test_a_closed_pipe_is_quiet(ws: Path) -> None:
    command = f"{sys.executable} -m travelrisk -w {ws} render {ws / 'advisories' / ADVISORY} -f html -o - | head -c 0"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.stderr == "" and done.returncode == 0, done.stderr


def test_no_pdf_is_written_to_a_terminal(ws: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "travelrisk", "-w", str(ws), "render", str(ws / "advisories" / ADVISORY), "-o", "-"],
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2 and "a PDF is not for a terminal" in done.stderr


@pytest.mark.parametrize(
    ("key", "value", "shown"), [("severity", "Critical", "Critical"), ("threat", "Civil unrest", "Civil unrest")]
)
def test_values_are_read_case_insensitively_where_unambiguous(ws: Path, key: str, value: str, shown: str) -> None:
    path = advisory(ws, "cased", **{key: value})
    assert run_cli("validate", path, workspace=ws).exit_code == 0


def test_a_near_miss_value_gets_did_you_mean(ws: Path) -> None:
    path = advisory(ws, "near", severity="warnng")
    ran = run_cli("validate", path, workspace=ws)
    assert ran.exit_code == 1 and "unknown severity level 'warnng'; did you mean 'warning'?" in ran.stderr


def test_messages_are_in_our_words(ws: Path) -> None:
    path = ws / "advisories" / "when.yaml"
    path.write_text((ws / "advisories" / ADVISORY).read_text().replace("2017-07-15T17:12:00+00:00", "yesterday"))
    ran = run_cli("validate", path, workspace=ws)
    assert ran.exit_code == 1 and "issued: is not a date and time" in ran.stderr
    assert "Input should be" not in ran.stderr


def test_page_size_is_read_as_people_write_it(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text("page_size: letter\n")
    assert run_cli("validate", workspace=ws).exit_code == 0


def test_command_line_problems_name_the_option(ws: Path) -> None:
    ran = run_cli("list", "--country", "Atlantis", workspace=ws)
    assert ran.exit_code == 1 and ran.stderr.startswith("--country: unknown country 'Atlantis'")


# --- state on the advisory itself ------------------------------------------------------------------


def test_an_expired_advisory_says_so_on_its_page_and_pdf(ws: Path) -> None:
    from datetime import UTC, datetime

    from travelrisk.build import build
    from travelrisk.workspace import Workspace

    advisory(ws, "short-lived", valid_until="2017-07-20T00:00:00Z")
    build(Workspace(ws), formats=("html", "pdf"), now=datetime(2017, 7, 18, tzinfo=UTC))
    page = ws / "output" / "short-lived" / "index.html"
    assert "Expired on" not in page.read_text()
    build(Workspace(ws), formats=("html", "pdf"), now=datetime(2026, 1, 1, tzinfo=UTC))  # the state changed
    html = page.read_text()
    assert html.index("Expired on 20 Jul 2017 | 12:00 AM UTC: no longer in force") < html.index('class="tr-title"')
    first_page = subprocess.run(
        ["pdftotext", "-l", "1", str(ws / "output" / "short-lived" / "short-lived.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Expired on 20 Jul 2017" in first_page


def test_a_superseded_advisory_says_so_at_the_top_and_links_to_its_replacement(ws: Path) -> None:
    advisory(ws, "later", supersedes=MOROCCO, issued="2017-08-01T09:00:00Z", title="First arrests")
    html = run_cli("render", ws / "advisories" / ADVISORY, "-f", "html", "-o", "-", workspace=ws).stdout
    notice = html.index("Superseded: replaced by")
    assert notice < html.index('class="tr-title"')
    assert '“<a href="../later/index.html">First arrests</a>” of 01 Aug 2017' in html[notice : notice + 300]


# --- links that work where people read them --------------------------------------------------------


def pdf_links(pdf: Path) -> list[str]:
    """The addresses of the PDF's link annotations (poppler's pdfinfo -url)."""
    out = subprocess.run(["pdfinfo", "-url", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[-1] for line in out.splitlines()[1:] if line.strip()]


def test_without_base_url_fragments_and_pdfs_carry_no_relative_or_file_links(ws: Path) -> None:
    advisory(ws, "later", supersedes=MOROCCO, issued="2017-08-01T09:00:00Z", title="First arrests")
    later = ws / "advisories" / "later.yaml"
    fragment = run_cli("render", later, "-f", "fragment", "-o", "-", workspace=ws).stdout
    assert 'href="../' not in fragment and "“Security services brace" in fragment
    run_cli("render", later, "-o", ws / "later.pdf", workspace=ws)
    assert not any(u.startswith("file:") for u in pdf_links(ws / "later.pdf"))


def test_with_base_url_every_published_link_is_absolute(ws: Path) -> None:
    base = "https://intranet.example.com/advisories/"
    (ws / "travelrisk.yaml").write_text(
        "organisation: Northwind Security\nbase_url: https://intranet.example.com/advisories\n"
    )
    advisory(ws, "later", supersedes=MOROCCO, issued="2017-08-01T09:00:00Z", title="First arrests")
    assert run_cli("build", "-f", "html", "-f", "fragment", "-f", "json", "-f", "pdf", workspace=ws).exit_code == 0
    out = ws / "output"
    assert f'href="{base}{MOROCCO}/index.html"' in (out / "later" / "index.html").read_text()
    assert f'href="{base}{MOROCCO}/index.html"' in (out / "later" / "fragment.html").read_text()
    data = yaml.safe_load((out / "later" / "later.json").read_text())
    assert data["update_of"]["href"] == f"{base}{MOROCCO}/index.html" and data["url"] == f"{base}later/index.html"
    feed = (out / "feed.xml").read_text()
    assert f'rel="self" type="application/atom+xml" href="{base}feed.xml"' in feed
    assert f'href="{base}later/index.html"' in feed and "<name>Northwind Security</name>" in feed
    links = pdf_links(out / "later" / "later.pdf")
    assert f"{base}{MOROCCO}/index.html" in links and not any(u.startswith("file:") for u in links)


def test_a_bad_base_url_is_refused_at_its_place(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text("base_url: intranet/advisories\n")
    ran = run_cli("validate", workspace=ws)
    assert ran.exit_code == 1 and "travelrisk.yaml:1:1: base_url" in ran.stderr


# --- print -----------------------------------------------------------------------------------------------


def test_a_printed_pdf_cites_its_sources_and_names_itself_on_every_page(ws: Path) -> None:
    path = advisory(
        ws,
        "long",
        sources=[{"title": "Report", "url": "https://news.example.org/report"}],
        advice=[f"Paragraph {i}: " + "keep to the routes agreed with your hosts. " * 12 for i in range(6)],
    )
    run_cli("render", path, "-o", ws / "long.pdf", workspace=ws)
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(ws / "long.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in (1, 2)
    ]
    assert "<https://news.example.org/report>" in "".join(pages)
    assert "Security services brace" in pages[1].split("\n\n")[0] + pages[1][:300]  # the running header


def test_the_html_page_has_a_print_stylesheet(ws: Path) -> None:
    html = run_cli("render", ws / "advisories" / ADVISORY, "-f", "html", "-o", "-", workspace=ws).stdout
    assert "@media print" in html


# --- stable addresses ------------------------------------------------------------------------------------


def test_each_country_has_a_stable_page_of_what_is_in_force(ws: Path) -> None:
    import json
    from datetime import UTC, datetime

    from travelrisk.build import build
    from travelrisk.workspace import Workspace

    build(Workspace(ws), formats=("html", "json"), now=datetime(2026, 11, 21, tzinfo=UTC))
    page = ws / "output" / "countries" / "ma" / "index.html"
    assert "Morocco: advisories in force" in page.read_text()
    assert f'href="../../{MOROCCO}/index.html"' in page.read_text()
    data = json.loads((ws / "output" / "countries" / "ma" / "index.json").read_text())
    assert [a["id"] for a in data["advisories"]] == [MOROCCO]
    advisory(ws, "withdrawn", status="withdrawn", id=MOROCCO)  # the same id, now a second file: loses
    (ws / "advisories" / ADVISORY).unlink()
    (ws / "advisories" / "withdrawn.yaml").rename(ws / "advisories" / ADVISORY)
    build(Workspace(ws), formats=("html", "json"), now=datetime(2026, 11, 21, tzinfo=UTC))
    assert "No advisory is in force for Morocco" in page.read_text()  # the address still answers
    assert json.loads((ws / "output" / "countries" / "ma" / "index.json").read_text())["advisories"] == []
