import Foundation
import HotlineConfig
import HotlineCore
import HotlineHashing
import HotlineHosting
import HotlineStore

/// What the running gateway decides with: rules, contacts, templates, hash lists, and the
/// parts built from them. Replaced as a whole on reload, so a request sees either the old
/// set or the new one, never a mix.
public struct GatewayParts: Sendable {
    /// The rules.
    public var engine: DecisionEngine
    /// The hosting resolver (with the contact directory).
    public var resolver: HostingResolver
    /// The notice templates.
    public var templates: NoticeTemplates
    /// Known hashes.
    public var hashIndex: HashIndex
    /// Items from decisions.
    public var planner: DispatchPlanner
}

/// The gateway's shared state: config, store, the current parts, and reloading them.
public final class GatewayRuntime: @unchecked Sendable {
    /// The config.
    public let config: GatewayConfig
    /// The store.
    public let store: any GatewayStore
    /// The clock.
    public let time: any TimeSource
    /// Resolve with DNS/RDAP (`false`: directory and tables only).
    public let offline: Bool
    private let lock = NSLock()
    private var current: GatewayParts
    private var watched: [String: Date]

    /// Builds the parts; throws ``SetupError`` with every diagnostic when a file is unusable.
    public init(config: GatewayConfig, store: any GatewayStore, time: any TimeSource = SystemTimeSource(), offline: Bool = false) throws {
        self.config = config
        self.store = store
        self.time = time
        self.offline = offline
        let (parts, _) = try Self.build(config: config, store: store, offline: offline)
        current = parts
        watched = Self.modificationTimes(config: config)
    }

    /// The parts in force.
    public var parts: GatewayParts {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// An ingest pipeline with the parts in force (hash lists, hosting, bounce history, planner).
    public func pipeline(channel: String, actor: String) -> IngestPipeline<AnyReportStore> {
        let parts = self.parts
        return IngestPipeline(
            store: store.reportStore, engine: parts.engine, hashMatcher: parts.hashIndex, enrichers: [parts.resolver, AddressHealthEnricher(store: store)],
            planner: parts.planner, time: time, channel: channel, actor: actor)
    }

    /// A dispatch worker with the parts in force.
    public func worker() -> DispatchWorker {
        let parts = self.parts
        return GatewayAssembly.worker(config: config, engine: parts.engine, templates: parts.templates, store: store, resolver: parts.resolver, time: time)
    }

    static func build(config: GatewayConfig, store: any GatewayStore, offline: Bool) throws -> (GatewayParts, [Diagnostic]) {
        let result = RuleLoader.load(paths: config.rulePaths)
        guard let ruleSet = result.ruleSet else { throw SetupError("the rules did not load", diagnostics: result.diagnostics) }
        var warnings = result.diagnostics
        let (directory, directoryWarnings) = try GatewayAssembly.directory(config: config)
        warnings += directoryWarnings
        let (templates, templateWarnings) = try GatewayAssembly.templates(config: config, ruleSet: ruleSet)
        warnings += templateWarnings
        let resolver = try GatewayAssembly.resolver(config: config, directory: directory, store: store, offline: offline)
        let index = try HashIndex.load(from: store, pdqThreshold: config.pdqThreshold)
        let parts = GatewayParts(engine: DecisionEngine(ruleSet: ruleSet), resolver: resolver, templates: templates, hashIndex: index, planner: GatewayAssembly.planner(config: config, directory: directory))
        return (parts, warnings)
    }

    /// Loads rules, contacts, templates and hash lists again. On any error the running parts
    /// stay and the diagnostics are returned; on success the new rules digest.
    public func reload(actor: String) -> (digest: String?, diagnostics: [Diagnostic]) {
        do {
            let (parts, warnings) = try Self.build(config: config, store: store, offline: offline)
            lock.lock()
            current = parts
            watched = Self.modificationTimes(config: config)
            lock.unlock()
            try? store.writeErased { try $0.appendAudit(AuditEntry(at: time.now(), actor: actor, event: "rules.reloaded", detail: ["rules_version": .string(parts.engine.ruleSet.digest)])) }
            return (parts.engine.ruleSet.digest, warnings)
        } catch let error as SetupError {
            try? store.writeErased { try $0.appendAudit(AuditEntry(at: time.now(), actor: actor, event: "rules.reload_refused", detail: ["errors": .number(Double(error.diagnostics.filter { $0.severity == .error }.count)), "reason": .string(error.message)])) }
            return (nil, error.diagnostics.isEmpty ? [.error(.io, error.message, at: SourceLocation(file: config.rulePaths.first ?? "rules", line: 1, column: 1))] : error.diagnostics)
        } catch {
            return (nil, [.error(.io, "\(error)", at: SourceLocation(file: config.rulePaths.first ?? "rules", line: 1, column: 1))])
        }
    }

    /// Whether a watched file (rules, contacts, templates) changed since the last load.
    public var filesChanged: Bool {
        let now = Self.modificationTimes(config: config)
        lock.lock()
        defer { lock.unlock() }
        return now != watched
    }

    static func modificationTimes(config: GatewayConfig) -> [String: Date] {
        var times: [String: Date] = [:]
        let manager = FileManager.default
        func add(_ path: String) {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
            if isDirectory.boolValue, let enumerator = manager.enumerator(atPath: path) {
                for case let name as String in enumerator where name.hasSuffix(".yaml") || name.hasSuffix(".txt") {
                    let full = (path as NSString).appendingPathComponent(name)
                    times[full] = (try? manager.attributesOfItem(atPath: full)[.modificationDate]) as? Date
                }
            } else {
                times[path] = (try? manager.attributesOfItem(atPath: path)[.modificationDate]) as? Date
            }
        }
        config.rulePaths.forEach(add)
        add(config.contactsPath)
        add(config.dispatch.templatesPath)
        return times
    }
}
