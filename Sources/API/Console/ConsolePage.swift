import Core

/// The console's page shell: one stylesheet (served at `stylesheetPath`), a header with the navigation,
/// and the signed-in person's name with a sign-out form. Every page writer builds only the body.
enum ConsolePage {
    static let stylesheetPath = "/console/style.css"

    /// A navigation entry; pages of later features add theirs to `ConsoleRoutes.navigation`.
    struct Link: Sendable {
        let title: String
        let href: String
    }

    /// `body` is trusted markup from a page writer (every text in it escaped there); `title` is escaped here.
    static func shell(title: String, body: String, session: ConsoleSessions.Live? = nil, navigation: [Link] = []) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(HTMLText.escaped(title))</title>\n"
        html += "<link rel=\"stylesheet\" href=\"\(stylesheetPath)\">\n</head>\n<body>\n<header class=\"top\">\n"
        html += "<span class=\"brand\">Học phí</span>\n"
        if let session {
            html += "<nav>" + navigation.map { "<a href=\"\(HTMLText.escaped($0.href))\">\(HTMLText.escaped($0.title))</a>" }.joined() + "</nav>\n"
            html += "<form method=\"post\" action=\"/console/sign-out\" class=\"signout\">"
            html += csrfField(session.csrf)
            html += "<span>\(HTMLText.escaped(session.displayName))</span> <button type=\"submit\">Đăng xuất</button></form>\n"
        }
        html += "</header>\n<main>\n<h1>\(HTMLText.escaped(title))</h1>\n\(body)</main>\n</body>\n</html>\n"
        return html
    }

    static func csrfField(_ token: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(HTMLText.escaped(token))\">"
    }

    /// A figure card of the dashboards.
    static func figure(_ label: String, _ value: String) -> String {
        "<div class=\"figure\"><span class=\"label\">\(HTMLText.escaped(label))</span><span class=\"value\">\(HTMLText.escaped(value))</span></div>"
    }

    static func notice(_ text: String, kind: String = "error") -> String {
        "<p class=\"notice \(HTMLText.escaped(kind))\" role=\"alert\">\(HTMLText.escaped(text))</p>\n"
    }

    /// One stylesheet for every console page: mobile first (360 px), wider grids from 720 px, plain black on white in print.
    static let stylesheet = """
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.5 system-ui,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1b1f24;background:#f4f6f8}
        header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem;background:#0b4f8a;color:#fff}
        header.top a{color:#fff;text-decoration:none;margin-right:.8rem}
        header.top .brand{font-weight:700}
        header.top nav{flex:1 1 auto}
        .signout{display:flex;gap:.5rem;align-items:center;margin:0}
        main{max-width:1100px;margin:0 auto;padding:1rem}
        h1{font-size:1.4rem;margin:.2rem 0 1rem}
        h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
        form.card,section.card{background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:1rem;margin:0 0 1rem}
        label{display:block;margin:.6rem 0 .2rem;font-weight:600}
        input[type=text],input[type=password],input[type=date],input[type=month],select{width:100%;max-width:24rem;padding:.55rem;font-size:1rem;border:1px solid #9aa5b1;border-radius:6px}
        button{padding:.55rem 1rem;font-size:1rem;border:0;border-radius:6px;background:#0b4f8a;color:#fff;cursor:pointer}
        .signout button{background:#fff;color:#0b4f8a;padding:.3rem .7rem}
        .notice{padding:.6rem .8rem;border-radius:6px}
        .notice.error{background:#fdecea;color:#8a1c12}
        .notice.info{background:#e8f1fb;color:#0b3e6b}
        .figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.6rem;margin:0 0 1rem}
        .figure{background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:.7rem}
        .figure .label{display:block;font-size:.85rem;color:#52606d}
        .figure .value{display:block;font-size:1.25rem;font-weight:700}
        table{width:100%;border-collapse:collapse;background:#fff}
        th,td{padding:.45rem .5rem;border-bottom:1px solid #e1e6eb;text-align:left;vertical-align:top}
        td.money,th.money{text-align:right;white-space:nowrap}
        .scroll{overflow-x:auto}
        .chart svg{max-width:100%;height:auto;background:#fff}
        .qr{max-width:280px;margin:0 auto}
        .qr svg{width:100%;height:auto;display:block;background:#fff}
        .pay{display:grid;gap:1rem}
        @media (min-width:720px){.pay{grid-template-columns:1fr 1fr}main{padding:1.5rem}}
        @media print{header.top,.signout,form button{display:none}body{background:#fff;color:#000}main{max-width:none;padding:0}
        .figure,form.card,section.card{border:1px solid #000}a{color:#000;text-decoration:none}}

        """
}
