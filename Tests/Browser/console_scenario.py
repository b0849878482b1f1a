"""The console in a real browser (headless Chromium over the DevTools pipe): an accountant signs in and sees the month,
another school's page answers 404, a parent looks up the notice's code on a phone-sized screen and the VietQR on the
page decodes (zbarimg) to the invoice's payload, and a wrong date of birth reveals nothing.

Usage: console_scenario.py BASE_URL SCHOOL OTHER_SCHOOL USER PASSWORD TOKEN OUTPUT_DIR
Screenshots of every page are written to OUTPUT_DIR and each is checked to be rendered (not blank).
"""
import os
import subprocess
import sys

from devtools import Browser
from png_check import is_rendered
from scenario import api_read, check, checks

BASE, SCHOOL, OTHER, USER, PASSWORD, TOKEN, OUT = sys.argv[1:8]
BIRTH = ("HS002", "2019-07-15", "Trần Văn Bình")
FAILURE = "Không tìm thấy khoản phải nộp với mã và ngày sinh này"


def api(path):
    return api_read(BASE, TOKEN, path)


def shot(browser, name, full_page=True):
    path = os.path.join(OUT, name + ".png")
    data = browser.screenshot(path, full_page=full_page)
    check(is_rendered(data), f"screenshot {name} is rendered, not blank")
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    invoices = api(f"/v1/schools/{SCHOOL}/invoices?period=2026-09&student={BIRTH[0]}")["items"]
    code = invoices[0]["payment_code"]
    payload = api(f"/v1/schools/{SCHOOL}/invoices/{code}/qr")["dynamic_payload"]

    desk = Browser(width=1280, height=900)
    try:
        desk.goto(BASE + "/console")
        check("Đăng nhập" in desk.text(), "no session: the sign-in form")
        shot(desk, "01-sign-in")
        desk.submit({"username": USER, "password": "wrong password!"})
        check("không đúng" in desk.text(), "a wrong password is refused")
        desk.submit({"username": USER, "password": PASSWORD})
        text = desk.text()
        check("Phải thu" in text and "Đã thu" in text and "Tỷ lệ không tiền mặt" in text, "the month dashboard after sign-in")
        check(desk.evaluate("document.querySelectorAll('svg').length") >= 1, "the dashboard draws its chart")
        shot(desk, "02-dashboard")
        desk.goto(BASE + f"/console/schools/{SCHOOL}/invoices?month=2026-09")
        desk.submit({"class": "1A1"})
        check(BIRTH[2] in desk.text(), "the month's invoices, filtered by class")
        shot(desk, "05-invoices")
        desk.events.clear()
        desk.evaluate("document.getElementById('print-class').click()")
        desk.wait_for_load()
        check(desk.evaluate("document.querySelectorAll('main.sheet.notice').length") == 2, "one printable notice per pupil of the class")
        check(desk.evaluate("document.querySelectorAll('main.sheet.notice svg').length") >= 2, "each notice with its QR")
        shot(desk, "06-class-notices")
        desk.goto(BASE + f"/console/schools/{SCHOOL}/suspense")
        check("Tiền vào chờ xử lý" in desk.text(), "the suspense queue")
        desk.goto(BASE + f"/console/schools/{OTHER}")
        check("Không tìm thấy" in desk.text(), "another school's page is not found")
        desk.goto(BASE + f"/console/schools/{SCHOOL}?month=2026-09")
        desk.submit({}, form_selector="form.signout")
        check("Đăng nhập" in desk.text(), "signed out")
    finally:
        desk.close()

    phone = Browser(width=390, height=844)
    try:
        phone.goto(BASE + "/parents")
        shot(phone, "03-parents-form")
        phone.submit({"code": code, "dob": "2019-07-16"})
        text = phone.text()
        check(FAILURE in text and BIRTH[2] not in text, "a wrong date of birth reveals nothing")
        phone.submit({"code": code.lower(), "dob": BIRTH[1]})
        text = phone.text()
        check(BIRTH[2] in text and "Quét mã VietQR" in text, "the right pair shows the invoice and its QR")
        overflow = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        check(overflow, "the parents' page fits a 390 px phone without sideways scrolling")
        page = shot(phone, "04-parents-invoice")
        decoded = subprocess.run(["zbarimg", "--raw", "-q", page], capture_output=True, text=True, timeout=60).stdout.strip()
        check(decoded == payload, f"the page's QR decodes to the invoice's payload ({decoded!r} vs {payload!r})")
    finally:
        phone.close()
    print(f"console_scenario: {len(checks)} checks passed; screenshots in {OUT}")


if __name__ == "__main__":
    main()
