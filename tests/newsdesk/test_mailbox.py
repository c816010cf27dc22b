"""Newsletter mailboxes, read from a real IMAP server (pymap) on 127.0.0.1."""

from __future__ import annotations

import html
import imaplib
import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from imap_tools import MailMessage

from newsdesk.actions import intake
from newsdesk.models import NewsItem, Source
from newsdesk.sources.base import FetchError
from newsdesk.sources.mailbox import MailboxReader, decode_header_text
from tests.newsdesk.imap_server import ImapServer, newsletter

FIXTURES = Path(__file__).parent / "fixtures"
BOGOTA_OFFSET = timezone(timedelta(hours=-5))
DIGEST_ID = "<digest-20261203@energiahoy.example>"
PLAIN_ID = "<comunicado-88@minas.example>"


@pytest.fixture(scope="module")
def imap_server():
    server = ImapServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def imap(imap_server: ImapServer) -> ImapServer:
    imap_server.clear()
    return imap_server


def mailbox_source(imap: ImapServer, **config: object) -> Source:
    return Source.objects.create(
        name="Boletines de prensa",
        kind=Source.Kind.MAILBOX,
        config=imap.config(**config),
    )


def digest_message():
    return newsletter(
        sender="Energía Hoy <boletin@energiahoy.example>",
        subject="Energía Hoy: lo que pasó este miércoles",
        html=(FIXTURES / "newsletter_digest.html").read_text(),
        date=datetime(2026, 12, 3, 6, 30, tzinfo=BOGOTA_OFFSET),
        message_id=DIGEST_ID,
    )


def plain_message():
    return newsletter(
        sender="Oficina de prensa <prensa@minas.example>",
        subject="Comunicado: nueva ronda de asignación de áreas mineras",
        text=(
            "Bogotá, 2 de diciembre de 2026.\n\n"
            "La autoridad minera anunció hoy la apertura de una nueva ronda de "
            "asignación de áreas para minerales estratégicos. " * 8
        ),
        date=datetime(2026, 12, 2, 15, 0, tzinfo=BOGOTA_OFFSET),
        message_id=PLAIN_ID,
    )


@pytest.mark.django_db
def test_digest_newsletter_gives_one_candidate_per_article(imap):
    # given
    imap.deliver(digest_message())
    reader = MailboxReader(mailbox_source(imap))

    # when
    result = reader.read()

    # then the four articles are there, and nothing of the newsletter's frame
    titles = [entry.title for entry in result.entries]
    assert titles == [
        "Subasta de cargo por confiabilidad abre inscripciones",
        "Nueva línea de transmisión en La Guajira entra en operación",
        "Producción de gas natural cae en noviembre",
        "Hidrógeno verde: primer piloto en el Caribe colombiano",
    ]
    first = result.entries[0]
    assert first.link.startswith(
        "https://energiahoy.example/mineria/2026/12/03/subasta-de-cargo"
    )
    assert first.guid == f"{DIGEST_ID}|{first.link}"
    assert "hasta el 15 de enero" in first.summary
    assert first.summary.startswith("<p>")
    assert first.published_at == datetime(2026, 12, 3, 11, 30, tzinfo=UTC)
    # A one-word paragraph is not a summary.
    assert result.entries[3].summary == ""
    # Reading alone marks nothing.
    assert imap.message_ids("UNSEEN") == [DIGEST_ID]


@pytest.mark.django_db
def test_a_gateway_that_wraps_every_link_still_gives_the_articles(imap):
    # given the digest as an Exchange Online mailbox receives it: every
    # link rewritten by Safe Links
    def safe_link(match: re.Match[str]) -> str:
        target = html.unescape(match[1])
        return (
            'href="https://nam12.safelinks.protection.outlook.com/?url='
            f'{quote(target, safe="")}&amp;data=05%7C02&amp;reserved=0"'
        )

    markup = (FIXTURES / "newsletter_digest.html").read_text()
    wrapped = re.sub(r'href="([^"]+)"', safe_link, markup)
    assert "safelinks" in wrapped
    imap.deliver(
        newsletter(
            sender="Energía Hoy <boletin@energiahoy.example>",
            subject="Energía Hoy: lo que pasó este miércoles",
            html=wrapped,
            date=datetime(2026, 12, 3, 6, 30, tzinfo=BOGOTA_OFFSET),
            message_id=DIGEST_ID,
        )
    )

    # when
    result = MailboxReader(mailbox_source(imap)).read()

    # then the same four articles, linked where they lead, and still none
    # of the frame (social profiles, unsubscribe)
    assert len(result.entries) == 4
    assert result.entries[0].link.startswith(
        "https://energiahoy.example/mineria/2026/12/03/subasta-de-cargo"
    )
    assert not any("safelinks" in entry.link for entry in result.entries)


