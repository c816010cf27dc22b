"""Sources set up in the admin and from the command line.

The configuration is checked when the source is saved, with the readers' own
checks, so a typo shows up at once and not at the next poll; a mailbox
password never comes back to the screen.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import strip_tags

from newsdesk.models import Source

pytestmark = pytest.mark.django_db

PASSWORD = "SuperSecreta123!"
MAILBOX_CONFIG = (
    '{"host": "imap.upme.gov.co", "username": "boletines@upme.gov.co", '
    '"allowed_senders": ["@medio.co"]}'
)


def source_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Boletines",
        "kind": Source.Kind.FEED,
        "url": "https://diario.example/rss",
        "enabled": "on",
        "interval": "15",
        "config": "{}",
        "mailbox_password": "",
        "next_fetch_at_0": "2026-12-03",
        "next_fetch_at_1": "08:00:00",
        # The recent-attempts inline always posts its management form.
        "attempts-TOTAL_FORMS": "0",
        "attempts-INITIAL_FORMS": "0",
        "attempts-MIN_NUM_FORMS": "0",
        "attempts-MAX_NUM_FORMS": "0",
    }
    data.update(overrides)
    return data


def add(admin_client, **overrides: str):
    return admin_client.post(
        reverse("admin:newsdesk_source_add"), source_form(**overrides), follow=True
    )


def config_errors(response) -> list[str]:
    return list(response.context["adminform"].form.errors.get("config", []))


def test_add_page_explains_the_keys_of_every_kind(admin_client):
    page = admin_client.get(reverse("admin:newsdesk_source_add")).content.decode()

    for key in (
        "link_selector",
        "max_articles",
        "news_selector",
        "publications_path",
        "allowed_senders",
        "password_env",
        "starttls",
    ):
        assert f"<code>{key}</code>" in page
    assert "Contraseña del buzón" in page


def test_empty_mailbox_lists_every_missing_key_at_once(admin_client):
    # when an administrator saves a mailbox with no settings
    response = add(admin_client, kind=Source.Kind.MAILBOX, url="", config="{}")

    # then one answer names host, username, password and senders
    errors = " ".join(config_errors(response))
    assert "«host»" in errors
    assert "«username»" in errors
    assert "contraseña del buzón" in errors
    assert "«allowed_senders»" in errors
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("kind", "config", "expected"),
    [
        (Source.Kind.NEWSPAPER, '{"max_articles": "muchos"}', "un número entero"),
        (Source.Kind.NEWSPAPER, '{"link_selctor": "a.titular"}', "desconocida"),
        (Source.Kind.PORTAL, '{"api": "quizás"}', "verdadero o falso"),
        (Source.Kind.FEED, "[1, 2]", "debe ser un objeto JSON"),
        # A selector that cannot compile is refused now, not at the first
        # poll (and never, for a portal whose API answers).
        (
            Source.Kind.NEWSPAPER,
            '{"link_selector": "a[[["}',
            "El selector CSS «a[[[» de «link_selector» no es válido.",
        ),
        (
            Source.Kind.PORTAL,
            '{"news_selector": "!!"}',
            "El selector CSS «!!» de «news_selector» no es válido.",
        ),
        (
            Source.Kind.PORTAL,
            '{"publications_selector": "ul >"}',
            "«publications_selector» no es válido",
        ),
        # News and documents together must fit a poll's 100 candidates.
        (Source.Kind.PORTAL, '{"per_page": 60}', "«per_page»"),
    ],
)
def test_wrong_types_and_keys_are_named_on_save(admin_client, kind, config, expected):
    response = add(admin_client, kind=kind, config=config)

    assert expected in " ".join(config_errors(response))
    assert not Source.objects.exists()


@pytest.mark.parametrize("kind", [Source.Kind.FEED, Source.Kind.PORTAL])
def test_url_is_required_except_for_mailboxes(admin_client, kind):
    response = add(admin_client, kind=kind, url="")

    assert "Falta la URL" in " ".join(config_errors(response))
    assert not Source.objects.exists()


def interval_errors(response) -> str:
    return " ".join(response.context["adminform"].form.errors.get("interval", []))


def test_interval_is_typed_in_minutes(admin_client):
    # when an administrator types 15 in the interval box
    add(admin_client, interval="15")

    # then the source is polled every quarter of an hour, and says so
    source = Source.objects.get()
    assert source.interval == timedelta(minutes=15)
    page = admin_client.get(
        reverse("admin:newsdesk_source_change", args=[source.pk])
    ).content.decode()
    assert "Intervalo (minutos)" in page
    assert 'name="interval" value="15"' in page


@pytest.mark.parametrize(
    "typed", ["0", "-5", "10081", "99999999999999999999", "99999999 00:00:00"]
)
def test_impossible_intervals_are_refused(admin_client, typed):
    response = add(admin_client, interval=typed)

    assert interval_errors(response)
    assert not Source.objects.exists()


def test_interval_bounds_are_the_ones_add_source_holds_to(admin_client):
    response = add(admin_client, interval="10081")

    assert "entre 1 y 10080 minutos" in interval_errors(response)
    assert add(admin_client, interval="10080").status_code == 200
    assert Source.objects.get().interval == timedelta(days=7)


def test_feed_url_must_be_http(admin_client):
    response = add(admin_client, url="ftp://diario.example/rss")

    errors = response.context["adminform"].form.errors.get("url", [])
    assert "URL http(s)" in " ".join(errors)
    assert not Source.objects.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd"])
def test_a_refused_url_is_one_error_not_a_missing_url_too(admin_client, url):
    response = add(admin_client, url=url)

    form = response.context["adminform"].form
    assert form.errors.get("url")
    assert config_errors(response) == []
    assert not Source.objects.exists()


def test_broken_json_is_explained_as_usted(admin_client):
    response = add(admin_client, config="{llave: sin comillas}")

    assert config_errors(response) == ["Ingrese un JSON válido."]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interval", timedelta(seconds=15)),
        ("interval", timedelta(minutes=-15)),
        ("interval", timedelta(days=99_999_999)),
        ("url", "ftp://diario.example/rss"),
    ],
)
def test_the_model_refuses_what_the_forms_refuse(field, value):
    source = Source(name="Diario", url="https://diario.example/rss")
    setattr(source, field, value)

    with pytest.raises(ValidationError) as error:
        source.full_clean()

    assert list(error.value.message_dict) == [field]


def test_saved_source_reads_in_feminine(admin_client):
    response = add(admin_client, name="Diario")

    assert Source.objects.filter(name="Diario").exists()
    message = strip_tags(str(next(iter(response.context["messages"]))))
    assert message == "La fuente “Diario” fue agregada correctamente."


def test_mailbox_password_is_write_only(admin_client):
    # given a mailbox saved with its password in the separate field
    add(
        admin_client,
        kind=Source.Kind.MAILBOX,
        url="",
        config=MAILBOX_CONFIG,
        mailbox_password=PASSWORD,
    )
    source = Source.objects.get()
    assert source.config["password"] == PASSWORD
    change_url = reverse("admin:newsdesk_source_change", args=[source.pk])

    # when the administrator opens it and the list
    page = admin_client.get(change_url).content.decode()
    listing = admin_client.get(reverse("admin:newsdesk_source_changelist"))

    # then the password appears nowhere
    assert PASSWORD not in page
    assert PASSWORD not in listing.content.decode()
    assert "Hay una contraseña guardada" in page


def test_blank_password_keeps_the_stored_one_and_a_new_one_replaces_it(admin_client):
    source = Source.objects.create(
        name="Buzón",
        kind=Source.Kind.MAILBOX,
        config={
            "host": "imap.upme.gov.co",
            "username": "boletines@upme.gov.co",
            "allowed_senders": ["@medio.co"],
            "password": PASSWORD,
        },
    )
    change_url = reverse("admin:newsdesk_source_change", args=[source.pk])
    data = source_form(
        name="Buzón", kind=Source.Kind.MAILBOX, url="", config=MAILBOX_CONFIG
    )

    # an edit that leaves the password blank keeps it
    admin_client.post(change_url, data)
    source.refresh_from_db()
    assert source.config["password"] == PASSWORD

    # a new one replaces it
    admin_client.post(change_url, {**data, "mailbox_password": "Otra-clave-9"})
    source.refresh_from_db()
    assert source.config["password"] == "Otra-clave-9"


def test_password_env_needs_no_stored_password(admin_client):
    config = MAILBOX_CONFIG[:-1] + ', "password_env": "BUZON_CLAVE"}'

    add(admin_client, kind=Source.Kind.MAILBOX, url="", config=config)

    source = Source.objects.get()
    assert source.config["password_env"] == "BUZON_CLAVE"
    assert "password" not in source.config


# -- add_source --------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("add_source", *args, stdout=out)
    return out.getvalue()


def test_add_source_refuses_a_mailbox_without_its_settings():
    with pytest.raises(CommandError) as error:
        run("--kind", "mailbox", "--name", "Boletines")

    message = str(error.value)
    assert "«host»" in message
    assert "«username»" in message
    assert "contraseña del buzón" in message
    assert not Source.objects.exists()


def test_add_source_rejects_config_that_is_not_json():
    with pytest.raises(CommandError) as error:
        run("--kind", "mailbox", "--name", "Boletines", "--config", "{host: x}")

    assert "no es JSON válido" in str(error.value)
    assert not Source.objects.exists()


def test_add_source_creates_a_mailbox_with_its_config():
    config = MAILBOX_CONFIG[:-1] + ', "password_env": "BUZON_CLAVE"}'

    run("--kind", "mailbox", "--name", "Boletines", "--config", config)

    source = Source.objects.get()
    assert source.kind == Source.Kind.MAILBOX
    assert source.config["host"] == "imap.upme.gov.co"


def test_editing_the_address_or_settings_drops_the_validators(admin_client):
    # given a section page polled with validators and a redirect under way
    source = Source.objects.create(
        name="Economía",
        kind=Source.Kind.NEWSPAPER,
        url="https://diario.example/economia/",
        etag='"v1"',
        last_modified="Thu, 03 Dec 2026 13:00:00 GMT",
        moved_to_url="https://diario.example/seccion/economia/",
        moved_count=2,
        request_validators={"https://diario.example/docs/": {"etag": '"d1"'}},
        link_failures={"https://diario.example/economia/rota": 3},
    )
    change_url = reverse("admin:newsdesk_source_change", args=[source.pk])
    data = source_form(
        name="Economía", kind=Source.Kind.NEWSPAPER, url=source.url, config="{}"
    )

    # a new name keeps them
    admin_client.post(change_url, {**data, "name": "Economía (El Diario)"})
    source.refresh_from_db()
    assert source.etag == '"v1"'

    # a new selector drops them, so a 304 cannot hide it
    selector = '{"link_selector": "h2 a"}'
    admin_client.post(change_url, {**data, "config": selector})
    source.refresh_from_db()
    assert source.config == {"link_selector": "h2 a"}
    assert (source.etag, source.last_modified) == ("", "")
    assert source.request_validators == {}
    # Links given up under the old selector get another try.
    assert source.link_failures == {}
    assert (source.moved_to_url, source.moved_count) == ("", 0)

    # and so does a new address
    Source.objects.filter(pk=source.pk).update(etag='"v2"')
    moved = "https://diario.example/seccion/economia/"
    admin_client.post(change_url, {**data, "config": selector, "url": moved})
    source.refresh_from_db()
    assert (source.url, source.etag) == (moved, "")


def test_the_add_form_offers_the_default_interval_and_links_the_desk(admin_client):
    # given the add form: the interval comes filled with the default, so a
    # browser submits it with the name and the address alone
    page = admin_client.get(reverse("admin:newsdesk_source_add")).content.decode()
    assert 'name="interval" value="15"' in page

    # when an administrator saves a source
    add(admin_client, name="Portafolio")

    # then its change page links its page on the desk, and the admin shows
    # the desk's icon
    source = Source.objects.get()
    change = admin_client.get(
        reverse("admin:newsdesk_source_change", args=[source.pk])
    ).content.decode()
    assert source.get_absolute_url() == f"/noticias/fuentes/{source.pk}/"
    assert "Ver en el sitio" in change
    assert 'rel="icon"' in change
