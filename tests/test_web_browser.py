"""End to end in headless Chromium (Debian's chromium and chromedriver): what an agent does, in a real browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.context import Context
from ged.services import accounts, casework
from ged.services.ingest import IngestService
from ged.settings import load_settings

from .helpers import Clock
from .webserver import CHROMIUM, DRIVER, served

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="chromium ou chromium-driver absent (paquets Debian) : tests navigateur ignorés")
PASSWORD = "un mot de passe solide"


@pytest.fixture
def server(ged_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict[str, int]]]:
    from ged.services.setup import init_home

    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")
    init_home(ged_home)
    clock = Clock(datetime(2026, 3, 2, 9, 30))
    ctx = Context.open(load_settings(), clock=clock)
    hostile = replace(by_name("signalement_eclairage"), name="hostile",
                      body=("Madame, Monsieur,", "Le lampadaire <script>alert('xss')</script> de la rue des Lilas "
                            "est éteint.", "Salutations."))
    paths = []
    for letter in (hostile, by_name("declaration_prealable")):
        paths.append(tmp_path / f"{letter.name}.pdf")
        born_digital_pdf(letter, paths[-1])
    voirie, urbanisme = (r.document_id for r in IngestService(ctx).ingest(paths))
    accounts.add_user(ctx, "voirie", "Agent voirie", "agent", ["services_techniques"], PASSWORD, actor="test")
    accounts.add_user(ctx, "voirie2", "Paul Durand", "agent", ["services_techniques"], PASSWORD, actor="test")
    accounts.add_user(ctx, "urba", "Agent urbanisme", "agent", ["urbanisme"], PASSWORD, actor="test")
    casework.assign(ctx, "2026-VOI-000001", "voirie", actor="test")
    clock.now = datetime(2026, 4, 20, 9, 0)  # seven weeks later: the report on the street light is overdue
    with served(ctx) as url:
        yield url, {"voirie": voirie, "urbanisme": urbanisme}
    ctx.close()


@pytest.fixture
def archive_server(ged_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Three documents archived in March 2026, seen in June 2027 (a year of DUA has run out)."""
    from ged.services.setup import init_home, install_demo_pki

    from .test_web_archives import archived_installation

    monkeypatch.setenv("GED_WEB__SECURE_COOKIES", "false")
    init_home(ged_home)
    assert install_demo_pki(load_settings())
    clock = Clock(datetime(2026, 3, 2, 9, 0))
    ctx = Context.open(load_settings(), clock=clock)  # read again: the PKI is in the configuration now
    archived_installation(ctx, tmp_path)
    clock.now = datetime(2027, 6, 1, 9, 0)
    with served(ctx) as url:
        yield url
    ctx.close()


def _click(browser, element) -> None:  # noqa: ANN001
    """Click something that loads a page, and wait until the old page is gone (no stale elements)."""
    from selenium.webdriver.support.wait import WebDriverWait

    element.click()
    WebDriverWait(browser, 15).until(lambda _: _is_gone(element))


