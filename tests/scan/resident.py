"""A resident's browser in tests: keeps cookies, sends the CSRF token, speaks htmx or not."""

from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.scan.questionnaire import load_default
from app.security import csrf_token_for
from tests.conftest import SECRET

BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}
PAGES = list(dict.fromkeys(q["page"] for q in load_default()["questions"]))


class Resident:
    def __init__(self, client: TestClient, slug: str = "planetenbuurt", *, htmx: bool = False):
        self.client = client
        self.slug = slug
        self.headers = dict(BOOSTED) if htmx else {}

    def url(self, tail: str = "") -> str:
        return f"/s/{self.slug}{tail}"

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.client.get(path, headers={**self.headers, **headers})

    def csrf(self) -> str:
        cookie = self.client.cookies.get("csrf")
        if cookie is None:
            self.get("/")
            cookie = self.client.cookies["csrf"]
        return csrf_token_for(SECRET, cookie)

    def post(self, path: str, data: Any = (), **headers: str) -> httpx.Response:
        items = list(data.items()) if isinstance(data, dict) else list(data)
        items.append(("csrf_token", self.csrf()))
        return self.client.post(
            path, data=_as_multidict(items), headers={**self.headers, **headers}
        )

    def replace_cookie(self, name: str, value: str) -> None:
        """Swap a cookie's value where the server set it (domain and path kept)."""
        jar = self.client.cookies.jar
        original = next(c for c in jar if c.name == name)
        jar.clear(original.domain, original.path, name)
        self.client.cookies.set(name, value, domain=original.domain, path=original.path)

    def start(self) -> httpx.Response:
        self.get(self.url())
        response = self.post(self.url("/start"))
        assert response.status_code == 303, response.text
        return response

    def save(self, page: str, data: Any = (), nav: str = "next") -> httpx.Response:
        items = list(data.items()) if isinstance(data, dict) else list(data)
        return self.post(self.url(f"/stap/{page}"), [*items, ("nav", nav)])


def _as_multidict(items: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    merged: dict[str, str | list[str]] = {}
    for key, value in items:
        if key in merged:
            existing = merged[key]
            merged[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            merged[key] = value
    return merged


def answers_for(page: str, free_text: str = "Te weinig licht op straat.") -> list[tuple[str, str]]:
    """A full set of valid answers for one questionnaire page."""
    items: list[tuple[str, str]] = []
    data = load_default()
    for q in data["questions"]:
        if q["page"] != page:
            continue
        kind = q["kind"]
        if kind == "scale":
            items.append((q["key"], "4"))
        elif kind in ("single_choice", "yes_no"):
            items.append((q["key"], q["options"][0]["value"]))
        elif kind == "multiple_choice":
            items.extend((q["key"], o["value"]) for o in q["options"][:2])
        elif kind == "ranking":
            keys = [p["key"] for p in data["pijlers"]]
            items.extend((f"{q['key']}.{rank}", keys[rank]) for rank in (1, 2, 3))
        else:
            items.append((q["key"], free_text))
    return items
