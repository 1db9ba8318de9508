import Foundation
import HotlineCore

/// Loads notice templates from `Config/templates/LANGUAGE/NAME.txt`, checking each.
public enum TemplateLoader {
    /// Loads every language folder under `directory`; every problem is collected.
    public static func load(_ directory: String, fallbackLanguage: String = "en") -> (NoticeTemplates?, [Diagnostic]) {
        let manager = FileManager.default
        guard let languages = try? manager.contentsOfDirectory(atPath: directory).sorted() else {
            let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
            let message = absolute == directory ? "cannot read the templates directory" : "cannot read the templates directory (looked for \(absolute))"
            return (nil, [.error(.io, message, at: SourceLocation(file: directory, line: 1, column: 1))])
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
        check(ruleSet.rules.map { ($0.name, $0.actions, $0.location) }, names: templates.names)
    }

    /// The same check over rule files that may not compile, against the template files in
    /// `directory` (whether or not each parses), so that a misspelt template is reported in the
    /// same run as every other problem.
    public static func check(_ contents: [RuleFileContent], againstDirectory directory: String) -> [Diagnostic] {
        var rules = contents.flatMap { $0.rules.map { ($0.name, $0.actions, $0.location) } }
        for content in contents {
            if let actions = content.defaultActions {
                rules.append(("default", actions, content.defaultLocation ?? SourceLocation(file: content.file, line: 1, column: 1)))
            }
        }
        return check(rules, names: names(in: directory))
    }

    /// The template names under `directory`: every `LANGUAGE/NAME.txt`.
    public static func names(in directory: String) -> Set<String> {
        let manager = FileManager.default
        var names: Set<String> = []
        for language in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] {
            let folder = (directory as NSString).appendingPathComponent(language)
            for file in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] where file.hasSuffix(".txt") { names.insert(String(file.dropLast(4))) }
        }
        return names
    }

    private static func check(_ rules: [(name: String, actions: [Action], location: SourceLocation)], names: Set<String>) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for rule in rules {
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
