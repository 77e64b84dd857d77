"""Load test: journalists browsing the public pages, partner tools paging the API.

    uv run --group load locust -f loadtest/locustfile.py --host http://127.0.0.1:8000

See README.md, "Load test", for serving the generated benchmark data under gunicorn.
LOCUST_API_TOKEN, when set, is sent by partners as "Authorization: Token <key>".
"""

import os
import random
import re

from locust import HttpUser, between, task

INCIDENT_LINK = re.compile(r'href="(/incidents/[\w-]+/)"')
COUNTRIES = ["SY", "YE", "IQ", "UA", "SD", "AF", "PS"]
WORDS = ["hospital", "market", "school", "airstrike", "shelling", "drone", "bakery", "convoy"]
PARTIES = ["russian-aerospace-forces", "syrian-air-force", "saudi-led-coalition", "islamic-state"]


class Journalist(HttpUser):
    """Finds incidents with the list and its filters, then reads a few of them."""

    weight = 4
    wait_time = between(1, 5)

    def on_start(self):
        self.incidents = []

    def _collect(self, response):
        found = INCIDENT_LINK.findall(response.text)
        if found:
            self.incidents = found[:50]

    @task(3)
    def browse_the_list(self):
        page = random.randint(1, 20)
        self._collect(self.client.get(f"/incidents/?page={page}", name="/incidents/?page=N"))

    @task(3)
    def filter_the_list(self):
        params = random.choice(
            [
                {"country": random.choice(COUNTRIES), "contested": "true"},
                {"q": random.choice(WORDS)},
                {"q": random.choice(WORDS), "country": random.choice(COUNTRIES)},
                {"occurred_after": f"{random.randint(2011, 2025)}-01-01"},
                {"killed_min": random.choice([10, 50, 100])},
            ]
        )
        name = "/incidents/?" + "&".join(sorted(params))
        self._collect(self.client.get("/incidents/", params=params, name=name))

    @task(6)
    def read_an_incident(self):
        if not self.incidents:
            return self.browse_the_list()
        self.client.get(random.choice(self.incidents), name="/incidents/[slug]/")


class Partner(HttpUser):
    """A partner tool syncing: pages through the API by its cursor links, with filters."""

    weight = 1
    wait_time = between(0.5, 2)

    def on_start(self):
        token = os.environ.get("LOCUST_API_TOKEN")
        if token:
            self.client.headers["Authorization"] = f"Token {token}"

    def _page_through(self, params, name, pages):
        url, query = "/api/v1/incidents/", params
        for _ in range(pages):
            with self.client.get(url, params=query, name=name, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")
                    return
                data = response.json()
                response.success()
            if not data.get("next"):
                return
            url, query = data["next"], None

    @task(3)
    def sync_everything(self):
        self._page_through({"page_size": 200}, "/api/v1/incidents/ (cursor pages)", pages=10)

    @task(2)
    def filtered_pages(self):
        params = random.choice(
            [
                {"country": random.choice(COUNTRIES)},
                {"attributed_to": random.choice(PARTIES), "killed_min": 10},
                {"q": random.choice(WORDS)},
                {"bbox": "35.5,35.0,37.5,37.0", "contested": "true"},
            ]
        )
        name = "/api/v1/incidents/?" + "&".join(sorted(params))
        self._page_through(params, name, pages=3)

    @task(1)
    def incremental_sync(self):
        params = {"updated_since": "2026-01-01T00:00:00Z", "ordering": "updated_at"}
        self._page_through(params, "/api/v1/incidents/?updated_since", pages=5)
