/// A notice text: a `Subject:` line, a blank line, and a body with `{{name}}` placeholders
/// and one repeated section, `{{#urls}} … {{/urls}}`, holding a line per URL.
///
/// Deliberately small: every placeholder is checked when the file is loaded, so a typo
/// is an error with its line and column before anything is sent, not a blank in a notice.
public struct NoticeTemplate: Hashable, Sendable {
    enum Part: Hashable, Sendable {
        case text(String)
        case variable(String)
        case urls([Part])
    }

    /// The template's name (file name without `.txt`).
    public var name: String
    /// The language (the folder name).
    public var language: String
    let subject: [Part]
    let body: [Part]

    /// Placeholders available anywhere.
    public static let noticeVariables: Set<String> = [
        "reference", "hotline.name", "hotline.email", "hotline.website", "recipient.name", "deadline",
        "deadline_hours", "url_count", "reminder", "first_sent", "reason", "date",
    ]
    /// Placeholders available inside `{{#urls}}`.
    public static let urlVariables: Set<String> = ["url", "host", "classification", "detection_method", "hashes", "number", "last_check"]

    /// Parses `text` from `file`; every problem is collected.
    public static func parse(_ text: String, name: String, language: String, file: String) -> (NoticeTemplate?, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.hasPrefix("Subject:") else {
            return (nil, [.error(.missingKey, "a template starts with a \"Subject:\" line", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        if lines.count > 1, !lines[1].isEmpty {
            diagnostics.append(
                .error(.invalidValue, "the \"Subject:\" line is followed by a blank line, then the body", at: SourceLocation(file: file, line: 2, column: 1)))
        }
        let subjectText = String(first.dropFirst("Subject:".count).drop(while: { $0 == " " }))
        let subjectColumn = first.count - subjectText.count + 1
        var subjectParts = parts(subjectText, file: file, line: 1, column: subjectColumn, allowSection: false, diagnostics: &diagnostics)
        if subjectParts.isEmpty { subjectParts = [.text("")] }
        let bodyLines = lines.count > 2 ? Array(lines[2...]) : []
        let bodyText = bodyLines.joined(separator: "\n")
        let bodyParts = parts(bodyText, file: file, line: 3, column: 1, allowSection: true, diagnostics: &diagnostics)
        if diagnostics.containsErrors { return (nil, diagnostics) }
        return (NoticeTemplate(name: name, language: language, subject: subjectParts, body: bodyParts), diagnostics)
    }

    private static func parts(_ text: String, file: String, line: Int, column: Int, allowSection: Bool, diagnostics: inout [Diagnostic]) -> [Part] {
        var stack: [[Part]] = [[]]
        var sectionStart: SourceLocation?
        var literal = ""
        var currentLine = line
        var currentColumn = column
        var index = text.startIndex
        func flush() {
            if !literal.isEmpty {
                stack[stack.count - 1].append(.text(literal))
                literal = ""
            }
        }
        while index < text.endIndex {
            if text[index...].hasPrefix("{{") {
                let at = SourceLocation(file: file, line: currentLine, column: currentColumn)
                guard let close = text[index...].range(of: "}}") else {
                    diagnostics.append(.error(.syntax, "\"{{\" is not closed with \"}}\"", at: at))
                    break
                }
                let inner = text[text.index(index, offsetBy: 2)..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                flush()
                if inner == "#urls" {
                    if !allowSection {
                        diagnostics.append(.error(.invalidValue, "{{#urls}} is allowed in the body only", at: at))
                    } else if sectionStart != nil {
                        diagnostics.append(.error(.invalidValue, "{{#urls}} sections cannot be nested", at: at))
                    } else {
                        sectionStart = at
                        stack.append([])
                    }
                } else if inner == "/urls" {
                    if sectionStart == nil {
                        diagnostics.append(.error(.invalidValue, "{{/urls}} without {{#urls}}", at: at))
                    } else {
                        let section = stack.removeLast()
                        stack[stack.count - 1].append(.urls(section))
                        sectionStart = nil
                    }
                } else {
                    let known = sectionStart != nil ? noticeVariables.union(urlVariables) : noticeVariables
                    if known.contains(inner) {
                        stack[stack.count - 1].append(.variable(inner))
                    } else {
                        var message = "unknown placeholder \"\(inner)\""
                        if urlVariables.contains(inner) {
                            message += "; it is available inside {{#urls}} … {{/urls}} only"
                        } else if let near = known.min(by: { editDistance($0, inner) < editDistance($1, inner) }), editDistance(near, inner) <= 2 {
                            message += "; did you mean \"\(near)\"?"
                        }
                        diagnostics.append(.error(.unknownField, message, at: at))
                    }
                }
                let consumed = text[index..<close.upperBound]
                for character in consumed {
                    if character == "\n" {
                        currentLine += 1
                        currentColumn = 1
                    } else {
                        currentColumn += 1
                    }
                }
                index = close.upperBound
                // A section tag alone on its line takes its line break with it.
                if inner == "#urls" || inner == "/urls", index < text.endIndex, text[index] == "\n" {
                    index = text.index(after: index)
                    currentLine += 1
                    currentColumn = 1
                }
                continue
            }
            let character = text[index]
            literal.append(character)
            if character == "\n" {
                currentLine += 1
                currentColumn = 1
            } else {
                currentColumn += 1
            }
            index = text.index(after: index)
        }
        flush()
        if let sectionStart {
            diagnostics.append(.error(.invalidValue, "{{#urls}} is not closed with {{/urls}}", at: sectionStart))
            let section = stack.removeLast()
            stack[stack.count - 1].append(.urls(section))
        }
        return stack[0]
    }

    /// The values one rendering uses.
    public struct Values: Sendable {
        /// Notice-wide placeholders.
        public var notice: [String: String]
        /// One dictionary per URL.
        public var urls: [[String: String]]

        /// Creates values.
        public init(notice: [String: String], urls: [[String: String]]) {
            self.notice = notice
            self.urls = urls
        }
    }

    /// The subject, on one line: line breaks and other control characters in values become
    /// spaces, so no value can add a header.
    public func renderSubject(_ values: Values) -> String {
        String(render(subject, values.notice, values.urls).map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? " " : $0 })
    }

    /// The body. Values are single-line: control characters in them become spaces.
    public func renderBody(_ values: Values) -> String {
        render(body, values.notice, values.urls)
    }

    private func render(_ parts: [Part], _ notice: [String: String], _ urls: [[String: String]]) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .text(let text): output += text
            case .variable(let name): output += Self.singleLine(notice[name] ?? "")
            case .urls(let section):
                for url in urls {
                    output += render(section, notice.merging(url) { $1 }, [])
                }
            }
        }
        return output
    }

    /// `value` with line breaks, tabs and other control characters turned into spaces.
    public static func singleLine(_ value: String) -> String {
        String(value.map { $0.isNewline || $0 == "\t" || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false) ? " " : $0 })
    }
}

/// The templates by language and name, with English as the fallback language.
public struct NoticeTemplates: Sendable {
    /// Templates by language, then name.
    public var byLanguage: [String: [String: NoticeTemplate]]
    /// The language used when a recipient's has no such template.
    public var fallbackLanguage: String

    /// Creates a set.
    public init(_ templates: [NoticeTemplate], fallbackLanguage: String = "en") {
        var byLanguage: [String: [String: NoticeTemplate]] = [:]
        for template in templates { byLanguage[template.language, default: [:]][template.name] = template }
        self.byLanguage = byLanguage
        self.fallbackLanguage = fallbackLanguage
    }

    /// The template `name` in `language`, else in the fallback language.
    public func template(_ name: String, language: String) -> NoticeTemplate? {
        byLanguage[language]?[name] ?? byLanguage[fallbackLanguage]?[name]
    }

    /// Names available in the fallback language (every template must exist there).
    public var names: Set<String> { Set(byLanguage[fallbackLanguage]?.keys.map { $0 } ?? []) }
}