@pytest.mark.django_db
def test_plain_message_gives_one_candidate_with_its_lead(imap):
    # given
    imap.deliver(plain_message())
    reader = MailboxReader(mailbox_source(imap))

    # when
    result = reader.read()

    # then
    assert len(result.entries) == 1
    entry = result.entries[0]
    assert entry.title == "Comunicado: nueva ronda de asignación de áreas mineras"
    assert entry.guid == PLAIN_ID
    assert entry.summary.startswith("<p>Bogotá, 2 de diciembre de 2026.")
    assert len(entry.summary) < 600
    assert entry.author == "Oficina de prensa"
    assert entry.published_at == datetime(2026, 12, 2, 20, 0, tzinfo=UTC)


LONG_SUBJECTS = [
    "Comunicado: ANM otorga títulos mineros de níquel en Córdoba",
    "Boletín semanal: la Agencia Nacional de Minería otorgó títulos de "
    "explotación de níquel y cobre en Córdoba, Antioquia y Bolívar",
    "Resolución CREG 101 de 2024: ¿qué cambia en las tarifas de energía "
    "eléctrica para los usuarios de los estratos 1, 2 y 3?",
    "Comunicado: nueva ronda de asignación de áreas mineras",
]
# Prefixes of different lengths move the points where the library folds.
# (Python 3.11 sometimes folds at a space between two encoded words and
# keeps no space inside either; RFC 2047 readers, Python's own parser too,
# then join the words. None of these subjects is folded that way.)
PREFIXES = [
    "",
    "RV: ",
    "Reenviado: ",
    "Urgente: ",
    "Importante — ",
    "Fwd: Boletín — ",
    "Boletín n.º 48 — ",
]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("subject", LONG_SUBJECTS)
def test_long_accented_subjects_read_as_written(prefix, subject):
    # given a subject Python's email library encodes and folds
    written = prefix + subject
    raw = newsletter(sender="prensa@minas.example", subject=written).as_bytes()
    message = MailMessage.from_bytes(raw)
    assert "\n" in message.obj["Subject"]

    # when
    [entry] = MailboxReader(Source()).entries_of(message, digest=False)

    # then no word is split and no space is lost where a line was folded
    assert entry.title == written


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Gmail's way: base64 split inside a character, across a fold.
        (
            "=?UTF-8?B?TsOtcXVlbCB5IGNv?=\r\n =?UTF-8?B?YnJlIGVuIEPD?=\r\n =?UTF-8?B?s3Jkb2Jh?=",
            "Níquel y cobre en Córdoba",
        ),
        # Unpadded base64, Latin-1 and a language tag (RFC 2231).
        (
            "=?iso-8859-1?B?TWluZXLtYQ?= y =?ISO-8859-1*es?Q?energ=EDa?=",
            "Minería y energía",
        ),
        # Plain words around an encoded one keep their spaces.
        (
            "Informe =?utf-8?q?t=C3=A9cnico?=\r\n de la UPME",
            "Informe técnico de la UPME",
        ),
        # Unknown charset and broken words are shown, not dropped.
        ("=?x-desconocido?q?Gas?= =?utf-8?b?@@?=", "Gas=?utf-8?b?@@?="),
        ("Sin codificar,\r\n\tdoblado", "Sin codificar,\tdoblado"),
    ],
)
def test_encoded_subjects_are_decoded_as_rfc_2047_says(raw, expected):
    assert decode_header_text(raw) == expected


