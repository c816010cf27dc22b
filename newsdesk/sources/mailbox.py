"""Newsletter mailboxes read over IMAP.

Unread messages from allowed senders become candidates: a digest-style
newsletter gives one candidate per linked article, any other message one
candidate of its own. Messages are fetched with BODY.PEEK, so reading never
marks them; `confirm()` marks them read once what they yielded is stored,
and messages from other senders are never touched.

A poll stores at most INTAKE_MAX_ENTRIES candidates. A message that does
not fit after others waits, unread, for the next poll; one that does not
fit alone (a digest of 150 links) gives what fits and stays unread, and the
next poll skips its stored links and gives the rest. Either way the poll
says so in its warnings. A message larger than FETCH_MAX_BYTES, by the size
the server gives before any body is fetched, is never downloaded: it stays
unread and every poll's warnings name it.

Keys of `Source.config`:

- ``host`` (required): the IMAP server.
- ``port``: defaults to 993 with ``ssl`` and 143 otherwise.
- ``ssl`` (default true): IMAP over TLS from the first byte.
- ``starttls`` (default false): a plain connection upgraded with STARTTLS;
  set ``ssl`` to false with it.
- ``username`` (required) and ``password``, or ``password_env``: the name
  of an environment variable holding the password, so it need not be kept
  in the database. The password is never logged.
- ``folder`` (default "INBOX").
- ``allowed_senders`` (required): addresses ("boletin@medio.co") or whole
  domains ("medio.co" or "@medio.co"), as a list or a comma-separated text.
- ``digest``: true, false or "auto" (default): with "auto" a message whose
  HTML links at least three articles is read as a digest.
- ``max_messages`` (default 50): messages read per poll, oldest first; the
  rest wait for the next poll.
"""

from __future__ import annotations

import binascii
import hashlib
import imaplib
import logging
import os
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import getaddresses
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import (
    ImapToolsError,
    MailboxFlagError,
    MailboxFolderSelectError,
    MailboxLoginError,
    MailboxStarttlsError,
)
from imap_tools.mailbox import BaseMailBox
from imap_tools.utils import check_command_status, replace_html_ct_charset

from newsdesk.http import binary_size
from newsdesk.identity import canonical_url, identity_keys, unwrap
from newsdesk.models import NewsItem
from newsdesk.sanitize import first_words, one_line, plain_text, web_url
from newsdesk.sources.base import EntryData, FetchError, Reader, ReadResult
from newsdesk.sources.charset import decode_bytes
from newsdesk.sources.extract import (
    html_to_text,
    lead_html,
    normalise_text,
    on_social_network,
    parse_html,
)
from newsdesk.sources.options import ConfigCheck, Options

logger = logging.getLogger(__name__)

BOGOTA = ZoneInfo("America/Bogota")
SEEN = "\\Seen"
DIGEST_MIN_LINKS = 3
# imap-tools gives this date to a message without a usable Date header.
MISSING_DATE_YEAR = 1900
# Anchors and addresses that are part of the newsletter's frame, never an
# article: unsubscribe, preferences, "view in browser", sharing.
FRAME_LINK = re.compile(
    r"unsubscri|desuscri|darse de baja|dar(se)? de baja|cancelar (la )?suscrip"
    r"|preferenc|optout|opt-out|opt_out|ver (este correo |el correo )?en (el |su )?"
    r"navegador|view (it )?(in|on) (your )?browser|view online|versi[oó]n web"
    r"|reenviar|forward to a friend|pol[ií]tica de privacidad|privacy|/track/open"
    r"|manage.*subscription|update.*profile",
    re.IGNORECASE,
)
GENERIC_ANCHOR = re.compile(
    r"^(leer|ver|lea|conozca|descubra|read|click|haga clic|clic|más|more)\b.{0,25}$"
    r"|^(aquí|here|link|enlace)$",
    re.IGNORECASE,
)
IMAGE_PATH = re.compile(r"\.(png|jpe?g|gif|webp|svg|bmp)$", re.IGNORECASE)
SUMMARY_MIN_CHARS = 40
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FOLD = re.compile(r"\r?\n(?=[ \t])")
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    ssl: bool
    starttls: bool
    username: str
    password: str
    folder: str
    allowed_senders: tuple[str, ...]
    digest: bool | None  # None: decide per message
    max_messages: int


