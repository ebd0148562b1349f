"""`official_advisories`: governments' own travel advice, shown as one compact block in the page, the
fragment, the PDF, the text and the JSON; checked strictly, placed when wrong, escaped as text.
The issuers here are invented: no test states a real government's level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MOROCCO, REPO, pdf_text, run_cli

GOOD = (REPO / "advisories" / f"{MOROCCO}.yaml").read_text(encoding="utf-8")
URL = "https://mfa.example.org/travel/morocco"
BLOCK = f"""official_advisories:
  - issuer: Example Ministry of Foreign Affairs
    level: Level 3, Reconsider travel
    date: 2017-07-10
    url: {URL}
  - issuer: Other Office
    level: Exercise normal precautions
    date: 2017-06-02
"""
LINE = f"Example Ministry of Foreign Affairs: Level 3, Reconsider travel (10 Jul 2017) <{URL}>"


def advisory(tmp_path: Path, block: str = BLOCK) -> Path:
    path = tmp_path / f"{MOROCCO}.yaml"
    path.write_text(GOOD + block, encoding="utf-8")
    return path


def render(path: Path, fmt: str) -> str:
    ran = run_cli("render", path, "-f", fmt, "-o", "-", workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    return ran.stdout


def test_text_shows_one_compact_block_with_the_issuers_line(tmp_path: Path) -> None:
    text = render(advisory(tmp_path), "text")
    assert f"Government travel advice\n{LINE}\nOther Office: Exercise normal precautions (02 Jun 2017)\n" in text
    # Under the recommendation, before the event.
    assert text.index("Exercise increased caution:") < text.index(LINE) < text.index("\nEvent\n")


def test_page_and_fragment_link_the_issuer_and_date_the_level(tmp_path: Path) -> None:
    path = advisory(tmp_path)
    for fmt in ("html", "fragment"):
        html = render(path, fmt)
        assert (
            f'<a href="{URL}" rel="noopener noreferrer nofollow">Example Ministry of Foreign Affairs</a>: '
            'Level 3, Reconsider travel (<time datetime="2017-07-10">10 Jul 2017</time>)'
        ) in html, fmt
        assert "<li>Other Office: Exercise normal precautions (" in html, fmt
        assert html.count('class="tr-official"') == 1, fmt


def test_json_carries_the_list(tmp_path: Path) -> None:
    data = json.loads(render(advisory(tmp_path), "json"))
    assert data["official_advisories"][0] == {
        "issuer": "Example Ministry of Foreign Affairs",
        "level": "Level 3, Reconsider travel",
        "date": "2017-07-10",
        "day": "10 Jul 2017",
        "url": URL,
    }
    assert data["official_advisories"][1]["url"] is None


def test_the_pdf_prints_the_line_with_its_address(tmp_path: Path) -> None:
    out = tmp_path / "a.pdf"
    ran = run_cli("render", advisory(tmp_path), "-o", out, workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    text = " ".join(pdf_text(out).split())
    assert "Government travel advice" in text
    assert "Example Ministry of Foreign Affairs: Level 3, Reconsider travel (10 Jul 2017)" in text
    assert URL in text.replace(" ", "")  # printed, so a paper copy can cite it


def test_without_the_key_nothing_is_shown(tmp_path: Path) -> None:
    assert "Government travel advice" not in render(REPO / "advisories" / f"{MOROCCO}.yaml", "text")
    assert 'class="tr-official"' not in render(REPO / "advisories" / f"{MOROCCO}.yaml", "html")


@pytest.mark.parametrize(
    ("bad", "needle", "words"),
    [
        ("url: javascript:alert(1)", "url: javascript", "use an http:// or https:// address"),
        ("url: mailto:desk@example.org", "url: mailto", "use an http:// or https:// address"),
        ("date: 10 July 2017", "date: 10 July", "write the day as YYYY-MM-DD"),
        ("date: 2017-02-30", "2017-02-30", "is not a real date"),
        ("date: 0217-07-10", "date: 0217", "not plausible"),
    ],
)
def test_a_bad_url_or_date_gets_a_placed_error(tmp_path: Path, bad: str, needle: str, words: str) -> None:
    block = BLOCK.replace(f"url: {URL}" if bad.startswith("url") else "date: 2017-07-10", bad)
    path = advisory(tmp_path, block)
    ran = run_cli("validate", path, workspace=REPO)
    assert ran.exit_code == 1
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(needle)].count("\n") + 1
    assert f"{path}:{line}:" in ran.stderr and words in ran.stderr, ran.stderr


def test_a_missing_date_is_an_error_not_a_stale_level(tmp_path: Path) -> None:
    ran = run_cli("validate", advisory(tmp_path, BLOCK.replace("    date: 2017-06-02\n", "")), workspace=REPO)
    assert ran.exit_code == 1 and "missing required key 'date'" in ran.stderr


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    block = BLOCK.replace("Other Office", "<script>alert(1)</script> & <b>Co</b>")
    html = render(advisory(tmp_path, block), "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in html
