"""The sandbox: a network that sends nothing.

Publishing records what would have been sent and answers with ids shaped
like the real ones, so the whole desk runs in a demo or on a laptop. Its
mentions are invented, deterministic from the account and the clock: one
every two minutes since the account was created, so the inbox fills while
a demo runs and a second pull over the same window finds the same ones.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from .base import Backend, MentionData, Outcome, PublishResult

logger = logging.getLogger(__name__)

MENTION_EVERY = timedelta(minutes=2)
# A pull never returns more than this many, the newest ones.
MAX_MENTIONS_PER_PULL = 30
# X's snowflake ids count milliseconds from this instant (2010-11-04).
X_EPOCH_MS = 1288834974657

# Invented people and groups. The "_demo" suffix keeps a handle from naming
# a real person's account, and tells a reader the mention is made up.
CITIZENS = [
    ("marcela_rpz_demo", "Marcela Ruiz Paz (demo)"),
    ("jd_ortegon_demo", "Juan David Ortegón (demo)"),
    ("luzaidaq_demo", "Luz Aida Quintero (demo)"),
    ("ingenieroboyaco_demo", "Hernán Sogamoso (demo)"),
    ("vero.tunja_demo", "Verónica Ayala (demo)"),
    ("camilo_energia_demo", "Camilo Restrepo Gil (demo)"),
    ("paisa_solar_demo", "Natalia Echeverri (demo)"),
    ("don_efrain_58_demo", "Efraín Mosquera (demo)"),
]
ENTITIES = [
    ("asoc_minera_andina_demo", "Asociación Minera Andina (demo)"),
    ("veeduria_energia_co_demo", "Veeduría Ciudadana de Energía (demo)"),
    ("coop_solar_guajira_demo", "Cooperativa Solar de La Guajira (demo)"),
    ("gremio_gas_llanos_demo", "Gremio de Gas de los Llanos (demo)"),
]
TOPICS = [
    "la subasta de energía renovable",
    "el plan de expansión de transmisión",
    "los proyectos eólicos en La Guajira",
    "la demanda de gas natural para este año",
    "la minería de carbón en el Cesar",
    "la formalización de pequeños mineros",
    "las tarifas de energía en la Costa",
    "el balance de hidrocarburos",
    "las comunidades energéticas",
    "el hidrógeno verde",
]
TEMPLATES = [
    "¿Dónde puedo consultar el documento completo sobre {topic}?",
    "Gracias por la información sobre {topic}, muy clara.",
    "¿Cuándo publican los resultados de {topic}? Llevamos semanas esperando.",
    "No estoy de acuerdo con las cifras sobre {topic}, ¿de dónde salen?",
    "Excelente análisis de {topic}. ¿Habrá socialización en las regiones?",
    "¿Tienen un contacto para preguntas técnicas sobre {topic}?",
    "Nuestra organización quisiera participar en la consulta sobre {topic}.",
    "El enlace sobre {topic} no abre, ¿lo pueden revisar?",
]


class SandboxBackend(Backend):
    def publish(self, text: str, link: str = "") -> PublishResult:
        payload = {"text": text, "link": link}
        external_id, url = self._new_post_id()
        logger.info(
            "Sandbox: would publish on account %s (%s); id %s",
            self.account.pk,
            self.account.network,
            external_id,
        )
        return PublishResult(
            outcome=Outcome.OK,
            external_id=external_id,
            external_url=url,
            http_status=200,
            payload=payload,
        )

    def repost(self, external_id: str) -> PublishResult:
        logger.info(
            "Sandbox: would repost %s on account %s", external_id, self.account.pk
        )
        return PublishResult(
            outcome=Outcome.OK,
            external_id=external_id,
            http_status=200,
            payload={"repost_of": external_id},
        )

    def fetch_mentions(self, since: str = "") -> list[MentionData]:
        start = self.account.created_at
        due = int((timezone.now() - start) / MENTION_EVERY)
        first = max(0, due - MAX_MENTIONS_PER_PULL + 1)
        after = self._index_from_id(since)
        if after is not None:
            first = max(first, after + 1)
        return [self._mention(n) for n in range(first, due + 1)]

    # Ids

    def _new_post_id(self) -> tuple[str, str]:
        if self.account.network == "facebook":
            page_id = self.account.handle
            post_id = str(10**15 + secrets.randbelow(9 * 10**15))
            return (
                f"{page_id}_{post_id}",
                f"https://www.facebook.com/{page_id}/posts/{post_id}",
            )
        tweet_id = snowflake(timezone.now(), secrets.randbelow(1 << 22))
        return tweet_id, f"https://x.com/{self._x_handle}/status/{tweet_id}"

    @property
    def _x_handle(self) -> str:
        return self.account.handle.lstrip("@")

    def _mention_id(self, n: int) -> str:
        said_at = self.account.created_at + n * MENTION_EVERY
        if self.account.network == "facebook":
            # Page comments are "<post id>_<comment id>"; the comment id
            # carries n so a cursor can be read back.
            return f"{self.account.handle}_{10**15 + n}"
        # The low 22 bits carry n, so ids increase and read back.
        return snowflake(said_at, n % (1 << 22))

    def _index_from_id(self, external_id: str) -> int | None:
        try:
            if self.account.network == "facebook":
                return int(external_id.rsplit("_", 1)[1]) - 10**15
            return int(external_id) & ((1 << 22) - 1)
        except (ValueError, IndexError):
            return None

    # Mentions

    def _mention(self, n: int) -> MentionData:
        digest = hashlib.sha256(f"{self.account.pk}:{n}".encode()).digest()
        said_at = self.account.created_at + n * MENTION_EVERY
        speakers = ENTITIES if digest[0] % 4 == 0 else CITIZENS
        handle, name = speakers[digest[1] % len(speakers)]
        topic = TOPICS[digest[2] % len(TOPICS)]
        text = TEMPLATES[digest[3] % len(TEMPLATES)].format(topic=topic)
        kind = self._kind(n)
        external_id = self._mention_id(n)

        if self.account.network == "facebook":
            url = f"https://www.facebook.com/{self.account.handle}?comment_id={n}"
        else:
            text = f"@{self._x_handle} {text}"
            url = f"https://x.com/{handle}/status/{external_id}"
        return MentionData(
            external_id=external_id,
            author_handle=handle,
            author_name=name,
            text=text,
            said_at=said_at,
            url=url if kind != "message" else "",
            kind=kind,
            extra={"sandbox": True},
        )

    def _kind(self, n: int) -> str:
        if self.account.network == "facebook":
            return "message" if n % 5 == 4 else "comment"
        return "message" if n % 4 == 3 else "mention"


def snowflake(at: datetime, low_bits: int) -> str:
    """An X-style id: milliseconds since X's epoch, then 22 low bits."""
    ms = int(at.timestamp() * 1000) - X_EPOCH_MS
    return str((ms << 22) | (low_bits & ((1 << 22) - 1)))