@dataclass(frozen=True)
class ArticleLink:
    url: str
    title: str
    summary: str


@dataclass
class MailboxResult(ReadResult):
    # The UIDs `confirm()` marks read: messages whose every candidate is in
    # `entries` or stored already. A message cut short is not among them.
    finished: list[str] = field(default_factory=list)
    uidvalidity: int | None = None


CONFIG_KEYS = (
    "host",
    "port",
    "ssl",
    "starttls",
    "username",
    "password",
    "password_env",
    "folder",
    "allowed_senders",
    "digest",
    "max_messages",
)


def check_config(check: ConfigCheck, url: str) -> None:
    """The checks of read_settings, every one run, when the source is saved.

    The variable named by ``password_env`` is not read here: the web server
    need not share the worker's environment.
    """
    check(_tls)
    check(lambda options: options.text("host", required=True))
    check(_port)
    check(lambda options: options.text("username", required=True))
    check(lambda options: _password(options, resolve_env=False))
    check(lambda options: options.text("folder", "INBOX"))
    check(_senders)
    check(_digest_option)
    check(_max_messages)
    check.only_keys(CONFIG_KEYS)


def read_settings(config: object) -> MailboxSettings:
    options = Options(config)
    use_ssl, starttls = _tls(options)
    password = _password(options, resolve_env=True)
    senders = _senders(options)
    return MailboxSettings(
        host=options.text("host", required=True),
        port=_port(options),
        ssl=use_ssl,
        starttls=starttls,
        username=options.text("username", required=True),
        password=password,
        folder=options.text("folder", "INBOX") or "INBOX",
        allowed_senders=senders,
        digest=_digest_option(options),
        max_messages=_max_messages(options),
    )


def _tls(options: Options) -> tuple[bool, bool]:
    use_ssl = options.boolean("ssl", True)
    starttls = options.boolean("starttls", False)
    if use_ssl and starttls and "ssl" in options.config:
        raise FetchError(
            "config",
            _("Use «ssl» o «starttls», no ambos: con «starttls» ponga «ssl» en false."),
        )
    return (False, True) if starttls else (use_ssl, False)


def _port(options: Options) -> int:
    use_ssl, _starttls = _tls(options)
    return options.integer("port", 993 if use_ssl else 143, maximum=65535)


def _max_messages(options: Options) -> int:
    return options.integer("max_messages", 50, maximum=500)


def _password(options: Options, *, resolve_env: bool) -> str:
    password = options.text("password")
    env_name = options.text("password_env")
    if env_name and not resolve_env:
        return env_name
    if env_name:
        password = os.environ.get(env_name, "")
        if not password:
            raise FetchError(
                "config",
                _("La variable de entorno «%(name)s» con la contraseña está vacía.")
                % {"name": env_name},
            )
    if not password:
        raise FetchError(
            "config",
            _("Falta la contraseña del buzón («password» o «password_env»)."),
        )
    return password


# The forms sender_allowed matches: an address ("boletin@medio.co") or a
# whole domain ("medio.co", "@medio.co").
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_SENDER = re.compile(rf"(?:[^\s@<>]+@|@)?(?:{_LABEL}\.)+{_LABEL}")


