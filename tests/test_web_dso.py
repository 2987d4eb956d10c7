"""The municipality's browser app under decentral counting: the method on the dashboard, the N 10-1 entry form
(double entry through the pages), the DSO forms to print, and the N 10-1 form's accessibility in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from municipality.web import create_municipality_app
from tests.test_a11y import browser  # noqa: F401  (a fixture: one Chromium for the module)
from tests.test_browser import pytestmark as BROWSER_MARKS
from tests.test_forms import pages_text
from tests.test_web_municipality import client_for, csrf_of, login, state_of
from tests.test_web_support import GOOD_ENTRY, municipality_state, running

#: Station 1's N 10-1 as typed: the numbers of GOOD_ENTRY, with "about the report" instead of B1-1/B1-2.
DSO_ENTRY: dict[str, str] = {
    "about_report.corrigendum_present.no": "x",
    "about_report.checks_page_present.no": "x",
    **{
        k: v
        for k, v in GOOD_ENTRY.items()
        if not k.startswith(("extra_investigation", "counting_differences"))
    },
}


@pytest.fixture
def dso_state(tmp_path: Path) -> Path:
    return municipality_state(tmp_path, counting="decentral")


def test_the_dashboard_and_the_station_page_name_the_method_and_its_forms(dso_state: Path) -> None:
    coord = client_for(dso_state)
    login(coord, "coord")
    assert "Telmethode: <strong>decentrale stemopneming</strong>" in coord.get("/coordinator").text
    page = coord.get("/coordinator/stembureau/1").text
    assert "N 10-1 en inlegvel" in page and "Inlegvel Na 31-1" in page and "Na 31-2" not in page
    r = coord.get("/coordinator/formulieren/1")
    assert 'filename="Model_N10-1_Stembureau_1.pdf"' in r.headers["content-disposition"]
    assert "Model N 10-1 decentrale stemopneming" in " ".join(pages_text(r.content))
    r = coord.get("/coordinator/formulieren/inlegvel")
    assert 'filename="Model_Na31-1_inlegvel.pdf"' in r.headers["content-disposition"]
    assert 'href="/coordinator/formulieren/1?corrigendum=1"' in page
    r = coord.get("/coordinator/formulieren/1?corrigendum=1")
    assert 'filename="Model_Na14-1_Stembureau_1.pdf"' in r.headers["content-disposition"]
    assert "Model Na 14-1 decentrale stemopneming" in " ".join(pages_text(r.content))


def test_a_central_dashboard_says_central(tmp_path: Path) -> None:
    coord = client_for(municipality_state(tmp_path))
    login(coord, "coord")
    assert "Telmethode: <strong>centrale stemopneming</strong>" in coord.get("/coordinator").text
    assert "corrigendum=1" not in coord.get("/coordinator/stembureau/1").text
    r = coord.get("/coordinator/formulieren/1?corrigendum=1")  # asked for anyway: refused, no PDF
    assert r.status_code == 400 and not r.content.startswith(b"%PDF")


def test_two_typists_key_the_n10_1_in_the_browser(dso_state: Path) -> None:
    anna, bert = client_for(dso_state), client_for(dso_state)
    ta, tb = login(anna, "anna"), login(bert, "bert")
    page = anna.post("/invoer/1/claim", data={"csrf": ta}).text
    assert "Over het proces-verbaal" in page and "Controles en correcties" in page
    assert "B1-1" not in page  # the Na 31-2 Bijlage 1's questions are not on the N 10-1
    data = {"csrf": ta, "action": "finalise", **{f"f:{k}": v for k, v in DSO_ENTRY.items()}}
    r = anna.post("/invoer/1", data=data)
    assert "Eerste invoer klaar" in r.text and state_of(dso_state, "1") == "first_entry_finalised"
    bert.post("/invoer/1/claim", data={"csrf": tb})
    r = bert.post("/invoer/1", data={**data, "csrf": tb})
    assert state_of(dso_state, "1") == "definitive", r.text[-500:]


def test_an_unanswered_question_on_the_n10_1_is_f121_in_the_browser(dso_state: Path) -> None:
    anna = client_for(dso_state)
    ta = login(anna, "anna")
    anna.post("/invoer/1/claim", data={"csrf": ta})
    entry = {k: v for k, v in DSO_ENTRY.items() if not k.startswith("about_report.corrigendum_present")}
    page = anna.post(
        "/invoer/1", data={"csrf": ta, "action": "save", **{f"f:{k}": v for k, v in entry.items()}}
    )
    assert 'data-code="F.121"' in page.text
    assert csrf_of(page.text)


# ------------------------------------------------------------------------------------------ accessibility


@pytest.fixture(scope="module")
def dso_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from municipality.service import Service, User

    state = municipality_state(tmp_path_factory.mktemp("a11y-dso"), counting="decentral")
    svc = Service.open(state, at="t")
    svc.claim(User("cees", "typist"), "3", at="t")
    svc.close()
    with running(create_municipality_app(state)) as url:
        yield url


@pytest.mark.parametrize("width", (1280, 390))
@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_the_n10_1_entry_form_and_the_coordinators_pages_meet_wcag_aa_and_reflow(
    browser: Browser,  # noqa: F811  (the fixture imported above)
    dso_app: str,
    width: int,
) -> None:
    from tests.test_a11y import check, logged_in

    typist = logged_in(browser, dso_app, "cees", width)
    typist.goto(f"{dso_app}/invoer/3")
    found = check(typist, "m-entry-n10-1")
    groups = typist.evaluate(
        """() => Array.from(document.querySelectorAll('fieldset legend')).map(l => l.textContent.trim())"""
    )
    typist.context.close()
    coord = logged_in(browser, dso_app, "coord", width)
    found += check(coord, "m-dashboard-dso")
    coord.goto(f"{dso_app}/coordinator/stembureau/3")
    found += check(coord, "m-station-dso")
    coord.context.close()
    assert found == [], "\n".join(found)
    assert any("corrigendum" in g for g in groups), groups