@pytest.mark.django_db
def test_confirm_marks_read_only_what_was_read_and_leaves_strangers_unread(imap):
    # given a newsletter and a message from someone not on the list
    imap.deliver(digest_message())
    imap.deliver(
        newsletter(
            sender="Desconocido <ofertas@spam.example>",
            subject="Gane un crucero por el Caribe",
            text="Haga clic aquí.",
            message_id="<crucero-1@spam.example>",
        )
    )
    reader = MailboxReader(mailbox_source(imap))

    # when the entries are stored and the reader confirms
    result = reader.read()
    reader.confirm(result)

    # then
    assert all("crucero" not in entry.title for entry in result.entries)
    assert imap.message_ids("SEEN") == [DIGEST_ID]
    assert imap.message_ids("UNSEEN") == ["<crucero-1@spam.example>"]
    assert MailboxReader(mailbox_source(imap)).read().entries == []


@pytest.mark.django_db
def test_confirm_leaves_messages_others_deleted_in_the_mailbox(imap):
    # given a shared mailbox where a colleague marked a message deleted,
    # for her mail client to expunge when she chooses
    imap.deliver(
        newsletter(
            sender="Colega <colega@upme.gov.co>",
            subject="Borrador de agenda",
            text="Por revisar.",
            message_id="<agenda-1@upme.gov.co>",
        )
    )
    with imap.mailbox() as mailbox:
        mailbox.client.uid("STORE", mailbox.uids()[0], "+FLAGS", "(\\Deleted)")
    imap.deliver(digest_message())
    reader = MailboxReader(mailbox_source(imap))

    # when the desk reads its newsletter and marks it read
    reader.confirm(reader.read())

    # then the colleague's message is still there, as she left it
    assert imap.message_ids("SEEN") == [DIGEST_ID]
    assert imap.message_ids("DELETED") == ["<agenda-1@upme.gov.co>"]


@pytest.mark.django_db
def test_a_subject_with_angle_brackets_keeps_its_words(imap):
    # given a bulletin whose subject reads like markup but is plain text
    imap.deliver(
        newsletter(
            sender="Oficina de prensa <prensa@minas.example>",
            subject="Precios <5% en bolsa: la <demanda> cae en diciembre",
            text="Informe semanal del mercado de energía mayorista.",
            message_id=PLAIN_ID,
        )
    )

    # when the desk reads it
    entries = MailboxReader(mailbox_source(imap)).read().entries

    # then the candidate's title is the subject, word for word
    assert [entry.title for entry in entries] == [
        "Precios <5% en bolsa: la <demanda> cae en diciembre"
    ]


@pytest.mark.django_db
def test_message_stays_unread_when_storing_fails(imap):
    # given
    imap.deliver(plain_message())
    reader = MailboxReader(mailbox_source(imap))

    # when reading succeeds but the entries are never stored (no confirm)
    first = reader.read()

    # then the message is still there for the next poll
    assert imap.message_ids("UNSEEN") == [PLAIN_ID]
    again = MailboxReader(mailbox_source(imap)).read()
    assert [entry.guid for entry in again.entries] == [
        entry.guid for entry in first.entries
    ]


@pytest.mark.django_db
def test_digest_false_reads_a_newsletter_as_one_message(imap):
    imap.deliver(digest_message())

    result = MailboxReader(mailbox_source(imap, digest=False)).read()

    assert [entry.title for entry in result.entries] == [
        "Energía Hoy: lo que pasó este miércoles"
    ]


@pytest.mark.django_db
def test_wrong_password_is_an_auth_error_in_spanish(imap):
    reader = MailboxReader(mailbox_source(imap, password="no-es-la-clave"))

    with pytest.raises(FetchError) as caught:
        reader.read()

    assert caught.value.error_class == "auth"
    assert "contraseña" in caught.value.message
    assert "no-es-la-clave" not in caught.value.message


@pytest.mark.django_db
def test_missing_folder_is_a_config_error(imap):
    reader = MailboxReader(mailbox_source(imap, folder="Boletines"))

    with pytest.raises(FetchError) as caught:
        reader.read()

    assert caught.value.error_class == "config"
    assert "Boletines" in caught.value.message


