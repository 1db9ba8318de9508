import Foundation
import HotlineCore

/// The pieces every workbench page is made of. Nothing here can show material: there is no
/// element for an image, a video, a frame, an object or a link to anything but the
/// gateway's own pages, and every reported URL goes through ``defang(_:)`` as text.
enum WorkbenchHTML {
    /// Text safe inside elements and attribute values.
    static func escape(_ text: String) -> String { DashboardPage.escape(text) }

    /// A URL made unclickable and unmistakable: `hxxps://example[.]com/path`. Browsers,
    /// mail clients and chat tools do not turn it into a link.
    static func defang(_ url: String) -> String {
        var text = url
        if text.lowercased().hasPrefix("http") { text = "hxxp" + text.dropFirst(4) }
        guard let schemeEnd = text.range(of: "://") else { return text.replacingOccurrences(of: ".", with: "[.]") }
        let rest = text[schemeEnd.upperBound...]
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let host = rest[..<hostEnd].replacingOccurrences(of: ".", with: "[.]")
        return String(text[..<schemeEnd.upperBound]) + host + rest[hostEnd...]
    }

    /// A reported URL as defanged text in a `code` element.
    static func url(_ url: String) -> String { "<code class=\"url\">\(escape(defang(url)))</code>" }

    /// A host as defanged text.
    static func host(_ host: String) -> String { "<code>\(escape(host.replacingOccurrences(of: ".", with: "[.]")))</code>" }

    /// A date for people.
    static func date(_ date: Date?) -> String { date.map { escape(RFC3339.format($0)) } ?? "–" }

    /// A form posting to one of the gateway's own paths, with the session's CSRF token.
    static func form(_ action: String, csrf: String, id: String? = nil, _ fields: String, button: String, danger: Bool = false) -> String {
        "<form method=\"post\" action=\"\(escape(action))\"\(id.map { " id=\"\(escape($0))\"" } ?? "")><input type=\"hidden\" name=\"csrf\" value=\"\(escape(csrf))\">\(fields)<button type=\"submit\"\(danger ? " class=\"danger\"" : "")>\(escape(button))</button></form>"
    }

    /// A `select` with its options, the chosen one marked.
    static func select(_ name: String, _ options: [(value: String, label: String)], chosen: String? = nil) -> String {
        "<select name=\"\(escape(name))\">"
            + options.map { "<option value=\"\(escape($0.value))\"\($0.value == chosen ? " selected" : "")>\(escape($0.label))</option>" }.joined()
            + "</select>"
    }

    /// A table from header cells and rows of already-escaped cells.
    static func table(id: String? = nil, _ headers: [String], _ rows: [[String]]) -> String {
        "<table\(id.map { " id=\"\(escape($0))\"" } ?? "")><thead><tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            + rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</tbody></table>"
    }

    /// A JSON value as readable text.
    static func json(_ value: JSONValue) -> String { "<pre>\(escape(value.serialized))</pre>" }

    /// The page around `body`: navigation, the signed-in analyst, sign-out, languages.
    static func page(
        title: String, body: String, language: WorkbenchLanguage, csrf: String?, actor: String?, path: String, message: String? = nil, error: String? = nil
    )
        -> String
    {
        let t = language.text
        let nav = [
            ("/dashboard/queue", "nav.queue"), ("/dashboard/verdicts", "nav.verdicts"), ("/dashboard/disputes", "nav.disputes"),
            ("/dashboard/explanations", "nav.explanations"), ("/dashboard/notices", "nav.notices"),
            ("/dashboard/holds", "nav.holds"),
            ("/dashboard/lists", "nav.lists"), ("/dashboard/rules", "nav.rules"), ("/dashboard", "nav.monitor"),
        ].map { "<a href=\"\($0.0)\"\(path == $0.0 ? " aria-current=\"page\"" : "")>\(escape(t($0.1)))</a>" }.joined()
        let languages = WorkbenchLanguage.allCases.map {
            "<a href=\"\(escape(path))?lang=\($0.rawValue)\" hreflang=\"\($0.rawValue)\">\($0.rawValue.uppercased())</a>"
        }
        .joined(separator: " ")
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)"><head><meta charset="utf-8"><title>\(escape(title)) — \(escape(t("app")))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="same-origin">
            <link rel="stylesheet" href="/dashboard/static/workbench.css"></head><body>
            <header><strong>\(escape(t("app")))</strong><nav>\(nav)</nav><span class="who">\(actor.map { "\(escape(t("signedin"))) <code>\(escape($0))</code>" } ?? "") \(languages)</span>
            \(csrf.map { form("/dashboard/logout", csrf: $0, id: "signout", "", button: t("signout")) } ?? "")</header>
            <main><h1>\(escape(title))</h1>
            \(message.map { "<p class=\"done\" role=\"status\">\(escape($0))</p>" } ?? "")\(error.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
            \(body)
            <p class="muted">\(escape(t("nocontent")))</p></main></body></html>

            """
    }

    /// The stylesheet, served by the gateway itself (`style-src 'self'`: nothing inline,
    /// nothing from elsewhere).
    static let stylesheet = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1a202c;background:#fff}
        header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.6rem 1.5rem;background:#1a365d;color:#fff}
        header a{color:#fff;margin-right:.8rem;text-decoration:none}header a[aria-current]{text-decoration:underline}
        header form{margin-left:auto}.who{font-size:.85rem}.who code{color:#fff}
        main{padding:1rem 1.5rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.8rem}
        table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}th,td{border-bottom:1px solid #e2e8f0;padding:.3rem .6rem;text-align:left;vertical-align:top}
        code.url{word-break:break-all;background:#fefcbf;padding:0 .2rem}pre{background:#f7fafc;padding:.5rem;overflow:auto;font-size:.8rem;max-height:24rem}
        form{display:inline-block;margin:.2rem 0}form.block{display:block}label{display:block;margin:.3rem 0}
        button{padding:.25rem .8rem;border:1px solid #2b6cb0;background:#ebf8ff;border-radius:4px;cursor:pointer}button.danger{border-color:#c53030;background:#fff5f5}
        .done{background:#f0fff4;border:1px solid #9ae6b4;padding:.4rem .8rem}.error{background:#fff5f5;border:1px solid #feb2b2;padding:.4rem .8rem}
        .muted{color:#718096;font-size:.85rem}.filters label{display:inline-block;margin-right:.8rem}.card{border:1px solid #cbd5e0;border-radius:6px;padding:.6rem 1rem;margin:.5rem 0}
        .cards{display:flex;gap:1rem;flex-wrap:wrap}.card .n{display:block;font-size:1.6rem;font-weight:600}tr.flag td{background:#fff5f5}
        figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
        """
}
