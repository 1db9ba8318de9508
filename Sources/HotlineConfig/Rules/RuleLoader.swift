import Crypto
import Foundation
import HotlineCore
import HotlineYAML

/// Loads rule files from paths (files, or directories whose `*.yaml`/`*.yml` files are read in
/// name order) into a checked ``RuleSet``.
public enum RuleLoader {
    /// The result of a load: the rule set when there were no errors, and every diagnostic.
    public struct Result: Sendable {
        /// The rules, when they loaded.
        public var ruleSet: RuleSet?
        /// Every problem found, errors and warnings, in file and line order.
        public var diagnostics: [Diagnostic]
        /// The files read.
        public var files: [String]
        /// What parsed, even when the set did not compile, so that checks that need only the
        /// rules' names and actions (the templates they name) can still report in the same run.
        public var contents: [RuleFileContent] = []
    }

    /// The rule files `paths` name: files as given, directories expanded (not recursively, so
    /// a `tests/` folder beside the rules is not read as rules).
    public static func ruleFiles(_ paths: [String]) throws(Diagnostic) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                // Relative paths resolve against the working directory: name it, so that the
                // wrong folder is obvious.
                let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
                throw .error(
                    .io, absolute == path ? "no such file or directory" : "no such file or directory (looked for \(absolute))",
                    at: SourceLocation(file: path, line: 1, column: 1))
            }
            if isDirectory.boolValue {
                let names = (try? manager.contentsOfDirectory(atPath: path)) ?? []
                let ruleNames = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                files.append(contentsOf: ruleNames.map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 })
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// Loads and checks the rules at `paths`.
    public static func load(paths: [String], limits: YAMLLimits = .standard) -> Result {
        let files: [String]
        do {
            files = try ruleFiles(paths)
        } catch {
            return Result(ruleSet: nil, diagnostics: [error], files: [])
        }
        if files.isEmpty {
            let location = SourceLocation(file: paths.first ?? "Rules", line: 1, column: 1)
            return Result(ruleSet: nil, diagnostics: [.error(.io, "no rule files (*.yaml) found", at: location)], files: [])
        }
        var sources: [(file: String, text: String)] = []
        var diagnostics: [Diagnostic] = []
        for file in files {
            do {
                sources.append((file, try readText(file, limits: limits)))
            } catch {
                diagnostics.append(error)
            }
        }
        let result = compile(sources: sources, limits: limits)
        return Result(
            ruleSet: diagnostics.containsErrors ? nil : result.ruleSet, diagnostics: (diagnostics + result.diagnostics).sortedByLocation, files: files,
            contents: result.contents)
    }

    /// Checks and compiles rule texts already in memory (used by `load` and by tests).
    public static func compile(sources: [(file: String, text: String)], limits: YAMLLimits = .standard) -> Result {
        var contents: [RuleFileContent] = []
        var diagnostics: [Diagnostic] = []
        var parseFailed = false
        for source in sources {
            let (content, problems) = RuleFileParser.parse(source.text, file: source.file, limits: limits)
            diagnostics.append(contentsOf: problems)
            if let content { contents.append(content) } else { parseFailed = true }
        }
        if parseFailed || contents.isEmpty {
            return Result(ruleSet: nil, diagnostics: diagnostics.sortedByLocation, files: sources.map(\.file), contents: contents)
        }
        let (ruleSet, compileDiagnostics) = RuleSetCompiler.compile(contents, digest: digest(sources))
        let all = (diagnostics + compileDiagnostics).sortedByLocation
        return Result(ruleSet: all.containsErrors ? nil : ruleSet, diagnostics: all, files: sources.map(\.file), contents: contents)
    }

    /// `sha256:` over each file's name (without directory) and content, in load order, so the
    /// same rules give the same digest wherever they are checked out.
    public static func digest(_ sources: [(file: String, text: String)]) -> String {
        var hasher = SHA256()
        for source in sources {
            hasher.update(data: Data(((source.file as NSString).lastPathComponent + "\u{0}").utf8))
            hasher.update(data: Data(source.text.utf8))
            hasher.update(data: Data([0]))
        }
        return "sha256:" + Hex.string(hasher.finalize())
    }

    /// Reads a UTF-8 text file no larger than the limit.
    public static func readText(_ path: String, limits: YAMLLimits = .standard) throws(Diagnostic) -> String {
        let location = SourceLocation(file: path, line: 1, column: 1)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw .error(.io, "cannot read file", at: location)
        }
        if let size = attributes[.size] as? Int, size > limits.maximumBytes {
            throw .error(.yamlLimit, "file is \(size) bytes, more than the \(limits.maximumBytes) accepted", at: location)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error(.io, "cannot read file", at: location)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .error(.io, "file is not UTF-8 text", at: location)
        }
        return text
    }
}