@pytest.mark.django_db
def test_closed_port_is_a_connection_error(imap):
    reader = MailboxReader(mailbox_source(imap, port=1))

    with pytest.raises(FetchError) as caught:
        reader.read()

    assert caught.value.error_class == "connection"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"allowed_senders": []}, "allowed_senders"),
        ({"allowed_senders": ["x"]}, "allowed_senders"),
        ({"allowed_senders": "@medio.co, boletin@"}, "allowed_senders"),
        ({"allowed_senders": ["Boletín <boletin@medio.co>"]}, "allowed_senders"),
        ({"host": ""}, "host"),
        ({"port": "imap"}, "port"),
        ({"digest": "a veces"}, "digest"),
    ],
)
def test_bad_config_says_which_key_is_wrong(imap, config, key):
    reader = MailboxReader(mailbox_source(imap, **config))

    with pytest.raises(FetchError) as caught:
        reader.read()

    assert caught.value.error_class == "config"
    assert key in caught.value.message


@pytest.mark.django_db
def test_an_allowed_sender_that_is_no_address_nor_domain_is_named(imap):
    # given an editor who typed names where the senders' addresses go
    source = mailbox_source(
        imap, allowed_senders=["@minas.example", "Energía Hoy", "prensa"]
    )

    # when the mailbox is polled
    with pytest.raises(FetchError) as caught:
        MailboxReader(source).read()

    # then one message names the key and each entry that could never match
    assert caught.value.error_class == "config"
    assert caught.value.message == (
        "En «allowed_senders», «Energía Hoy», «prensa» no son direcciones "
        "(boletin@medio.co) ni dominios (medio.co o @medio.co)."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sender",
    ["prensa@minas.example", "Prensa@Minas.example", "minas.example", "@minas.example"],
)
def test_an_allowed_sender_is_an_address_or_a_whole_domain(imap, sender):
    # given a press release, and a mailbox allowing its sender one of the ways
    imap.deliver(plain_message())
    reader = MailboxReader(mailbox_source(imap, allowed_senders=[sender]))

    # when the mailbox is read
    result = reader.read()

    # then the release is a candidate
    assert [entry.guid for entry in result.entries] == [PLAIN_ID]


# The whole poll: read, store, then mark read


@pytest.mark.django_db
def test_poll_stores_the_articles_and_then_marks_the_newsletter_read(imap):
    # given
    imap.deliver(digest_message())
    imap.deliver(
        newsletter(
            sender="ofertas@spam.example",
            subject="Promoción",
            text="Compre ya.",
            message_id="<promo-7@spam.example>",
        )
    )
    source = mailbox_source(imap)

    # when
    attempt = intake.poll_source(source.pk)

    # then
    assert attempt.outcome == Source.Outcome.OK
    assert NewsItem.objects.filter(source=source).count() == 4
    assert imap.message_ids("SEEN") == [DIGEST_ID]
    assert imap.message_ids("UNSEEN") == ["<promo-7@spam.example>"]

    # and a second poll finds nothing new
    again = intake.poll_source(source.pk)
    assert again.items_created == 0
    assert NewsItem.objects.filter(source=source).count() == 4


@pytest.mark.django_db
def test_the_task_time_limit_ends_the_poll_and_leaves_messages_unread(
    imap, monkeypatch
):
    # given a poll whose time runs out while a message is read
    imap.deliver(plain_message())
    source = mailbox_source(imap)

    def out_of_time(self, message, digest):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(MailboxReader, "entries_of", out_of_time)

    # when
    attempt = intake.poll_source(source.pk)

    # then
    source.refresh_from_db()
    assert attempt.error_class == "time_limit"
    assert source.error_count == 1
    assert imap.message_ids("UNSEEN") == [PLAIN_ID]


