"""German and Swedish sentences with counts, times and fixed values read as a native speaker
writes them (issue 19): 'offen seit vor 1 Woche', 'väntar sedan för 1 vecka sedan', 'i test
sedan 170 dagar', 'seit 0 Tagen in test', '8.0 Tage' and English roles must not come back."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from tracker import i18n
from tracker.extensions import db
from tracker.reviews import services


def _page(client, login, user, locale: str, path: str) -> str:
    user.locale = locale
    db.session.commit()
    login(user)
    return client.get(path).get_data(as_text=True)


@pytest.mark.parametrize(
    ("locale", "days", "text"),
    [
        ("de", 0, "seit heute in der Phase Test"),
        ("de", 1, "seit 1 Tag in der Phase Test"),
        ("de", 170, "seit 170 Tagen in der Phase Test"),
        ("sv", 0, "i fasen Test sedan i dag"),
        ("sv", 1, "i fasen Test i 1 dag"),
        ("sv", 170, "i fasen Test i 170 dagar"),
        ("en", 170, "in Test for 170 days"),
        ("de", 1500, "seit 1.500 Tagen in der Phase Test"),
        ("sv", 1500, "i fasen Test i 1\xa0500 dagar"),
    ],
)
def test_time_in_stage_is_a_sentence_with_a_plural_and_the_stage_translated(
    app, locale, days, text
):
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    with app.test_request_context(), force_locale(locale):
        assert i18n.time_in_stage("test", now - timedelta(days=days, hours=1), now) == text


@pytest.mark.parametrize(
    ("locale", "value", "digits", "text"),
    [("de", 8.0, 1, "8,0"), ("sv", 170.24, 1, "170,2"), ("en", 1234.5, 1, "1,234.5")],
)
def test_decimals_follow_the_readers_locale(app, locale, value, digits, text):
    with app.test_request_context(), force_locale(locale):
        assert i18n.decimal(value, digits) == text


def test_hover_times_are_the_readers_date_and_24_hour_time(app):
    moment = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("de"):
            assert i18n.moment(moment) == "07.12.2026, 14:05"
        with force_locale("en"):
            assert i18n.moment(moment) == "Dec 7, 2026, 14:05"


def test_the_gate_panel_says_when_the_request_was_made_and_names_roles(client, world, login):
    services.request_gate(world.lead_member, world.network_project, "Pilot done.")
    path = f"/projects/{world.network_project.id}"
    german = _page(client, login, world.lead_member, "de", path)
    assert "seit vor" not in german and "offen seit" not in german
    assert "gestellt" in german
    assert "(Federführung)" in german or "(Federführend)" in german
    assert "(Start-up)" in german
    assert "(lead)" not in german and "(startup)" not in german
    swedish = _page(client, login, world.lead_member, "sv", path)
    assert "sedan för" not in swedish and "väntar sedan" not in swedish
    assert "begärd" in swedish
    assert "(lead)" not in swedish


def test_the_decision_page_says_how_long_the_project_is_in_its_stage(client, world, login):
    world.network_project.stage_entered_at = datetime.now(UTC) - timedelta(hours=3)
    review = services.request_gate(world.lead_member, world.network_project, "Pilot done.")
    path = f"/reviews/{review.id}"
    german = _page(client, login, world.manager, "de", path)
    assert "seit heute in der Phase Entwicklung" in german
    assert "seit 0 Tagen" not in german and "in develop" not in german
    swedish = _page(client, login, world.manager, "sv", path)
    assert "i fasen Utveckling sedan i dag" in swedish
    assert "sedan 0 dagar" not in swedish


def test_the_project_page_says_how_long_the_project_is_in_its_stage(client, world, login):
    world.network_project.stage_entered_at = datetime.now(UTC) - timedelta(days=170)
    db.session.commit()
    path = f"/projects/{world.network_project.id}"
    assert "seit 170 Tagen in der Phase Entwicklung" in _page(
        client, login, world.lead_member, "de", path
    )
    assert "i fasen Utveckling i 170 dagar" in _page(client, login, world.lead_member, "sv", path)


def test_german_and_swedish_project_csv_values_are_labels_english_keeps_codes(client, world, login):
    german = _page(client, login, world.lead_member, "de", "/projects/export.csv")
    assert "Entwicklung" in german and "Aktiv" in german
    assert ",develop," not in german and ",active," not in german
    assert "(startup)" not in german and "Partner Org (Start-up)" in german
    english = _page(client, login, world.lead_member, "en", "/projects/export.csv")
    assert ",develop,active," in english and "Partner Org (startup)" in english


def test_the_german_organization_export_writes_kind_labels_that_import_again(client, world, login):
    import sqlalchemy as sa

    from tests.test_csv import confirm
    from tracker.models import Organization

    exported = _page(client, login, world.admin, "de", "/organizations/export.csv")
    exported = exported.lstrip("\ufeff")
    assert "Partner Org,Start-up," in exported and ",startup," not in exported
    header = exported.splitlines()[0]
    row = f",Neue Org,Forschungseinrichtung,DE,Lingen,,,,{world.lingen.slug},{world.ai.slug}"
    assert confirm(client, f"{header}\r\n{row}\r\n").status_code == 302
    db.session.expire_all()
    added = db.session.scalar(sa.select(Organization).where(Organization.name == "Neue Org"))
    assert added.kind == "research_institution"


def test_a_theme_in_use_says_what_uses_it_in_the_readers_words(client, world, login):
    german = _page(client, login, world.admin, "de", f"/admin/themes/{world.ai.id}/delete")
    assert "Dieses Thema wird noch verwendet (2 Projekte)" in german
    assert "Projekt(en)" not in german
    swedish = _page(client, login, world.admin, "sv", f"/admin/themes/{world.ai.id}/delete")
    assert "Temat används fortfarande (2 projekt)" in swedish


def test_the_decision_page_counts_confirmations_with_plurals(client, world, login):
    review = services.request_gate(world.lead_member, world.network_project, "Pilot done.")
    german = _page(client, login, world.manager, "de", f"/reviews/{review.id}")
    assert "1 von 2 beteiligten Organisationen haben bestätigt." in german


def test_counts_in_template_messages_follow_the_readers_locale(app):
    from flask import render_template_string

    source = (
        "{{ _('%(count)s of %(id)s', count=12345, id=12345) }} · "
        "{{ ngettext('%(num)s day', '%(num)s days', 1500) }}"
    )
    with app.test_request_context():
        with force_locale("de"):
            assert render_template_string(source) == "12.345 of 12345 · 1.500 Tage"
        with force_locale("en"):
            assert render_template_string(source) == "12,345 of 12345 · 1,500 days"


def test_the_managers_digest_writes_dates_and_stages_in_the_readers_language(app, world):
    from tracker.models import Project
    from tracker.outbox.digests import _manager_sections

    services.request_gate(world.lead_member, world.network_project, "Pilot done.")
    project = db.session.get(Project, world.consortium_project.id)
    project.target_test_on = datetime(2020, 3, 1, tzinfo=UTC).date()
    db.session.commit()
    with app.test_request_context(), force_locale("de"):
        text = " ".join(row for _title, rows in _manager_sections(world.manager) for row, _ in rows)
    assert "Zieltermin für die Phase Test" in text and "01.03.2020" in text
    assert "-" not in text.replace(" — ", "")  # no ISO dates such as 2020-03-01


def test_d_placeholders_keep_their_numbers(app):
    from flask import render_template_string

    with app.test_request_context(), force_locale("de"):
        assert (
            render_template_string("{{ _('%(n)d of %(m)s', n=1234, m=1234) }}") == "1234 of 1.234"
        )


@pytest.mark.parametrize(
    ("locale", "days", "share"),
    [("de", "8,0 Tage", "67\xa0%"), ("sv", "8,0 dagar", "67\xa0%"), ("en", "8.0 days", "67%")],
)
def test_dashboard_figures_write_decimals_and_shares_in_the_readers_locale(
    app, locale, days, share
):
    from tracker.dashboard.figures import Audience, Presenter

    reader = Presenter(Audience(withhold_small=False, links=False, complete=True, names=True), {})
    with app.test_request_context(), force_locale(locale):
        assert reader.days(8.0, 5).text == days  # was "8.0 Tage" in German
        assert reader.share(2, 3).text == share
        assert reader.count(1234).text == {"de": "1.234", "sv": "1\xa0234", "en": "1,234"}[locale]


def test_the_median_line_of_the_time_chart_is_german(app):
    from flask import render_template_string

    source = "{{ _('median %(f)s · p90 %(f2)s days', f=170.24|decimal, f2=301.0|decimal) }}"
    with app.test_request_context(), force_locale("de"):
        assert render_template_string(source) == "Median 170,2 · p90 301,0 Tage"


def test_quarters_are_named_as_the_reader_writes_them(app):
    from tracker.dashboard.periods import Quarter, parse_period, period_choices

    with app.test_request_context():
        with force_locale("sv"):
            assert Quarter(2026, 4).label == "K4 2026"
            assert str(parse_period("2026-Q3").label) == "K3 2026"
            assert ("2026-Q4", "K4 2026") in period_choices(datetime(2026, 12, 7, tzinfo=UTC))
        with force_locale("en"):
            assert Quarter(2026, 4).label == "Q4 2026"
