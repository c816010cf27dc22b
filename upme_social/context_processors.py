from django.http import HttpRequest

from . import roles


def desk(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "user_is_editor": roles.is_editor(user),
        "user_is_approver": roles.is_approver(user),
    }