@pytest.mark.django_db
def test_a_failure_while_storing_leaves_the_message_unread(imap, monkeypatch):
    # given storage that fails once
    imap.deliver(plain_message())
    source = mailbox_source(imap)

    def broken_storage(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(intake, "store_entries", broken_storage)

    # when
    with pytest.raises(DatabaseError):
        intake.poll_source(source.pk)

    # then nothing was stored and nothing was lost
    assert NewsItem.objects.filter(source=source).count() == 0
    assert imap.message_ids("UNSEEN") == [PLAIN_ID]

    # and once storage works again the message is stored, then marked read
    monkeypatch.undo()
    intake.poll_source(source.pk)
    item = NewsItem.objects.get(source=source)
    assert item.title == "Comunicado: nueva ronda de asignación de áreas mineras"
    assert imap.message_ids("SEEN") == [PLAIN_ID]


@pytest.mark.django_db
def test_poll_with_a_wrong_password_shows_the_error_on_the_source(imap):
    source = mailbox_source(imap, password="otra-clave")

    attempt = intake.poll_source(source.pk)

    source.refresh_from_db()
    assert attempt.outcome == Source.Outcome.ERROR
    assert source.last_error_class == "auth"
    assert "contraseña" in source.last_error
    assert "otra-clave" not in source.last_error


@pytest.mark.django_db
def test_tls_against_a_plain_server_is_a_tls_error(imap):
    reader = MailboxReader(mailbox_source(imap, ssl=True))

    with pytest.raises(FetchError) as caught:
        reader.read()

    assert caught.value.error_class == "tls"
    assert "segura" in caught.value.message


# Digests longer than a poll


def long_digest(count: int, *, message_id: str = "<extenso-1@energiahoy.example>"):
    """A digest linking `count` articles, in the order a reader scrolls."""
    articles = "\n".join(
        f'<p><a href="https://energiahoy.example/regiones/2026/12/04/nota-{number}">'
        f"Balance energético regional, nota número {number}</a></p>"
        for number in range(1, count + 1)
    )
    return newsletter(
        sender="Energía Hoy <boletin@energiahoy.example>",
        subject="Energía Hoy: el balance de todas las regiones",
        html=f"<html><body><h1>Balance regional</h1>{articles}</body></html>",
        date=datetime(2026, 12, 4, 6, 30, tzinfo=BOGOTA_OFFSET),
        message_id=message_id,
    )


def stored_links(source: Source) -> set[str]:
    return set(NewsItem.objects.filter(source=source).values_list("link", flat=True))


@pytest.mark.django_db
def test_a_digest_longer_than_a_poll_is_stored_whole_over_two_polls(imap):
    # given a year-end digest linking 150 articles, more than a poll stores
    imap.deliver(long_digest(150))
    source = mailbox_source(imap)

    # when the desk polls the mailbox
    first = intake.poll_source(source.pk)

    # then the first hundred are stored, the editor is told the rest will
    # follow, and the newsletter stays unread for them
    assert first.items_created == 100
    assert first.warnings == [
        "En esta consulta caben 100 de los 150 artículos del boletín «Energía Hoy: "
        "el balance de todas las regiones»; el mensaje sigue sin leer y los demás "
        "llegarán en la próxima consulta."
    ]
    assert imap.message_ids("UNSEEN") == ["<extenso-1@energiahoy.example>"]

    # and the next poll brings the other fifty, then marks the newsletter read
    second = intake.poll_source(source.pk)
    assert second.items_created == 50
    assert second.warnings == []
    assert imap.message_ids("SEEN") == ["<extenso-1@energiahoy.example>"]
    assert stored_links(source) == {
        f"https://energiahoy.example/regiones/2026/12/04/nota-{number}"
        for number in range(1, 151)
    }
    assert intake.poll_source(source.pk).entries_found == 0


@pytest.mark.django_db
def test_a_digest_that_no_longer_fits_after_another_waits_whole(imap):
    # given the morning digest and, after it, a digest of 100 articles
    imap.deliver(digest_message())
    imap.deliver(long_digest(100))
    source = mailbox_source(imap)

    # when the desk polls the mailbox
    first = intake.poll_source(source.pk)

    # then the morning digest is stored and read, and the editor learns the
    # long one waits, unread, for the next poll
    assert first.items_created == 4
    assert first.warnings == [
        "1 mensaje no cupo en esta consulta: sigue sin leer y se leerá en la próxima."
    ]
    assert imap.message_ids("SEEN") == [DIGEST_ID]
    assert imap.message_ids("UNSEEN") == ["<extenso-1@energiahoy.example>"]

    # and the next poll stores it whole
    second = intake.poll_source(source.pk)
    assert second.items_created == 100
    assert imap.message_ids("UNSEEN") == []


@pytest.mark.django_db
def test_a_digest_all_stored_but_left_unread_is_marked_read(imap, monkeypatch):
    # given a long digest whose second poll stored its last articles but
    # could not mark it read (the server dropped the connection)
    imap.deliver(long_digest(150))
    source = mailbox_source(imap)
    intake.poll_source(source.pk)

    def dropped(self, result):
        raise FetchError("connection", "El servidor de correo cerró la conexión.")

    monkeypatch.setattr(MailboxReader, "confirm", dropped)
    intake.poll_source(source.pk)
    monkeypatch.undo()
    assert imap.message_ids("UNSEEN") == ["<extenso-1@energiahoy.example>"]

    # when the desk polls again
    attempt = intake.poll_source(source.pk)

    # then nothing is stored twice and the newsletter is at last marked read
    assert attempt.items_created == 0
    assert attempt.warnings == []
    assert NewsItem.objects.filter(source=source).count() == 150
    assert imap.message_ids("SEEN") == ["<extenso-1@energiahoy.example>"]


# Passwords with Spanish letters

ACCENTED_PASSWORD = "Contraseña-Energía-2026"


@pytest.fixture(scope="module")
def accented_imap_server():
    server = ImapServer(password=ACCENTED_PASSWORD)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def accented_imap(accented_imap_server: ImapServer) -> ImapServer:
    accented_imap_server.clear()
    return accented_imap_server


@pytest.mark.django_db
def test_a_password_with_spanish_letters_logs_in(accented_imap, caplog):
    caplog.set_level(logging.DEBUG)

    # given the desk's mailbox, whose password has an "ñ" and an "í"
    accented_imap.deliver(plain_message())
    source = mailbox_source(accented_imap)

    # when it is polled
    attempt = intake.poll_source(source.pk)

    # then the press release is stored and the password is in no log line
    assert attempt.outcome == Source.Outcome.OK
    assert attempt.items_created == 1
    assert accented_imap.message_ids("SEEN") == [PLAIN_ID]
    assert ACCENTED_PASSWORD not in caplog.text


@pytest.mark.django_db
def test_a_wrong_password_with_spanish_letters_is_an_auth_error(accented_imap, caplog):
    caplog.set_level(logging.DEBUG)

    # given an editor who put the accent on the wrong letter of the password
    source = mailbox_source(accented_imap, password="Contraseña-Energiá-2026")

    # when the mailbox is polled
    attempt = intake.poll_source(source.pk)

    # then the source shows the Spanish credentials error, without the
    # password, and no log line has it either
    source.refresh_from_db()
    assert attempt.outcome == Source.Outcome.ERROR
    assert source.last_error_class == "auth"
    assert "contraseña" in source.last_error
    assert "Energiá" not in source.last_error
    assert "Energiá" not in caplog.text


# Text without a declared charset


def raw_message(
    *, subject: bytes, body: bytes, content_type: bytes = b"text/plain"
) -> bytes:
    """A message as an old mailing tool writes it: 8-bit, no charset."""
    return (
        b"From: Oficina de prensa <prensa@minas.example>\r\n"
        b"To: prensa@upme.gov.co\r\n"
        b"Subject: " + subject + b"\r\n"
        b"Message-ID: " + PLAIN_ID.encode() + b"\r\n"
        b"Date: Wed, 02 Dec 2026 15:00:00 -0500\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: " + content_type + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n" + body + b"\r\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "title", "lead"),
    [
        # A Latin-1 body declared "text/plain" alone.
        (
            raw_message(
                subject=b"Informe semanal",
                body="La demanda de energía eléctrica creció en Córdoba.".encode(
                    "latin-1"
                ),
            ),
            "Informe semanal",
            "La demanda de energía eléctrica creció en Córdoba.",
        ),
        # The same in HTML.
        (
            raw_message(
                subject=b"Informe semanal",
                body="<p>La demanda de energía eléctrica creció.</p>".encode("latin-1"),
                content_type=b"text/html",
            ),
            "Informe semanal",
            "La demanda de energía eléctrica creció.",
        ),
        # A raw Latin-1 subject, and Windows quotes only cp1252 has.
        (
            raw_message(
                subject="Minería: “transición energética” en Boyacá".encode("cp1252"),
                body=b"Resumen del foro regional.",
            ),
            "Minería: “transición energética” en Boyacá",
            "Resumen del foro regional.",
        ),
        # Undeclared UTF-8 stays UTF-8.
        (
            raw_message(
                subject="Gas natural en Sucre: producción récord".encode(),
                body="Se alcanzó un récord de producción.".encode(),
            ),
            "Gas natural en Sucre: producción récord",
            "Se alcanzó un récord de producción.",
        ),
        # Declared ISO-8859-1, written with Windows quotes: as feeds are read.
        (
            raw_message(
                subject=b"Informe semanal",
                body="El “cargo por confiabilidad” sube.".encode("cp1252"),
                content_type=b"text/plain; charset=iso-8859-1",
            ),
            "Informe semanal",
            "El “cargo por confiabilidad” sube.",
        ),
        # Declared UTF-8 with one Latin-1 character pasted in.
        (
            raw_message(
                subject=b"Informe semanal",
                body="Producción récord en ".encode() + "Córdoba.".encode("latin-1"),
                content_type=b"text/plain; charset=utf-8",
            ),
            "Informe semanal",
            "Producción récord en Córdoba.",
        ),
    ],
)
def test_mail_text_keeps_its_accents_whatever_its_label(imap, raw, title, lead):
    # given a bulletin whose 8-bit text names no charset, or a misleading one
    imap.deliver(raw)

    # when the desk reads it
    [entry] = MailboxReader(mailbox_source(imap)).read().entries

    # then its accented letters are all there
    assert entry.title == title
    assert entry.summary == f"<p>{lead}</p>"


