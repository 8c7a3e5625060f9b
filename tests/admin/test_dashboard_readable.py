"""R-ARB-4, R-SEC-2: the dashboard says how old its charts are and labels them in the reader's language; a
page a person's role doesn't open says so and where to go instead (issue 14)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_charts_say_when_they_were_drawn(cases, people, client_for):
    cases.decided()
    drawn = timezone.now().replace(minute=10, second=0, microsecond=0)
    supervisor = client_for(people.supervisor)

    with time_machine.travel(drawn, tick=False):
        supervisor.get(INDEX)
    with time_machine.travel(drawn + timedelta(minutes=3), tick=False):
        html = supervisor.get(INDEX).content.decode()  # the cached picture, three minutes old

    stamp = timezone.localtime(drawn).strftime("%H:%M")
    assert html.count(f"As of {stamp}; drawn again every 5 minutes.") == 2, html


def test_the_chart_labels_are_in_the_reader_s_language_and_readable(cases, people, client_for):
    cases.decided()
    supervisor = client_for(people.supervisor)
    supervisor.get(INDEX)  # drawn (and cached) for an English reader first

    supervisor.post(reverse("language-set"), {"language": "ru", "next": INDEX})
    html = supervisor.get(INDEX, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    cases_chart = html[html.index('id="chart-cases"') : html.index('id="chart-refunds"')]
    refunds_chart = html[html.index('id="chart-refunds"') :]
    days = re.findall(r'text-anchor="(?:start|middle|end)">([^<]+)</text>', cases_chart)
    assert days and all(re.fullmatch(r"\d{1,2} [а-я]+\.?", day) for day in days), days
    assert "дн" in refunds_chart and " d<" not in refunds_chart and "wk" not in refunds_chart
    assert 'viewBox="0 0 480' in cases_chart  # drawn at the width it is shown: 12 px text stays 12 px


def test_finance_gets_a_readable_403_with_a_way_back(people, client_for):
    response = client_for(people.finance).get(reverse("admin:arbitration_dispute_changelist"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "You can&#x27;t open this page" in html or "You can't open this page" in html
    assert f'href="{INDEX}"' in html and "Back to the back office" in html
    assert reverse("admin:marketplace_refund_changelist") in html  # finance's own worklist