def _senders(options: Options) -> tuple[str, ...]:
    senders = options.text_list("allowed_senders")
    if not senders:
        raise FetchError(
            "config",
            _(
                "Indique en «allowed_senders» las direcciones o dominios (@medio.co) "
                "de los boletines: sin ellos se leería cualquier correo."
            ),
        )

    # A name or a bare word never matches a sender: the mailbox would be
    # read without a candidate and without a word of why.
    wrong = [sender for sender in senders if not _SENDER.fullmatch(sender)]
    if wrong:
        raise FetchError(
            "config",
            ngettext(
                "En «allowed_senders», %(senders)s no es una dirección "
                "(boletin@medio.co) ni un dominio (medio.co o @medio.co).",
                "En «allowed_senders», %(senders)s no son direcciones "
                "(boletin@medio.co) ni dominios (medio.co o @medio.co).",
                len(wrong),
            )
            % {"senders": ", ".join(f"«{sender}»" for sender in wrong)},
        )
    return tuple(sender.lower() for sender in senders)


def _digest_option(options: Options) -> bool | None:
    value = options.config.get("digest", "auto")
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return None
    return options.boolean("digest", False)


def sender_allowed(address: str, allowed: tuple[str, ...]) -> bool:
    address = address.strip().lower()
    if "@" not in address:
        return False
    domain = address.rsplit("@", 1)[1]
    for pattern in allowed:
        if pattern.startswith("@") and domain == pattern[1:]:
            return True
        if "@" not in pattern and domain == pattern:
            return True
        if address == pattern:
            return True
    return False


