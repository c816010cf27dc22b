"""Seed a desk that can be tried at once: people, accounts and sources.

Idempotent: a second run creates nothing new and never changes a password.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from newsdesk import demo
from newsdesk.actions import intake
from newsdesk.models import Source
from publishing.models import SocialAccount
from upme_social import roles

DEMO_USERS = (
    # username, first name, group (None: superuser)
    ("editora", "Erika (editora OGI)", roles.EDITORS),
    ("jefe", "Andrés (jefe de la OGI)", roles.APPROVERS),
    ("solicitante", "Ramiro (funcionario UPME)", roles.REQUESTERS),
    ("admin", "Administración", None),
)

DEMO_ACCOUNTS = (
    (SocialAccount.Network.X, "UPME (demo)", "@UPME_demo"),
    (SocialAccount.Network.X, "UPME Energía (demo)", "@UPME_Energia_demo"),
    (SocialAccount.Network.FACEBOOK, "Página UPME (demo)", "100000000000001"),
)

# Economy sections of Colombian outlets and the UPME portal, ready for a
# machine with internet: disabled, so the demo never reaches out.
PUBLIC_SOURCES = (
    (
        Source.Kind.FEED,
        "El Tiempo — Economía",
        "https://www.eltiempo.com/rss/economia.xml",
    ),
    (
        Source.Kind.FEED,
        "El Espectador — Economía",
        "https://www.elespectador.com/arc/outboundfeeds/rss/category/economia/",
    ),
    (
        Source.Kind.FEED,
        "Portafolio — Economía",
        "https://www.portafolio.co/rss/economia.xml",
    ),
    (
        Source.Kind.FEED,
        "La República — Economía",
        "https://www.larepublica.co/rss/economia.xml",
    ),
    (
        Source.Kind.NEWSPAPER,
        "El Colombiano — Negocios",
        "https://www.elcolombiano.com/negocios",
    ),
    (Source.Kind.PORTAL, "Portal UPME", "https://www1.upme.gov.co"),
)


class Command(BaseCommand):
    help = "Crea los usuarios, cuentas y fuentes de demostración (idempotente)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url",
            default="",
            help=(
                "Dirección del escritorio, de donde se leen los canales de demo "
                "(por omisión SITE_URL). Si se da, las fuentes de demo ya creadas "
                "pasan a leerse de ella."
            ),
        )

    @transaction.atomic
    def handle(self, *args: object, site_url: str, **options: object) -> None:
        for name in roles.ALL_GROUPS:
            Group.objects.get_or_create(name=name)

        created_users = [u for u in (self._user(*spec) for spec in DEMO_USERS) if u]
        accounts = sum(self._account(*spec) for spec in DEMO_ACCOUNTS)
        # Only an explicit address moves existing demo sources: a bare
        # re-run must not point them away from the running desk.
        sources = self._demo_sources(
            (site_url or settings.SITE_URL).rstrip("/"), move=bool(site_url)
        )
        sources += sum(self._public_source(*spec) for spec in PUBLIC_SOURCES)

        call_command("seed_vocabulary", verbosity=0)

        self._report(created_users, accounts, sources)

    def _user(self, username: str, first_name: str, group: str | None) -> tuple | None:
        if User.objects.filter(username=username).exists():
            return None

        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(
            username, f"{username}@demo.upme.invalid", password, first_name=first_name
        )
        if group is None:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        else:
            user.groups.add(Group.objects.get(name=group))
        return username, first_name, password

    def _account(self, network: str, name: str, handle: str) -> int:
        _, created = SocialAccount.objects.get_or_create(
            network=network,
            handle=handle,
            defaults={"name": name, "backend": SocialAccount.Backend.SANDBOX},
        )
        return int(created)

    def _demo_sources(self, site_url: str, *, move: bool) -> int:
        created = 0
        for feed in demo.FEEDS.values():
            path = reverse("newsdesk:demo_feed", kwargs={"slug": feed.slug})
            url = f"{site_url}{path}"
            source, was_created = Source.objects.get_or_create(
                name=feed.name,
                defaults={
                    "kind": Source.Kind.FEED,
                    "url": url,
                    "interval": timedelta(minutes=10),
                },
            )
            created += was_created

            # The desk may now run on another port: follow it, and poll soon.
            if move and source.url != url:
                source.url = url
                source.next_fetch_at = timezone.now()
                fields = intake.forget_validators(source)
                source.save(update_fields=["url", "next_fetch_at", *fields])
        return created

    def _public_source(self, kind: str, name: str, url: str) -> int:
        _, created = Source.objects.get_or_create(
            url=url, defaults={"kind": kind, "name": name, "enabled": False}
        )
        return int(created)

    def _report(self, users: list[tuple], accounts: int, sources: int) -> None:
        out = self.stdout
        if users:
            out.write(self.style.SUCCESS("Usuarios de demostración creados:"))
            for username, first_name, password in users:
                out.write(f"  {username:<12} {password:<14} {first_name}")
            out.write(
                "  Anote las contraseñas: no se vuelven a mostrar "
                "(cámbielas con `manage.py changepassword USUARIO`)."
            )
        else:
            out.write("Usuarios de demostración: ya existían, contraseñas sin cambios.")
        out.write(f"Cuentas sandbox nuevas: {accounts}. Fuentes nuevas: {sources}.")
