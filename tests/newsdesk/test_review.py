"""Review actions: who decided what, and when, once."""

import pytest

from newsdesk import clustering
from newsdesk.actions import review
from newsdesk.models import NewsItem, StaffRequest

from .review_factories import make_item, make_source


@pytest.fixture(autouse=True)
def fresh_index(db):
    clustering.reset_index()


def test_mark_used_records_the_editor_and_leaves_the_queue(editor_client, editor):
    item = make_item(
        make_source(), "UPME publica el plan de expansión", score=5, enrich=False
    )

    # when the composer makes a post from it
    assert review.mark_used(item, editor) is True

    # then it is "Redactada", by Erika, and no longer a candidate
    item.refresh_from_db()
    assert item.status == NewsItem.Status.USED
    assert item.decided_by == editor
    assert item.decided_at is not None
    assert (
        f'id="item-{item.pk}"' not in editor_client.get("/noticias/").content.decode()
    )

    # and a second call changes nothing
    decided_at = item.decided_at
    assert review.mark_used(item, editor) is False
    item.refresh_from_db()
    assert item.decided_at == decided_at


def test_dismiss_twice_is_harmless(editor, approver):
    item = make_item(make_source(), "Noticia cualquiera", enrich=False)

    assert review.dismiss(item, editor) == 1
    assert review.dismiss(item, approver) == 0

    item.refresh_from_db()
    assert item.decided_by == editor


def test_restore_only_touches_dismissed_items(editor):
    item = make_item(make_source(), "Noticia redactada", enrich=False)
    review.mark_used(item, editor)

    assert review.restore(item, editor) == 0
    item.refresh_from_db()
    assert item.status == NewsItem.Status.USED


def test_request_lifecycle(editor, requester):
    staff_request = review.create_request(
        requester, kind="news", title="Informe", description="Nuevo informe."
    )

    accepted = review.accept_request(staff_request, editor)
    published = review.mark_request_published(accepted, editor)

    assert published.status == StaffRequest.Status.PUBLISHED
    assert published.decided_by == editor
    with pytest.raises(review.ReviewError):
        review.accept_request(staff_request, editor)
    # Repeating the current state is not an error.
    assert review.mark_request_published(staff_request, editor).status == "published"


def test_a_request_with_a_draft_post_cannot_be_rejected(editor, requester):
    from publishing.models import Post

    # given a new request with only a draft written for it
    staff_request = StaffRequest.objects.create(
        requester=requester,
        kind=StaffRequest.Kind.NEWS,
        title="Informe de demanda",
        description="Por favor publicar.",
    )
    Post.objects.create(text="Borrador", created_by=editor, staff_request=staff_request)

    # when the editor tries to reject it, then it is refused in Spanish
    with pytest.raises(review.ReviewError, match="no se puede rechazar"):
        review.reject_request(staff_request, editor, "no")
    staff_request.refresh_from_db()
    assert staff_request.status == StaffRequest.Status.NEW