class MailboxReader(Reader):
    def read(self) -> MailboxResult:
        conf = read_settings(self.source.config)
        result = MailboxResult(entries=[])
        if not conf.ssl and not conf.starttls and conf.host not in LOCAL_HOSTS:
            result.warnings.append(
                _("El buzón se lee sin cifrado: active «ssl» o «starttls».")
            )

        with self._connect(conf) as mailbox:
            result.uidvalidity = self._uidvalidity(mailbox, conf.folder)
            uids = self._allowed_unread(mailbox, conf, result)
            for message in _one_by_one(mailbox, uids):
                found = self._entries_or_warning(message, conf, result)
                if found is not None and not self._take(message, found, result):
                    waiting = [uid for uid in uids if int(uid) >= int(message.uid)]
                    _warn_deferred(result, len(waiting))
                    break

        logger.info(
            "Mailbox source %s: %d messages, %d candidates, %d finished",
            self.source.pk,
            len(uids),
            len(result.entries),
            len(result.finished),
        )
        return result

    def confirm(self, result: ReadResult) -> None:
        """Marks read the messages whose candidates are now all stored."""
        if not isinstance(result, MailboxResult) or not result.finished:
            return

        conf = read_settings(self.source.config)
        with self._connect(conf) as mailbox:
            current = self._uidvalidity(mailbox, conf.folder)
            # A new UIDVALIDITY means the server renumbered the folder:
            # those UIDs now name other messages, which must stay unread.
            validity = result.uidvalidity
            if validity is not None and current is not None and validity != current:
                logger.warning(
                    "Mailbox source %s: UIDVALIDITY changed, %d messages left unread",
                    self.source.pk,
                    len(result.finished),
                )
                return
            _mark_seen(mailbox, sorted(result.finished, key=int))

    # Filling a poll

    def _entries_or_warning(
        self, message: MailMessage, conf: MailboxSettings, result: MailboxResult
    ) -> list[EntryData] | None:
        try:
            return self.entries_of(message, conf.digest)
        except SoftTimeLimitExceeded:
            # The task's time is up, not this message's fault.
            raise
        except Exception:
            # One malformed message must not stop the others; it stays
            # unread and is retried on the next poll.
            logger.exception(
                "Mailbox source %s: message uid %s unreadable",
                self.source.pk,
                message.uid,
            )
            result.warnings.append(
                _("Un mensaje (UID %(uid)s) no se pudo leer; sigue sin leer.")
                % {"uid": message.uid}
            )
            return None

    def _take(
        self, message: MailMessage, found: list[EntryData], result: MailboxResult
    ) -> bool:
        """Add what fits of a message's candidates; False when it must wait.

        Intake stores at most INTAKE_MAX_ENTRIES of a poll and drops the
        rest. A message that does not fit after others waits whole; one
        that does not fit alone gives what fits and stays unread.
        """
        room = getattr(settings, "INTAKE_MAX_ENTRIES", 100) - len(result.entries)
        # A message read again after a poll that took part of it.
        if len(found) > room:
            found = self._not_stored(found)
        if len(found) > room and result.entries:
            return False

        if len(found) > room:
            result.warnings.append(
                _(
                    "En esta consulta caben %(taken)s de los %(total)s artículos "
                    "del boletín «%(subject)s»; el mensaje sigue sin leer y los "
                    "demás llegarán en la próxima consulta."
                )
                % {
                    "taken": room,
                    "total": len(found),
                    "subject": _subject(message) or _("(sin asunto)"),
                }
            )
            found = found[:room]
        else:
            result.finished.append(message.uid)
        result.entries.extend(found)
        return True

    def _not_stored(self, entries: list[EntryData]) -> list[EntryData]:
        """The entries no item of this source holds yet, in order.

        Matched the two ways intake matches them: by identity and by link.
        """
        links = [canonical_url(web_url(entry.link)) for entry in entries]
        keys = identity_keys(self.source.pk, entries, links)
        rows = NewsItem.objects.filter(source=self.source).filter(
            Q(identity__in=keys) | Q(link__in={link for link in links if link})
        )
        stored_keys: set[str] = set()
        stored_links: set[str] = set()
        for identity, link in rows.values_list("identity", "link"):
            stored_keys.add(identity)
            if link:
                stored_links.add(link)
        return [
            entry
            for entry, key, link in zip(entries, keys, links, strict=True)
            if key not in stored_keys and link not in stored_links
        ]

    # Reading messages

    def _allowed_unread(
        self, mailbox: BaseMailBox, conf: MailboxSettings, result: MailboxResult
    ) -> list[str]:
        """The UIDs to read this poll, oldest first."""
        unread = mailbox.uids(AND(seen=False))
        if not unread:
            return []

        # Headers and sizes first: a stranger's message, or one over the
        # size limit, is never downloaded whole.
        limit = settings.FETCH_MAX_BYTES
        senders = conf.allowed_senders
        allowed = []
        for message in mailbox.fetch(
            uid_list=unread, headers_only=True, mark_seen=False, bulk=100
        ):
            if not message.uid or not sender_allowed(message.from_, senders):
                continue
            # Left out before the cut to max_messages, so that messages the
            # desk can never read do not hold back the ones after them.
            if message.size_rfc822 > limit:
                self._warn_too_large(message, limit, result)
                continue
            allowed.append(message.uid)
        allowed.sort(key=int)
        return allowed[: conf.max_messages]

    def _warn_too_large(
        self, message: MailMessage, limit: int, result: MailboxResult
    ) -> None:
        logger.info(
            "Mailbox source %s: message uid %s of %d bytes over the limit, left unread",
            self.source.pk,
            message.uid,
            message.size_rfc822,
        )
        result.warnings.append(
            _(
                "El mensaje «%(subject)s» pesa %(size)s, más que el límite de "
                "%(limit)s: no se leyó y sigue sin leer en el buzón."
            )
            % {
                "subject": _subject(message) or _("(sin asunto)"),
                "size": binary_size(message.size_rfc822),
                "limit": binary_size(limit),
            }
        )

    def entries_of(self, message: MailMessage, digest: bool | None) -> list[EntryData]:
        message_id = _message_id(message)
        published = _message_date(message)
        sender = _sender_name(message)
        subject = _subject(message)
        text, html = _body(message, "text/plain"), _body(message, "text/html")

        links = article_links(html) if html else []
        if digest is None:
            digest = len(links) >= DIGEST_MIN_LINKS
        if digest and links:
            return [
                EntryData(
                    title=link.title,
                    link=link.url,
                    guid=f"{message_id}|{link.url}",
                    summary=lead_html(link.summary) if link.summary else "",
                    published_at=published,
                    extra={"newsletter": subject, "sender": message.from_},
                )
                for link in links
            ]

        body = normalise_text(text) if text.strip() else ""
        if not body and html:
            body = html_to_text(html)
        title = subject or first_words(body) or _("(Boletín sin asunto)")
        return [
            EntryData(
                title=title,
                guid=message_id,
                summary=lead_html(body),
                author=plain_text(sender),
                published_at=published,
                extra={"sender": message.from_},
            )
        ]

    # Connection

    @contextmanager
    def _connect(self, conf: MailboxSettings) -> Iterator[BaseMailBox]:
        timeout = settings.HTTP_READ_TIMEOUT
        try:
            if conf.ssl:
                mailbox: BaseMailBox = MailBox(
                    conf.host,
                    conf.port,
                    timeout=timeout,
                    ssl_context=ssl.create_default_context(),
                )
            elif conf.starttls:
                mailbox = MailBoxStartTls(
                    conf.host,
                    conf.port,
                    timeout=timeout,
                    ssl_context=ssl.create_default_context(),
                )
            else:
                mailbox = MailBoxUnencrypted(conf.host, conf.port, timeout=timeout)
        except (ImapToolsError, imaplib.IMAP4.error, OSError) as exc:
            raise self._error(exc, conf) from exc

        try:
            _login(mailbox, conf)
            mailbox.folder.set(conf.folder)
        except FetchError:
            _close_quietly(mailbox)
            raise
        except (ImapToolsError, imaplib.IMAP4.error, OSError) as exc:
            _close_quietly(mailbox)
            raise self._error(exc, conf) from exc

        try:
            yield mailbox
        except FetchError:
            raise
        except (ImapToolsError, imaplib.IMAP4.error, OSError) as exc:
            raise self._error(exc, conf) from exc
        finally:
            _close_quietly(mailbox)

    def _uidvalidity(self, mailbox: BaseMailBox, folder: str) -> int | None:
        try:
            return mailbox.folder.status(folder, ["UIDVALIDITY"]).get("UIDVALIDITY")
        except (ImapToolsError, imaplib.IMAP4.error):
            return None

    def _error(self, exc: BaseException, conf: MailboxSettings) -> FetchError:
        # Log the class and the server, never the login or the password.
        logger.info(
            "Mailbox source %s at %s:%s failed: %s",
            self.source.pk,
            conf.host,
            conf.port,
            type(exc).__name__,
        )
        if isinstance(exc, MailboxLoginError):
            return FetchError(
                "auth",
                _(
                    "El servidor de correo rechazó el usuario o la contraseña. "
                    "Revise las credenciales del buzón."
                ),
            )
        if isinstance(exc, MailboxFolderSelectError):
            return FetchError(
                "config",
                _("La carpeta «%(folder)s» no existe en el buzón.")
                % {"folder": conf.folder},
            )
        if isinstance(exc, MailboxStarttlsError | ssl.SSLError):
            return FetchError(
                "tls",
                _(
                    "No fue posible establecer una conexión segura (TLS) con el servidor de correo."
                ),
            )
        if isinstance(exc, TimeoutError | socket.timeout):
            return FetchError(
                "timeout", _("El servidor de correo tardó demasiado en responder.")
            )
        if isinstance(exc, socket.gaierror):
            return FetchError(
                "connection",
                _("No se encontró el servidor de correo «%(host)s».")
                % {"host": conf.host},
            )
        if isinstance(exc, OSError):
            return FetchError(
                "connection",
                _(
                    "No fue posible conectarse con el servidor de correo %(host)s:%(port)s."
                )
                % {"host": conf.host, "port": conf.port},
            )
        return FetchError(
            "imap",
            _("El servidor de correo respondió con un error inesperado."),
        )