def _is_gone(element) -> bool:  # noqa: ANN001
    """Whether the element's page has been replaced.

    While the old page is being torn down, ChromeDriver may answer a question about one of its
    elements with a generic inspector error instead of "stale element" (a CI run failed on it):
    that answer means "not gone yet", any other error is a real failure.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" not in str(error):
            raise
    return False


def test_agent_signs_in_searches_opens_corrects_and_sees_history(server, browser) -> None:  # noqa: ANN001
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    url, ids = server
    browser.get(f"{url}/recherche")
    assert "/connexion" in browser.current_url
    browser.find_element(By.NAME, "login").send_keys("voirie")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    _click(browser, browser.find_element(By.CSS_SELECTOR, "form.narrow button"))
    search = browser.find_element(By.NAME, "q")
    search.send_keys("lampadaire")
    _click(browser, browser.find_element(By.CSS_SELECTOR, "form.search button"))
    assert "1 document(s)" in browser.find_element(By.CLASS_NAME, "count").text
    assert browser.find_element(By.CSS_SELECTOR, ".snippet mark").text.lower().startswith("lampadaire")
    _click(browser, browser.find_element(By.CSS_SELECTOR, ".hits a"))
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - the OCR text's <script> must not run
    assert "<script>alert('xss')</script>" in browser.find_element(By.CSS_SELECTOR, "pre.text").get_attribute(
        "textContent")
    field = browser.find_element(By.ID, "champ_localisation")
    field.clear()
    field.send_keys("12 rue des Lilas")
    _click(browser, browser.find_element(By.CSS_SELECTOR, "#validation button"))
    assert "Document validé" in browser.find_element(By.CSS_SELECTOR, "p.ok").text
    assert browser.find_element(By.ID, "champ_localisation").get_attribute("value") == "12 rue des Lilas"
    history = browser.find_element(By.CSS_SELECTOR, "ol.history").text
    assert "validé" in history and "web:voirie" in history and "document.validated" not in history
    browser.get(f"{url}/documents/{ids['urbanisme']}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Introuvable"
    browser.get(f"{url}/documents/{ids['urbanisme']}/pdf")
    assert "introuvable" in browser.page_source


def test_api_docs_render_from_the_package_under_the_csp(server, browser) -> None:  # noqa: ANN001
    """Swagger UI comes from swagger-ui-bundle, started by a script of our own: nothing from a CDN,
    nothing inline (the page was blank: the CSP blocked both)."""
    from selenium.webdriver.common.by import By

    url, _ids = server
    browser.get(f"{url}/api/docs")
    title = browser.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title")
    assert "GED des collectivités" in title.text
    assert browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")  # the routes are listed
    assert "cdn" not in browser.page_source.lower()


def test_agent_drops_two_files_and_finds_them_by_search(server, browser, tmp_path: Path) -> None:  # noqa: ANN001
    """The drop zone: two files dropped at once, each sent on its own, its result shown; then found."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    url, _ids = server
    browser.get(f"{url}/connexion")
    browser.find_element(By.NAME, "login").send_keys("voirie")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    _click(browser, browser.find_element(By.CSS_SELECTOR, "form.narrow button"))
    first, second = tmp_path / "banc.txt", tmp_path / "fontaine.txt"
    first.write_text("Signalement : le banc du square Verdi est cassé, une latte manque.\n", encoding="utf-8")
    second.write_text("Signalement : la fontaine de la place Aristide fuit depuis lundi.\n", encoding="utf-8")
    browser.get(f"{url}/televersement")
    browser.find_element(By.ID, "fichiers").send_keys(f"{first}\n{second}")
    browser.execute_script("""
        const input = document.getElementById('fichiers');
        const dropped = new DataTransfer();
        for (const file of input.files) { dropped.items.add(file); }
        input.value = '';
        document.getElementById('depot').dispatchEvent(
            new DragEvent('drop', {dataTransfer: dropped, bubbles: true, cancelable: true}));
    """)
    WebDriverWait(browser, 120).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "#resultats li.ingested, #resultats li.needs_review")) == 2)
    results = browser.find_element(By.ID, "resultats").text
    assert "banc.txt — intégré" in results and "fontaine.txt — intégré" in results
    for word, name in (("Verdi", "banc.txt"), ("Aristide", "fontaine.txt")):
        browser.get(f"{url}/recherche?q={word}")
        assert "1 document(s)" in browser.find_element(By.CLASS_NAME, "count").text
        assert name in browser.find_element(By.CSS_SELECTOR, ".hits").text


def _sign_in(browser, url: str, login: str) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    browser.get(f"{url}/connexion")
    browser.find_element(By.NAME, "login").send_keys(login)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    _click(browser, browser.find_element(By.CSS_SELECTOR, "form.narrow button"))


