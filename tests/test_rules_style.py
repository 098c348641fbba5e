"""Typography (AUD401-AUD403) and boilerplate, related links, file names, duplicates (AUD410-AUD420)."""

from __future__ import annotations

from auditor.checks.context import check_texts


def hits(code: str, target: str) -> list[str]:
    return [f.text for f in check_texts(target) if f.rule == code]


def test_french_spacing() -> None:
    assert hits("AUD401", "He said : no . Really ? Yes !") == [" :", " ?", " !"]
    assert hits("AUD401", "He said: no. Really? Yes! Time 10:30; done.") == []


def test_guillemets() -> None:
    assert len(hits("AUD402", "He called him a « monster »")) == 2
    assert hits("AUD402", 'He called him a "monster"') == []


def test_capital_after_quotation_comma() -> None:
    assert hits("AUD403", '"We will strike!", Tweeted the president.') == ['", Tweeted']
    assert hits("AUD403", '"No more threats!", Also warned the president.') == ['", Also']
    assert hits("AUD403", '"We will strike," President Trump tweeted.') == []
    assert hits("AUD403", '"We will strike," Trump said.') == []


def test_site_chrome() -> None:
    text = "The article ends here.\n\nNewsletter Don't miss anything\n\nsubscribe\n\nShare on Facebook"
    assert hits("AUD410", text) == ["Newsletter Don't miss anything", "subscribe", "Share on Facebook"]
    assert (
        hits("AUD410", "Readers can subscribe to the newsletter, the editor said in a long statement.") == []
    )
    assert hits("AUD410", "With AFP") == []


def test_related_links() -> None:
    assert hits("AUD411", "Body.\n\n>> Read: Why Trump struck now?\n\nSee also: the timeline") == [
        ">> Read: Why Trump struck now?",
        "See also: the timeline",
    ]
    assert hits("AUD411", "Read the report: it is long.\nWe see also: nothing") == []


def test_file_names() -> None:
    assert hits("AUD412", "Body text.\n\ngoogle-play-badge_FR\n\nphoto.jpg") == [
        "google-play-badge_FR",
        "photo.jpg",
    ]
    assert hits("AUD412", "Body text.\n\nCOVID-19\n\nWith AFP") == []


def test_duplicate_lines() -> None:
    text = (
        "Newsletter Don't miss anything from the news\n\nDon't miss anything from the news\n\nOther line here"
    )
    assert hits("AUD420", text) == ["Don't miss anything from the news"]
    assert hits("AUD420", "One line here.\n\nAnother line there.") == []