def _one_by_one(mailbox: BaseMailBox, uids: list[str]) -> Iterator[MailMessage]:
    # One FETCH a message: memory holds one body at a time, and each is
    # under FETCH_MAX_BYTES.
    if uids:
        yield from mailbox.fetch(uid_list=uids, mark_seen=False, bulk=False)


def _warn_deferred(result: MailboxResult, count: int) -> None:
    result.warnings.append(
        ngettext(
            "%(count)s mensaje no cupo en esta consulta: sigue sin leer y se "
            "leerá en la próxima.",
            "%(count)s mensajes no cupieron en esta consulta: siguen sin leer "
            "y se leerán en la próxima.",
            count,
        )
        % {"count": count}
    )


def _login(mailbox: BaseMailBox, conf: MailboxSettings) -> None:
    if conf.username.isascii() and conf.password.isascii():
        mailbox.login(conf.username, conf.password, initial_folder=None)
        return

    # LOGIN carries ASCII only (imaplib refuses to send more); SASL PLAIN
    # carries UTF-8 (RFC 4616).
    if "AUTH=PLAIN" not in mailbox.client.capabilities:
        raise FetchError(
            "auth",
            _(
                "El servidor de correo no acepta usuarios ni contraseñas con "
                "tildes o «ñ» (no ofrece AUTH=PLAIN). Use una contraseña sin "
                "ellas."
            ),
        )
    try:
        mailbox.login_utf8(conf.username, conf.password, initial_folder=None)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        # imaplib raises a refused AUTHENTICATE where imap_tools' LOGIN
        # returns it; the refusal is the same. Its text is the server's,
        # never the password.
        raise MailboxLoginError(("NO", [str(exc).encode()]), "OK") from exc


