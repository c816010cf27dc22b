"""Template filters for addresses that came from outside the desk."""

from django import template

from newsdesk.sanitize import web_url as _web_url

register = template.Library()


@register.filter
def web_url(value: object) -> str:
    """The address when it is an absolute http(s) URL, else "".

    Readers and forms keep only web addresses, but a row stored before a
    check existed, or an API's answer, must not become a javascript: link:
    every href built from stored text goes through this.
    """
    return _web_url(str(value or ""))