@pytest.mark.django_db
def test_a_sender_name_without_a_declared_charset_keeps_its_accents(imap):
    # given a bulletin whose sender's name is raw Latin-1
    raw = raw_message(subject=b"Informe semanal", body=b"Resumen.").replace(
        b"Oficina de prensa", "Oficina de Comunicación".encode("latin-1")
    )
    imap.deliver(raw)

    # when the desk reads it
    [entry] = MailboxReader(mailbox_source(imap)).read().entries

    # then the author is written as the sender wrote it
    assert entry.author == "Oficina de Comunicación"


# Messages over the size limit


@pytest.mark.django_db
def test_a_message_over_the_size_limit_is_never_downloaded(imap, settings, monkeypatch):
    # given a 256 KiB limit, an annual report with a 1 MiB annex, and after
    # it a press release, in a mailbox read one message a poll
    settings.FETCH_MAX_BYTES = 256 * 1024
    report = newsletter(
        sender="Oficina de prensa <prensa@minas.example>",
        subject="Informe anual de gestión con anexos",
        text="Adjuntamos el informe anual.",
        message_id="<informe-anual@minas.example>",
    )
    report.add_attachment(
        b"%PDF-1.7\n" + b"0" * (1024 * 1024),
        maintype="application",
        subtype="pdf",
        filename="informe-anual.pdf",
    )
    imap.deliver(report)
    imap.deliver(plain_message())
    reader = MailboxReader(mailbox_source(imap, max_messages=1))

    # ...and a record of the largest piece read from the server
    largest = []
    original_read = imaplib.IMAP4.read

    def recording_read(client, size):
        largest.append(size)
        return original_read(client, size)

    monkeypatch.setattr(imaplib.IMAP4, "read", recording_read)

    # when the desk reads the mailbox and confirms
    result = reader.read()
    reader.confirm(result)

    # then the press release is read, the report never came down, and the
    # editor is told which message was left unread and why
    assert [entry.guid for entry in result.entries] == [PLAIN_ID]
    assert max(largest) < settings.FETCH_MAX_BYTES
    [warning] = result.warnings
    assert warning.startswith("El mensaje «Informe anual de gestión con anexos» pesa ")
    assert warning.endswith(
        "más que el límite de 256 KiB: no se leyó y sigue sin leer en el buzón."
    )
    assert imap.message_ids("UNSEEN") == ["<informe-anual@minas.example>"]
    assert imap.message_ids("SEEN") == [PLAIN_ID]