def _close_quietly(mailbox: BaseMailBox) -> None:
    try:
        mailbox.logout()
    except (ImapToolsError, imaplib.IMAP4.error, OSError):
        # The server may already have dropped us; nothing is left to undo.
        try:
            mailbox.client.shutdown()
        except OSError:
            return


def _message_id(message: MailMessage) -> str:
    values = message.headers.get("message-id") or ()
    message_id = values[0].strip() if values else ""
    if message_id:
        return message_id
    # Without a Message-ID the sender, date and subject name the message.
    basis = f"{message.from_}\x00{message.date_str}\x00{message.subject}"
    return "sha256:" + hashlib.sha256(basis.encode()).hexdigest()


def _mark_seen(mailbox: BaseMailBox, uids: list[str]) -> None:
    # imap_tools' flag() follows the STORE with an EXPUNGE, which would erase
    # every message someone else marked deleted in a shared mailbox: only
    # the \Seen flag of our own messages is set.
    result = mailbox.client.uid("STORE", ",".join(uids), "+FLAGS", f"({SEEN})")
    check_command_status(result, MailboxFlagError)


def decode_text(data: bytes, charset: str | None) -> str:
    """Mail text decoded by the rules feeds and pages follow (charset.py).

    Old mailing tools send 8-bit text with no charset, or call it
    "us-ascii": such a label says nothing, and the bytes decide.
    """
    label = (charset or "").strip().lower()
    if label in ("us-ascii", "ascii"):
        label = ""
    return decode_bytes(data, label, unlabelled_utf8=False)[0]


def _header(message: MailMessage, name: str) -> str:
    """A header as written, its raw 8-bit bytes decoded; encoded words kept.

    The parser keeps such bytes as surrogates, and imap_tools drops them.
    """
    for key, value in message.obj.raw_items():
        if key.lower() == name.lower():
            value = str(value)
            if value.isascii():
                return value
            return decode_text(value.encode("utf-8", "surrogateescape"), None)
    return ""


def _subject(message: MailMessage) -> str:
    # A subject is plain text: "<" in it is a character, not a tag.
    return one_line(decode_header_text(_header(message, "Subject")))


def _sender_name(message: MailMessage) -> str:
    addresses = getaddresses([_header(message, "From")])
    return one_line(decode_header_text(addresses[0][0])) if addresses else ""


