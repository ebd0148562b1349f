"""`render -f sms`: one SMS segment, 160 GSM-7 characters or 70 UCS-2, never losing country or severity."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MOROCCO, run_cli
from travelrisk.sms import GSM_LIMIT, UCS2_LIMIT, compose, cost, fits, is_gsm, limit

BASE = "https://intranet.example.com/advisories/"


def sms(ws: Path, advisory: str = MOROCCO) -> str:
    ran = run_cli("render", ws / "advisories" / f"{advisory}.yaml", "-f", "sms", "-o", "-", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.endswith("\n") and ran.stdout.count("\n") == 1
    message = ran.stdout.removesuffix("\n")
    assert fits(message), (message, cost(message), limit(message))
    return message


def variant(ws: Path, name: str, *changes: tuple[str, str]) -> str:
    source = (ws / "advisories" / f"{MOROCCO}.yaml").read_text()
    for old, new in changes:
        assert old in source
        source = source.replace(old, new, 1)
    (ws / "advisories" / f"{name}.yaml").write_text(source)
    return name


def test_gsm_alphabet_and_its_extension_table() -> None:
    assert is_gsm("Morocco: @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà")
    assert cost("€[]{}|~^\\") == 18  # escape + septet each
    assert not is_gsm("Côte") and not is_gsm("ç") and not is_gsm("\u2019") and not is_gsm("\x1b")
    assert limit("a" * 10) == GSM_LIMIT and limit("ô") == UCS2_LIMIT
    assert cost("Côte 🙂") == 7  # UTF-16 code units: the emoji is a surrogate pair


def test_morocco_without_base_url(ws: Path) -> None:
    assert sms(ws) == (
        "Morocco (Warning): Exercise increased caution. "
        "Security services brace for Islamic State fighters returning home."
    )


def test_morocco_with_base_url_keeps_the_address_and_shortens_the_title_after_a_word(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(f"base_url: {BASE}\n")
    message = sms(ws)
    assert message.startswith("Morocco (Warning): Exercise increased caution. Security services")
    assert message.endswith(f"... {BASE}{MOROCCO}/index.html")
    title = "Security services brace for Islamic State fighters returning home"
    kept = message.removesuffix(f"... {BASE}{MOROCCO}/index.html").split(". ", 1)[1]
    assert title.startswith(kept) and title[len(kept)] == " "  # whole words only
    assert len(message) <= GSM_LIMIT


def test_an_update_says_so_first(ws: Path) -> None:
    name = variant(
        ws,
        "ma-2017-07-20-follow-up",
        ("title: ", f"supersedes: {MOROCCO}\ntitle: "),
        ("2017-07-15T17:12:00+00:00", "2017-07-20T09:00:00+00:00"),
    )
    assert sms(ws, name).startswith("UPDATE: Morocco (Warning): Exercise increased caution. Security services")


def test_a_draft_is_marked(ws: Path) -> None:
    name = variant(ws, "ma-draft", ("title: ", "status: draft\ntitle: "))
    assert sms(ws, name).startswith("DRAFT: Morocco (Warning): ")


def test_a_long_title_is_cut_after_a_word_with_an_ellipsis(ws: Path) -> None:
    long_title = "Security services brace for " + "returning Islamic State fighters, and more, " * 6 + "at last"
    name = variant(
        ws,
        "ma-long",
        ("title: Security services brace for Islamic State fighters returning home", f"title: {long_title}"),
    )
    message = sms(ws, name)
    assert message.startswith("Morocco (Warning): Exercise increased caution. Security services brace")
    assert message.endswith("...") and not message.endswith(",...")
    kept = message.removesuffix("...").split(". ", 1)[1]
    assert long_title.startswith(kept) and long_title[len(kept)] in " ,"  # ends on a whole word
    assert GSM_LIMIT - 15 <= len(message) <= GSM_LIMIT


def test_a_country_outside_gsm_makes_it_a_70_character_ucs2_message(ws: Path) -> None:
    name = variant(ws, "ci-test", ("country: MA", "country: CI"), ("Morocco", "Côte d’Ivoire"))
    message = sms(ws, name)
    assert message.startswith("Côte d'Ivoire (Warning): Exercise increased caution.")  # ’ becomes GSM's '
    assert not is_gsm(message) and len(message) <= UCS2_LIMIT
    assert message.endswith("\u2026")  # one character, not three, when the message is UCS-2 anyway


def test_in_ucs2_the_recommendation_outranks_the_address(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text("base_url: https://a.example/\n")
    name = variant(ws, "ci", ("country: MA", "country: CI"))
    # With the address (32 characters) the recommendation would not fit in 70; the title's first word does.
    assert sms(ws, name) == "Côte d'Ivoire (Warning): Exercise increased caution. Security\u2026"
    (ws / "travelrisk.yaml").write_text(f"base_url: {BASE}\n")
    assert "https:" not in sms(ws, name)
    short = variant(
        ws, "ma-short", ("title: Security services brace for Islamic State fighters returning home", "title: Strikes")
    )
    (ws / "travelrisk.yaml").write_text("base_url: https://a.example/\n")
    assert (
        sms(ws, short)
        == "Morocco (Warning): Exercise increased caution. Strikes. https://a.example/ma-short/index.html"
    )


def test_nothing_but_the_head_when_nothing_else_fits() -> None:
    head = "DRAFT UPDATE: Côte d'Ivoire (Extreme risk to life)"
    assert (
        compose(
            head,
            "Leave the country now if you can",
            "Unprecedentedcatastrophicturmoil",
            "https://x.example/" + "a" * 60,
        )
        == head
    )
    assert compose(head, None, "Fighting", None) == f"{head}: Fighting."


@settings(max_examples=200, deadline=None)
@given(
    country=st.sampled_from(["Morocco", "Côte d'Ivoire", "São Tomé and Príncipe", "Curaçao", "Åland Islands"]),
    severity=st.sampled_from(["Warning", "Critical", "Notice"]),
    recommendation=st.none() | st.text(min_size=1, max_size=60).filter(str.strip),
    title=st.text(min_size=1, max_size=300).filter(str.strip),
    url=st.none() | st.just("https://intranet.example.com/advisories/ma-2017-07-15-returning-fighters/index.html"),
)
def test_any_message_fits_one_segment_and_keeps_country_and_severity(
    country: str, severity: str, recommendation: str | None, title: str, url: str | None
) -> None:
    head = f"{country} ({severity})"
    message = compose(head, recommendation, title, url)
    assert fits(message)
    assert message.startswith(head)
    if url and url in message:
        assert message.endswith(url)