def _serious_violations(browser) -> list[str]:  # noqa: ANN001
    """axe-core's WCAG 2 A and AA checks (the RGAA's basis): the serious and critical ones."""
    from axe_selenium_python import Axe

    browser.set_script_timeout(60)
    Axe(browser).inject()  # the axe-core that axe-selenium-python ships
    options = json.dumps({"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
    found = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {options}).then(done, (error) => done({{error: String(error)}}));")
    assert "error" not in found, found
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in found["violations"] if v["impact"] in ("serious", "critical")]


def test_every_page_passes_axe_without_serious_violations(server, browser) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    url, ids = server
    problems = {}
    for public in ("/connexion", "/accessibilite"):
        browser.get(url + public)
        problems[public] = _serious_violations(browser)
    _sign_in(browser, url, "voirie")
    for path in ("/recherche?q=lampadaire", f"/documents/{ids['voirie']}", "/a-verifier", "/demandes",
                 "/demandes?corbeille=toutes&page=1", "/demandes/2026-VOI-000001", "/demandes/2026-VOI-000001/usager",
                 "/tableau-de-bord", "/televersement", "/compte", "/accessibilite", f"/documents/{ids['urbanisme']}"):
        browser.get(url + path)
        problems[path] = _serious_violations(browser)
        assert browser.find_elements(By.TAG_NAME, "h1"), path  # every page says what it is
        assert browser.find_element(By.CSS_SELECTOR, "a.skip").get_attribute("href").endswith("#contenu")
    assert not any(problems.values()), {page: found for page, found in problems.items() if found}
    browser.get(f"{url}/recherche")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=q]").is_displayed()  # a visible label


def _fetched(browser, href: str) -> dict[str, object]:  # noqa: ANN001
    """What the browser gets for a link, with its session (a download the test can look into)."""
    browser.set_script_timeout(30)
    return browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(async (r) => {
            const bytes = new Uint8Array(await r.arrayBuffer());
            done({status: r.status, type: r.headers.get('content-type'),
                  start: String.fromCharCode(...bytes.slice(0, 5))});
        }, (e) => done({error: String(e)}));""", href)


def test_agent_works_an_overdue_request_from_mes_demandes(server, browser) -> None:  # noqa: ANN001
    """The day's work: the overdue request in "Mes demandes", its document, assigned to a colleague,
    put on hold with a note, its acknowledgement downloaded; the desk reached with the keyboard."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.support.wait import WebDriverWait

    url, ids = server
    _sign_in(browser, url, "voirie")
    browser.get(f"{url}/demandes")
    _click(browser, browser.find_element(By.LINK_TEXT, "Mes demandes 1"))
    row = browser.find_element(By.CSS_SELECTOR, "table.requests tbody tr")
    assert "2026-VOI-000001" in row.text and "en retard" in row.text and "overdue" in row.get_attribute("class")
    # Keyboard only: Tab to the request's link, Enter opens it.
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(60):
        body = browser.switch_to.active_element
        if body.get_attribute("href") and body.get_attribute("href").endswith("/demandes/2026-VOI-000001"):
            break
        body.send_keys(Keys.TAB)
    else:
        pytest.fail("le lien de la demande n'est pas atteint au clavier")
    previous = browser.find_element(By.TAG_NAME, "h1")
    body.send_keys(Keys.ENTER)
    WebDriverWait(browser, 15).until(lambda _: _is_gone(previous))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Demande 2026-VOI-000001")
    document_link = browser.find_element(By.CSS_SELECTOR, ".request-documents a")
    assert document_link.get_attribute("href").endswith(f"/documents/{ids['voirie']}")
    _click(browser, document_link)
    assert "2026-VOI-000001" in browser.find_element(By.CSS_SELECTOR, "dl.meta").text
    browser.back()
    Select(browser.find_element(By.NAME, "agent")).select_by_value("voirie2")
    _click(browser, browser.find_element(By.XPATH, "//button[text()='Attribuer']"))
    assert browser.find_element(By.CSS_SELECTOR, "p.ok").text == "Demande attribuée."
    assert "Agent\nPaul Durand" in browser.find_element(By.CSS_SELECTOR, "dl.meta").text  # voirie2, by name
    Select(browser.find_element(By.CSS_SELECTOR, "form[action$='/statut'] select")).select_by_value("en_attente")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/statut'] textarea").send_keys(
        "Photos du lampadaire demandées à Mme Lemaire.")
    _click(browser, browser.find_element(By.XPATH, "//button[text()='Changer le statut']"))
    assert browser.find_element(By.CSS_SELECTOR, "p.ok").text == "Statut modifié."
    history = browser.find_element(By.CSS_SELECTOR, "ol.history").text
    assert "en cours → en attente de pièces" in history and "Photos du lampadaire demandées" in history
    letter = browser.find_element(By.LINK_TEXT, "lettre (PDF)").get_attribute("href")
    assert _fetched(browser, letter) == {"status": 200, "type": "application/pdf", "start": "%PDF-"}
    browser.refresh()
    assert "accusé de réception téléchargé" in browser.find_element(By.CSS_SELECTOR, "ol.history").text


