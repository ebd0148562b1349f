"""The bundled French and Arabic: every threat and level comes out in the language asked for, with
no English of ours left in it; the Morocco example as PDFs and pages in French, Arabic and both.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import MOROCCO, REPO, pdf_text, run_cli
from travelrisk.formats import FORMATS
from travelrisk.workspace import Workspace

THREATS = sorted(p.stem for p in (REPO / "rules" / "threats").glob("*.yaml"))
"""Every threat of the built-in library: a new one is tested in French and Arabic at once."""
SEVERITIES = ["informational", "notice", "warning", "critical"]
ENGLISH = re.compile(r"\b(the|and|your|with|you|are|from|this|that|travel|advice|event|context|local time)\b", re.I)
"""Words of ours that no French or Arabic advisory contains (the analyst's own text here has none)."""
TEXT = {
    "fr": {"title": "Titre de l'avis", "summary": "Résumé de la situation.", "event": "Ce qui s'est passé."},
    "ar": {"title": "عنوان التنبيه", "summary": "ملخص الوضع.", "event": "ما الذي حدث."},
}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("desk")
    (root / "advisories").mkdir()
    return root


def _advisory(desk: Path, name: str, fields: dict) -> Path:
    path = desk / "advisories" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(fields, allow_unicode=True), "utf-8")
    return path


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("threat", THREATS)
def test_every_threat_and_level_reads_in_the_language_with_no_english_left(desk: Path, lang: str, threat: str) -> None:
    ws = Workspace(desk)
    for country, area in (("MA", None), ("BO", "Santa Cruz")):  # with a profile, and without one
        for severity in SEVERITIES:
            fields = {
                "country": country,
                "issued": "2024-03-05T09:00:00Z",
                "severity": severity,
                "threat": threat,
                "title": "Advisory title",
                "summary": "Summary.",
                "event": "Event.",
                "translations": {lang: dict(TEXT[lang], **({"area": area} if area else {}))},
                **({"area": area} if area else {}),
            }
            path = _advisory(desk, f"{lang}-{threat}-{severity}-{country.lower()}", fields)
            res = ws.resolve(path, lang)
            text = FORMATS["text"].render(ws, res).decode()
            english = ws.resolve(path, "en")
            assert res.advice, text
            for paragraph in english.advice:  # nothing of the English advice survives
                assert paragraph.text not in text
            found = [m.group(0) for m in ENGLISH.finditer(text)]
            assert not found, f"{lang} {threat} {severity} {country}: English words {found} in:\n{text}"
            if lang == "ar":
                assert len(re.findall(r"[\u0600-\u06ff]", text)) > len(re.findall(r"[A-Za-z]", text)), text


def test_the_morocco_example_in_french_arabic_and_both(tmp_path: Path) -> None:
    src = REPO / "advisories" / f"{MOROCCO}.yaml"
    outputs = {}
    for lang in ("fr", "ar", "en,fr"):
        pdf = tmp_path / f"{lang}.pdf"
        ran = run_cli("render", src, "--lang", lang, "-o", pdf, workspace=REPO)
        assert ran.exit_code == 0, ran.stderr
        outputs[lang] = pdf_text(pdf)
    fr, ar, both = outputs["fr"], outputs["ar"], outputs["en,fr"]
    for words in ("15 juillet 2017", "Conseils", "Contexte", "Marrakech", "Mossoul", "Maroc", "heure locale", "souks"):
        assert words in fr, words
    for words in ("يوليو", "النصائح", "المغرب", "مراكش", "الموصل"):
        assert words in ar, words
    assert "Advice" in both and "Conseils" in both and "Marrakesh" in both and "Marrakech" in both
    fonts = subprocess.run(["pdffonts", str(tmp_path / "ar.pdf")], capture_output=True, text=True).stdout
    assert "Arabic" in fonts, fonts  # an embedded font that covers Arabic


def test_an_arabic_page_is_right_to_left_and_says_its_language(tmp_path: Path) -> None:
    page = tmp_path / "ar.html"
    ran = run_cli("render", REPO / "advisories" / f"{MOROCCO}.yaml", "--lang", "ar", "-o", page, workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    html = page.read_text("utf-8")
    assert '<html lang="ar" dir="rtl"' in html and 'lang="ar" dir="rtl"' in html.split("<article", 1)[1][:400]


def test_email_and_sms_speak_the_advisory_language(tmp_path: Path) -> None:
    import email
    from email import policy

    desk = tmp_path / "desk"
    (desk / "advisories").mkdir(parents=True)
    (desk / "advisories" / f"{MOROCCO}.yaml").write_bytes((REPO / "advisories" / f"{MOROCCO}.yaml").read_bytes())
    (desk / "travelrisk.yaml").write_text('email: {from: "Desk <desk@example.org>"}\n', "utf-8")
    src = desk / "advisories" / f"{MOROCCO}.yaml"
    ran = run_cli("render", src, "--lang", "fr", "-f", "email", "-o", "-", workspace=desk)
    assert ran.exit_code == 0, ran.stderr
    message = email.message_from_bytes(ran.stdout_bytes, policy=policy.default)
    assert message["Subject"].startswith("Maroc, Alerte")
    html = message.get_body(("html",)).get_content()
    assert "Conseils" in html and 'lang="fr"' in html and ">Advice<" not in html
    sms = run_cli("render", src, "--lang", "ar", "-f", "sms", "-o", "-", workspace=desk)
    assert sms.exit_code == 0 and sms.stdout.startswith("المغرب (تحذير)"), sms.stdout


def test_an_update_names_its_predecessor_in_the_reader_language(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    (desk / "advisories").mkdir(parents=True)
    (desk / "advisories" / f"{MOROCCO}.yaml").write_bytes((REPO / "advisories" / f"{MOROCCO}.yaml").read_bytes())
    update = {
        "title": "Arrests of returning fighters",
        "country": "MA",
        "issued": "2017-07-20T09:00:00Z",
        "severity": "warning",
        "threat": "terrorism",
        "supersedes": MOROCCO,
        "changes": "Police arrested two returning fighters.",
        "summary": "Arrests.",
        "event": "Police arrested two men.",
        "translations": {
            "fr": {
                "title": "Arrestations de combattants de retour",
                "changes": "La police a arrêté deux combattants de retour.",
                "summary": "Arrestations.",
                "event": "La police a arrêté deux hommes.",
            }
        },
    }
    path = _advisory(desk, "ma-update", update)
    ran = run_cli("render", path, "--lang", "fr", "-f", "text", "-o", "-", workspace=desk)
    assert ran.exit_code == 0, ran.stderr
    assert "Mise à jour de l'avis «\u00a0Les services de sécurité se préparent" in ran.stdout, ran.stdout[:600]
    assert "Security services brace" not in ran.stdout
