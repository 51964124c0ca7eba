#!/usr/bin/python3
"""The reading room in headless Chromium (Selenium) over the real FRUS volume
tests/data/corpus/volumes/frus1917-72PubDip.xml: the volume page lists its
44 documents in document order; a reader goes from the contents to a
document, follows Next and Previous (across the boundary between the front
matter and the compilation), goes up the trail to the volume, reaches a
person's page from a name on a document, and opens the Cite box.
Screenshots are kept in ARTIFACTS (volume-*.png)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rr  # noqa: E402
from dctest import CORPUS, DB, check, eq  # noqa: E402

VOL = "frus1917-72PubDip"
BOOK = "Foreign Relations of the United States, 1917\u20131972, Public Diplomacy, World War I"
LIMIT_S = 170


class Shots(rr.Shots):
    """rr.Shots, named volume-NN-*.png so the other browser test's are kept."""

    def __init__(self, driver):
        self.driver = driver
        self.n = 0
        os.makedirs(rr.ARTIFACTS, exist_ok=True)

    def __call__(self, name):
        self.n += 1
        self.driver.save_screenshot(os.path.join(rr.ARTIFACTS, "volume-%02d-%s.png" %
                                                 (self.n, name)))


def path_of(driver, srv):
    return driver.current_url[len(srv.base):]


def checks(driver, srv, shots, dl):
    from selenium.webdriver.common.by import By
    dl.step("the volume page")
    driver.get(srv.url("/volumes/" + VOL))
    eq(driver.find_element(By.TAG_NAME, "h1").text, BOOK, "the volume's title")
    links = driver.find_elements(By.CSS_SELECTOR, "li.dc-toc-doc a")
    eq([a.get_attribute("href")[len(srv.base):] for a in links],
       ["/documents/%s/d%d" % (VOL, n) for n in range(1, 45)], "44 documents in order")
    eq(driver.find_element(By.CSS_SELECTOR, "h3#comp1").text, "World War I", "the compilation")
    shots("contents")

    dl.step("from the contents to a document, then next and previous")
    links[4].click()
    eq(path_of(driver, srv), "/documents/%s/d5" % VOL, "document 5 from the contents")
    trail = [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".dc-trail li")]
    eq(trail, [BOOK, "World War I", "Document 5"], "the trail")
    shots("document")
    driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    eq(path_of(driver, srv), "/documents/%s/d6" % VOL, "Next: document 6")
    driver.get(srv.url("/documents/%s/d1" % VOL))
    driver.find_element(By.CSS_SELECTOR, "a[rel=prev]").click()
    eq(path_of(driver, srv), "/documents/%s/sources" % VOL,
       "Previous from document 1 crosses into the front matter (Sources)")
    eq(driver.find_element(By.CSS_SELECTOR, ".dc-trail li[aria-current=page]").text, "Sources",
       "the trail of a front-matter section")
    driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    eq(path_of(driver, srv), "/documents/%s/d1" % VOL, "and Next leads back into it")
    driver.find_element(By.CSS_SELECTOR, ".dc-trail li a").click()
    eq(path_of(driver, srv), "/volumes/" + VOL, "up the trail to the volume")

    dl.step("a person reached from a name")
    driver.get(srv.url("/documents/%s/d2" % VOL))
    creel = driver.find_element(By.LINK_TEXT, "Creel, George")
    eq(creel.get_attribute("title"), "Chairman of the Committee on Public Information from "
       "April 1917", "the role on hover and focus")
    creel.click()
    eq(path_of(driver, srv), "/persons/%s/p_CG_2" % VOL, "the person's page")
    eq(driver.find_element(By.TAG_NAME, "h1").text, "Creel, George", "the person's name")
    docs = driver.find_elements(By.CSS_SELECTOR, ".dc-person-docs a")
    check(any(a.get_attribute("href").endswith("/documents/%s/d2" % VOL) for a in docs),
          "the person's page lists document 2")
    shots("person")

    dl.step("a name in the text: its description on focus and hover, then its page")
    driver.get(srv.url("/documents/%s/d2" % VOL))
    name = driver.find_element(By.CSS_SELECTOR, ".dc-body a.dc-name[href$='/p_CG_2']")
    eq(name.text, "Creel", "the name as the letter writes it")
    desc = "Chairman of the Committee on Public Information from April 1917"
    after = "return getComputedStyle(arguments[0], '::after').getPropertyValue('content')"
    check(driver.execute_script(after, name) in ("none", "normal", ""),
          "no description before focus or hover")
    driver.execute_script("arguments[0].focus()", name)
    eq(driver.execute_script(after, name), '"%s"' % desc, "the description on keyboard focus")
    shots("name-focus")
    driver.execute_script("arguments[0].blur()", name)
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(driver).move_to_element(name).perform()
    eq(driver.execute_script(after, name), '"%s"' % desc, "the description on hover")
    did = name.get_attribute("aria-describedby")
    eq(driver.execute_script("return document.getElementById(arguments[0]).textContent", did),
       desc, "aria-describedby names the description, for screen readers")
    term = driver.find_elements(By.CSS_SELECTOR, ".dc-body a.dc-term")
    check(len(term) > 0, "an abbreviation linked in document 2")
    name.click()
    eq(path_of(driver, srv), "/persons/%s/p_CG_2" % VOL, "the name leads to the person's page")

    dl.step("the Cite box")
    driver.get(srv.url("/documents/%s/d5" % VOL))
    chicago = driver.find_element(By.CSS_SELECTOR, ".dc-cite-chicago")
    check(not chicago.is_displayed(), "the Cite box starts closed")
    summary = driver.find_element(By.CSS_SELECTOR, "details.dc-cite summary")
    driver.execute_script("arguments[0].scrollIntoView()", summary)
    summary.click()
    check(chicago.is_displayed(), "opened, the Chicago citation shows")
    check(chicago.text.startswith("\"Report From the Embassy in Spain,\" December 22, 1917, in "
                                  + BOOK), "the Chicago citation: " + chicago.text)
    bib = driver.find_element(By.CSS_SELECTOR, ".dc-cite-bibtex").text
    check(bib.startswith("@incollection{frus1917-72PubDip:d5,") and "pages = {10--14}" in bib,
          "the BibTeX entry")
    metas = driver.find_elements(By.CSS_SELECTOR, "meta[name^=citation_]")
    check(len(metas) >= 10, "Highwire tags in the head: %d" % len(metas))
    shots("cite")


def run():
    dl = rr.Deadline(LIMIT_S)
    tmp = tempfile.mkdtemp(prefix="dc_browser_vol_")
    srv = driver = profile = None
    try:
        dl.step("database")
        db = DB()
        code, out, err = db.run("ingest", "--released", "-q",
                                os.path.join(CORPUS, "volumes", VOL + ".xml"))
        eq(code, 0, "ingest the volume (%s)" % err)
        dl.step("server")
        srv = rr.Server(db)
        dl.step("browser")
        driver, profile = rr.browser()
        shots = Shots(driver)
        try:
            checks(driver, srv, shots, dl)
        except Exception:
            shots("failure")
            raise
    finally:
        rr.cleanup(driver, profile, srv, tmp)
    print("time left: %.1f s" % dl.left())


if __name__ == "__main__":
    rr.main(run)