def _body(message: MailMessage, content_type: str) -> str:
    """The text of the message's parts of this type that are no attachment."""
    texts = []
    for part in message.obj.walk():
        if part.get_content_maintype() == "multipart" or part.get_filename():
            continue
        if part.get_content_type() != content_type:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(decode_text(payload, part.get_content_charset()))
    text = "".join(texts)
    if content_type == "text/html":
        # The markup's own charset no longer applies to the decoded text.
        text = replace_html_ct_charset(text, "utf-8")
    return text


def decode_header_text(raw: str) -> str:
    """An unstructured header (RFC 5322 unfolding, RFC 2047 words) as text.

    Decoding the folded header split words where the sender's library had
    broken the line ("níque l"); unfolding first keeps them whole.
    """
    unfolded = FOLD.sub("", raw).replace("\r", "").replace("\n", "")

    # Runs of bytes in one charset, so a character split across two
    # encoded words is decoded whole.
    parts: list[tuple[bytes | str, str]] = []
    position = 0
    for match in ENCODED_WORD.finditer(unfolded):
        between = unfolded[position : match.start()]
        if position and not between.strip(" \t"):
            # Between two encoded words the first blank is the fold and is
            # no text (RFC 2047, 6.2); a further one is a space the writer
            # left there, as Python's own folding does.
            between = between[1:]
        if between:
            parts.append((between, ""))
        charset = match.group(1).split("*", 1)[0].lower()
        data = _encoded_word_bytes(match.group(2), match.group(3))
        if data is None:
            parts.append((match.group(0), ""))
        elif parts and parts[-1][1] == charset and not between:
            parts[-1] = (parts[-1][0] + data, charset)
        else:
            parts.append((data, charset))
        position = match.end()
    parts.append((unfolded[position:], ""))
    return "".join(_part_text(value, charset) for value, charset in parts)


def _encoded_word_bytes(encoding: str, text: str) -> bytes | None:
    try:
        data = text.encode("ascii")
        if encoding in "Qq":
            return binascii.a2b_qp(data, header=True)
        # Senders often drop the padding.
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4), strict_mode=True)
    except (UnicodeError, binascii.Error):
        return None


def _part_text(value: bytes | str, charset: str) -> str:
    return value if isinstance(value, str) else decode_text(value, charset)


def _message_date(message: MailMessage) -> datetime | None:
    value = message.date
    if value.year <= MISSING_DATE_YEAR:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=BOGOTA)
    return value.astimezone(UTC)


def article_links(markup: str) -> list[ArticleLink]:
    """The articles a newsletter's HTML links to, in order, once each."""
    tree = parse_html(markup)
    if tree is None:
        return []

    found: dict[str, ArticleLink] = {}
    for anchor in tree.iter("a"):
        # A mail gateway (Safe Links) or Google Alerts wraps every link:
        # the article is judged, and stored, by where it leads.
        url = unwrap((anchor.get("href") or "").strip())
        title = one_line(anchor.text_content())
        if not _is_article_link(url, title):
            continue
        key = canonical_url(url)
        if key not in found:
            found[key] = ArticleLink(
                url=url, title=title, summary=_summary_after(anchor)
            )
    return list(found.values())


def _is_article_link(url: str, title: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if on_social_network(url):
        return False
    if (
        IMAGE_PATH.search(parts.path)
        or FRAME_LINK.search(url)
        or FRAME_LINK.search(title)
    ):
        return False
    # An image-only anchor or "Leer más" says nothing about the article.
    if len(title.split()) < 3 or GENERIC_ANCHOR.match(title):
        return False
    return not (parts.path in ("", "/") and not parts.query)


def _summary_after(anchor: lxml.html.HtmlElement) -> str:
    """The text of the block right after the anchor's own block, if any."""
    block = anchor
    while block is not None and block.tag not in (
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "td",
        "li",
        "div",
    ):
        block = block.getparent()
    if block is None:
        return ""
    following = block.getnext()
    if following is None or following.tag not in ("p", "div", "span"):
        return ""
    text = one_line(following.text_content())
    return text if len(text) >= SUMMARY_MIN_CHARS else ""
