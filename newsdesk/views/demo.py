from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from newsdesk import demo


@require_GET
def demo_feed(request: HttpRequest, slug: str) -> HttpResponse:
    # Public on purpose: the worker fetches it over HTTP without a session.
    feed = demo.FEEDS.get(slug)
    if feed is None:
        raise Http404("No existe ese canal de demostración.")

    now = timezone.now()
    items = []
    for entry in feed.entries:
        published = demo.entry_time(entry, now)
        items.append(
            {
                "entry": entry,
                "rfc822": http_date(published.timestamp()),
                "iso": published.isoformat(),
            }
        )

    body = render_to_string(
        f"newsdesk/demo/{feed.format}.xml",
        {
            "feed": feed,
            "items": items,
            "updated": now.isoformat(),
            "self_url": request.build_absolute_uri(),
        },
    )
    content_type = (
        "application/atom+xml" if feed.format == "atom" else "application/rss+xml"
    )
    return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
