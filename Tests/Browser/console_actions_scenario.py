"""The accountant's working pages in a real browser (headless Chromium over the DevTools pipe): upload a bank
statement, see the preview (nothing changed), import it; clear the suspense item it leaves by accepting its proposal
after the confirmation page; run the month, see the report, close it; then the finance office drills down from the
province dashboard to the school's month report.

Usage: console_actions_scenario.py BASE_URL SCHOOL USER PASSWORD ACCOUNTANT_TOKEN TUITION_BIN OUTPUT_DIR
The school must have September 2026 issued with pupil HS002 Trần Văn Bình (1A1) owing 1.500.000 đ, bank account
1111222233 and no statement yet (run.sh sets this up). Screenshots go to OUTPUT_DIR, each checked rendered.
"""
import json
import os
import subprocess
import sys

from devtools import Browser
from png_check import is_rendered
from scenario import api_read, check, checks

BASE, SCHOOL, USER, PASSWORD, TOKEN, BIN, OUT = sys.argv[1:8]
ACCOUNT = "1111222233"
# A transfer naming the pupil without the notice's payment code: the matcher proposes her invoice, nothing is certain.
STATEMENT = """:20:WEB-0001
:25:1111222233
:28C:1/1
:60F:C260901VND0,00
:61:2609050905C1500000,00NTRFNONREF//WEB-1
:86:NOP HOC PHI THANG 9 CHO TRAN VAN BINH LOP 1A1
:61:2609060906D20000,00NCHGNONREF//WEB-2
:86:PHI SMS
:62F:C260930VND1480000,00
"""


def api(path, token=TOKEN):
    return api_read(BASE, token, path)


def shot(browser, name):
    data = browser.screenshot(os.path.join(OUT, name + ".png"))
    check(is_rendered(data), f"screenshot {name} is rendered, not blank")


def choose_file(browser, selector, path):
    """What a person does with the file picker: DevTools sets the input's file (no page script involved)."""
    root = browser.page("DOM.getDocument")["root"]["nodeId"]
    node = browser.page("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    browser.page("DOM.setFileInputFiles", {"nodeId": node, "files": [path]})


def click(browser, selector):
    browser.events.clear()
    browser.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
    browser.wait_for_load()


def suspense_count():
    return api(f"/v1/schools/{SCHOOL}/suspense")["incoming_count"]


def accountant_month(desk, statement_path):
    desk.goto(BASE + "/console")
    desk.submit({"username": USER, "password": PASSWORD})
    desk.goto(BASE + f"/console/schools/{SCHOOL}/bank")
    check("Nhập sao kê ngân hàng" in desk.text() and ACCOUNT in desk.text(), "the bank page with the upload form and the account")
    choose_file(desk, "input[type=file]", statement_path)
    desk.submit({"account": ACCOUNT, "format": "auto"})
    text = desk.text()
    check("bản xem trước" in text and "TRAN VAN BINH" in text and "1.480.000" in text, "the preview: lines and balances")
    check(suspense_count() == 0, "the preview changed nothing")
    shot(desk, "15-statement-preview")
    desk.submit({})
    check("Đã nhập sao kê" in desk.text(), "the statement imported after confirming")
    check(suspense_count() == 1, "the transfer waits in the suspense queue")
    shot(desk, "16-statement-imported")

    desk.goto(BASE + f"/console/schools/{SCHOOL}/suspense")
    check(desk.evaluate("document.querySelectorAll('a.accept').length") >= 1, "the queue offers the ranked proposal")
    shot(desk, "17-suspense-queue")
    click(desk, "a.accept")
    check("Xác nhận áp dụng đề xuất" in desk.text() and suspense_count() == 1, "a confirmation page first, nothing applied yet")
    shot(desk, "18-accept-confirmation")
    desk.submit({})
    check("Đã ghi quyết định" in desk.text() and suspense_count() == 0, "the proposal accepted: the queue is clear")

    desk.goto(BASE + f"/console/schools/{SCHOOL}/reconciliation?month=2026-09")
    desk.submit({}, form_selector="main form.card")
    check("Báo cáo đối soát thu tiền" in desk.text(), "the month run and its report shown")
    shot(desk, "19-month-report")
    click(desk, "a#close")
    check("Xác nhận khóa sổ" in desk.text(), "closing asks for a confirmation")
    desk.submit({})
    check("Đã khóa sổ tháng" in desk.text(), "the month closed: the bank agrees with the books")
    shot(desk, "20-month-closed")


def finance_drill_down():
    created = subprocess.run([BIN, "token", "create", "--role", "finance_office", "--label", "so tai chinh"],
                             capture_output=True, text=True, timeout=60, check=True)
    finance_token = created.stdout.split()[-1]
    office = Browser(width=1280, height=900)
    try:
        office.goto(BASE + "/console")
        office.submit({"token": finance_token})
        office.goto(BASE + "/console?month=2026-09")
        check("Tổng quan toàn tỉnh" in office.text(), "the finance office lands on the province dashboard")
        click(office, f"main table a[href^='/console/schools/{SCHOOL}?']")
        check("Phải thu" in office.text(), "drilled down to the school's month")
        click(office, "a#month-report")
        text = office.text()
        check("Báo cáo đối soát thu tiền" in text and "Đã khóa sổ" in text, "and to its closed month's report")
        shot(office, "21-finance-drill-down")
    finally:
        office.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    statement_path = os.path.join(OUT, "statement-2026-09.sta")
    with open(statement_path, "w") as file:
        file.write(STATEMENT)
    desk = Browser(width=1280, height=900)
    try:
        accountant_month(desk, statement_path)
    finally:
        desk.close()
    finance_drill_down()
    print(f"console_actions_scenario: {len(checks)} checks passed; screenshots in {OUT}")


if __name__ == "__main__":
    main()