def test_a_request_transferred_leaves_one_service_for_the_other(server, browser) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url, _ids = server
    _sign_in(browser, url, "voirie")
    browser.get(f"{url}/demandes/2026-VOI-000001")
    Select(browser.find_element(By.CSS_SELECTOR, "form[action$='/transfert'] select")).select_by_visible_text(
        "Urbanisme")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/transfert'] textarea").send_keys("Concerne un permis.")
    _click(browser, browser.find_element(By.XPATH, "//button[text()='Transférer']"))
    assert browser.find_element(By.CSS_SELECTOR, "p.ok").text == "Demande 2026-VOI-000001 transférée."
    browser.get(f"{url}/demandes?corbeille=toutes")
    assert "2026-VOI-000001" not in browser.find_element(By.CSS_SELECTOR, "table.requests").text
    browser.get(f"{url}/demandes/2026-VOI-000001")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Introuvable"
    browser.delete_all_cookies()
    _sign_in(browser, url, "urba")
    browser.get(f"{url}/demandes?corbeille=toutes")
    assert "2026-VOI-000001" in browser.find_element(By.CSS_SELECTOR, "table.requests").text
    browser.get(f"{url}/demandes/2026-VOI-000001")
    assert "Concerne un permis." in browser.find_element(By.CSS_SELECTOR, "ol.history").text


def test_an_archivist_proposes_and_a_colleague_records_the_visa(archive_server, browser) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    url = archive_server
    _sign_in(browser, url, "archives")
    browser.get(f"{url}/archives")
    assert not _serious_violations(browser)
    _click(browser, browser.find_element(By.XPATH, "//button[text()=\"Proposer une liste d'élimination\"]"))
    assert "proposée" in browser.find_element(By.CSS_SELECTOR, "p.ok").text
    list_page = browser.current_url.split("?")[0]
    assert not _serious_violations(browser)
    browser.find_element(By.NAME, "reference").send_keys("AD44-2027-118")
    _click(browser, browser.find_element(By.XPATH, "//button[text()='Enregistrer le visa']"))
    assert "autre personne" in browser.find_element(By.CSS_SELECTOR, "p.error").text  # the proposer may not
    browser.delete_all_cookies()
    _sign_in(browser, url, "archives2")
    browser.get(list_page)
    browser.find_element(By.NAME, "reference").send_keys("AD44-2027-118")
    _click(browser, browser.find_element(By.XPATH, "//button[text()='Enregistrer le visa']"))
    assert browser.find_element(By.CSS_SELECTOR, "p.ok").text == "Visa enregistré."
    assert "AD44-2027-118" in browser.find_element(By.CSS_SELECTOR, "dl.meta").text
    assert "visée, à exécuter" in browser.find_element(By.CSS_SELECTOR, "dl.meta").text
