"""Steps a person takes in the browser, shared by the end-to-end tests."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

# The personas' password, as tests/conftest.py creates them.
PASSWORD = "clave-segura-1"


def sign_in(page: Page, user: User) -> None:
    """Sign in through the desk's own form, as a person does."""
    page.goto("/ingresar/")
    page.get_by_label("Usuario").fill(user.username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("button", name=re.compile(r"^Salir"))).to_be_visible()
