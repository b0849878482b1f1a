"""The accountant's working pages in a real browser (headless Chromium over the DevTools pipe): import a roster with an
error (the preview names line and field, nothing is written), then a good one confirmed; issue a month; print a class's
notices with their QR codes; take cash at the desk and print the receipt; the pupils and fees pages.

Usage: console_write_scenario.py BASE_URL SCHOOL USER PASSWORD TOKEN OUTPUT_DIR
Screenshots are written to OUTPUT_DIR and each is checked to be rendered (not blank).
"""
import json
import os
import sys

from devtools import Browser
from png_check import is_rendered
from scenario import api_read, check, checks

BASE, SCHOOL, USER, PASSWORD, TOKEN, OUT = sys.argv[1:7]
HEADER = "Mã HS,Họ và tên,Ngày sinh,Lớp,Khối,Phụ huynh,SĐT,Mã gia đình\n"
BAD = HEADER + "HS003,Phạm Minh Châu,31/02/2019,1A2,1,Phạm Văn Bố,0911111111,GD3\nHS004,Đỗ Thu Hà,01/01/2019,1A2,khối một,Đỗ Văn Ông,0922222222,GD4\n"
GOOD = HEADER + "HS003,Phạm Minh Châu,28/02/2019,1A2,1,Phạm Văn Bố,0911111111,GD3\nHS004,Đỗ Thu Hà,01/01/2019,1A2,1,Đỗ Văn Ông,0922222222,GD4\n"


def api(path):
    return api_read(BASE, TOKEN, path)


def student_count():
    return len(api(f"/v1/schools/{SCHOOL}/students?limit=100")["items"])


def shot(browser, name):
    data = browser.screenshot(os.path.join(OUT, name + ".png"))
    check(is_rendered(data), f"screenshot {name} is rendered, not blank")


def upload(browser, path):
    """Chooses `path` in the page's file input (DOM.setFileInputFiles, as a person picking the file) and submits the form."""
    node = browser.page("Runtime.evaluate", {"expression": "document.querySelector('input[type=file]')"})["result"]["objectId"]
    browser.page("DOM.setFileInputFiles", {"files": [path], "objectId": node})
    browser.events.clear()
    browser.evaluate("document.querySelector('form[enctype] button[type=submit]').click()")
    browser.wait_for_load()


def click(browser, selector):
    browser.events.clear()
    browser.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
    browser.wait_for_load()


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {}
    for name, text in (("roster-bad.csv", BAD), ("roster-good.csv", GOOD)):
        files[name] = os.path.join(OUT, name)
        with open(files[name], "w", encoding="utf-8") as file:
            file.write(text)
    before = student_count()
    school = f"{BASE}/console/schools/{SCHOOL}"
    desk = Browser(width=1280, height=900)
    try:
        desk.goto(BASE + "/console/sign-in")
        desk.submit({"username": USER, "password": PASSWORD})
        desk.goto(school + "/roster")
        upload(desk, files["roster-bad.csv"])
        text = desk.text()
        check("Tệp có lỗi" in text and "Ngày sinh (date_of_birth)" in text and "Khối (grade)" in text,
              "the preview names each problem's column")
        rows = desk.evaluate("[...document.querySelectorAll('#problems tbody tr')].map(r => r.cells[0].innerText + ':' + r.cells[1].innerText)")
        check("2:Ngày sinh (date_of_birth)" in rows and "3:Khối (grade)" in rows, f"and its line ({rows})")
        check(student_count() == before, "a file with errors changes nothing")
        shot(desk, "07-roster-errors")
        upload(desk, files["roster-good.csv"])
        check("Sẽ thêm mới" in desk.text() and student_count() == before, "a good file's preview, still nothing written")
        shot(desk, "08-roster-preview")
        click(desk, "#confirm")
        check("Đã nhập danh sách" in desk.text() and student_count() == before + 2, "the confirmation imports the file")

        desk.goto(school + "/pupils?q=chau")
        check("Phạm Minh Châu" in desk.text() and "Trần Văn Bình" not in desk.text(), "pupils search ignores diacritics")
        shot(desk, "09-pupils")
        desk.goto(school + "/fees?year=2026")
        check("Học phí (HP)" in desk.text(), "the school's fee schedules")
        shot(desk, "10-fees")

        desk.goto(school + "/issue?month=2026-10")
        desk.submit({"month": "2026-10"})
        figures = desk.evaluate("document.querySelector('#issue-summary').innerText")
        check("Hóa đơn mới\n4" in figures, f"issuing October writes one invoice per pupil ({figures!r})")
        shot(desk, "11-issued")

        desk.goto(school + "/invoices?month=2026-10&class=1A2")
        click(desk, "#print-class")
        check(desk.evaluate("document.querySelectorAll('main.sheet.notice').length") == 2, "the class's two notices on one page")
        check(desk.evaluate("document.querySelectorAll('main.sheet.notice svg').length") >= 2, "each with its QR code")
        shot(desk, "12-class-notices")

        code = api(f"/v1/schools/{SCHOOL}/invoices?period=2026-10&student=HS003")["items"][0]["payment_code"]
        desk.goto(school + "/cash?invoice=" + code)
        check("Phạm Minh Châu" in desk.text(), "the cash desk finds the invoice by the notice's payment code")
        shot(desk, "13-cash-desk")
        desk.submit({"amount": "1.500.000", "payer": "Phạm Văn Bố"}, form_selector="main form[method=post]")
        text = desk.text()
        check("BIÊN LAI THU TIỀN" in text and "Phạm Văn Bố" in text, "the printable receipt after taking cash")
        shot(desk, "14-receipt")
        paid = api(f"/v1/schools/{SCHOOL}/invoices?period=2026-10&student=HS003")["items"][0]
        check(paid["outstanding"] == 0, "the invoice is paid")
    finally:
        desk.close()
    print(f"console_write_scenario: {len(checks)} checks passed; screenshots in {OUT}")


if __name__ == "__main__":
    main()
