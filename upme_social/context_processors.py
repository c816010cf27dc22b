from functools import cache

from django.http import HttpRequest

from newsdesk.models import ATTENTION_THRESHOLD, Source
from publishing.models import Post

from . import roles


def desk(request: HttpRequest) -> dict[str, object]:
    # Some error pages render before the user is attached to the request.
    user = getattr(request, "user", None)
    if user is None:
        return {}
    is_editor = roles.is_editor(user)
    is_approver = roles.is_approver(user)
    context: dict[str, object] = {
        "user_is_editor": is_editor,
        "user_is_approver": is_approver,
    }

    # Approvers land on the news queue; the navigation tells them when
    # posts are waiting, wherever they are.
    # Both counts are callables the template calls only if it shows them,
    # once each: partials (a status section polling every 2 s) never do.
    if is_approver:
        context["posts_awaiting_approval"] = cache(
            Post.objects.filter(status=Post.Status.PENDING).count
        )

    # A source is never abandoned silently: every editor's page shows how
    # many need attention.
    if is_editor:
        context["sources_needing_attention"] = cache(
            Source.objects.filter(
                enabled=True, error_count__gte=ATTENTION_THRESHOLD
            ).count
        )
    return context
