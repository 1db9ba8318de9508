import Foundation
import HotlineCore

/// Loads notice templates from `Config/templates/LANGUAGE/NAME.txt`, checking each.
public enum TemplateLoader {
    /// Loads every language folder under `directory`; every problem is collected.
    public static func load(_ directory: String, fallbackLanguage: String = "en") -> (NoticeTemplates?, [Diagnostic]) {
        let manager = FileManager.default
        guard let languages = try? manager.contentsOfDirectory(atPath: directory).sorted() else {
            return (nil, [.error(.io, "cannot read the templates directory", at: SourceLocation(file: directory, line: 1, column: 1))])
        }
        var templates: [NoticeTemplate] = []
        var diagnostics: [Diagnostic] = []
        for language in languages {
            let folder = (directory as NSString).appendingPathComponent(language)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for file in ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted() where file.hasSuffix(".txt") {
                let path = (folder as NSString).appendingPathComponent(file)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    diagnostics.append(.error(.io, "cannot read the template (is it UTF-8?)", at: SourceLocation(file: path, line: 1, column: 1)))
                    continue
                }
                let (template, problems) = NoticeTemplate.parse(text, name: String(file.dropLast(4)), language: language, file: path)
                diagnostics += problems
                if let template { templates.append(template) }
            }
        }
        let set = NoticeTemplates(templates, fallbackLanguage: fallbackLanguage)
        if set.byLanguage[fallbackLanguage] == nil {
            diagnostics.append(
                .error(
                    .missingKey, "no \"\(fallbackLanguage)\" folder: every template needs an \(fallbackLanguage) version to fall back on",
                    at: SourceLocation(file: directory, line: 1, column: 1)))
        }
        for (language, byName) in set.byLanguage where language != fallbackLanguage {
            for name in byName.keys.sorted() where set.byLanguage[fallbackLanguage]?[name] == nil {
                diagnostics.append(
                    .error(
                        .missingKey, "template \"\(name)\" has no \(fallbackLanguage) version to fall back on",
                        at: SourceLocation(file: (directory as NSString).appendingPathComponent("\(language)/\(name).txt"), line: 1, column: 1)))
            }
        }
        if diagnostics.containsErrors { return (nil, diagnostics.sortedByLocation) }
        return (set, diagnostics)
    }

    /// Errors for rules naming a template that does not exist, at the rule.
    public static func check(_ ruleSet: RuleSet, against templates: NoticeTemplates) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let names = templates.names
        for rule in ruleSet.rules {
            for action in rule.actions {
                let name: String?
                switch action {
                case .notify(_, let template, _, _): name = template
                case .forward(let to, let template, _, _): name = template ?? (to == .police ? "police-info" : "inhope-forward")
                default: name = nil
                }
                if let name, !names.contains(name) {
                    var message = "rule \"\(rule.name)\" uses template \"\(name)\", which is not in the templates directory"
                    if let near = names.min(by: { editDistance($0, name) < editDistance($1, name) }), editDistance(near, name) <= 3 {
                        message += "; did you mean \"\(near)\"?"
                    }
                    diagnostics.append(.error(.unknownValue, message, at: rule.location))
                }
            }
        }
        return diagnostics
    }
}
