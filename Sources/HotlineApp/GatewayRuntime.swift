import Foundation
import HotlineConfig
import HotlineCore
import HotlineHashing
import HotlineHosting

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
    /// Signs e-mailed notices; `nil` when the config asks for none.
    public var signer: (any MessageSigner)? = nil
    /// The contact directory as its file says, before the hosters' approved changes (which
    /// the resolver's directory has): what bounds a hoster's own domains.
    public var directoryFile = ContactDirectory()
    /// `hashes.external_matcher`, with its key read and its breaker; `nil` when none is configured.
    public var externalMatcher: (any ExternalMatcher)? = nil
}

/// The gateway's shared state for long-running commands: the assembly, the store, the parts
/// in force, and reloading them when their files change.
public final class GatewayRuntime: @unchecked Sendable {
    /// How the parts are built.
    public let assembly: GatewayAssembly
    /// The store.
    public let store: any GatewayStorage
    private let lock = NSLock()
    private var current: GatewayParts
    private var watched: [String: Date]
    /// The files as they were when a reload last refused them.
    private var refused: [String: Date]?
    /// The store's hash-list generation the index in force was built at.
    private var hashGeneration: Int
    /// The store's contact generation the directory in force was built at.
    private var contactGeneration: Int

    /// Builds the parts; throws ``SetupError`` with every diagnostic when a file is unusable.
    public init(assembly: GatewayAssembly, store: any GatewayStorage) throws(SetupError) {
        self.assembly = assembly
        self.store = store
        hashGeneration = (try? store.hashListGeneration()) ?? 0
        contactGeneration = (try? store.contactGeneration()) ?? 0
        current = try assembly.parts(store: store).0
        watched = Self.modificationTimes(assembly)
    }

    /// The config.
    public var config: GatewayConfig { assembly.config }
    /// The clock.
    public var time: any TimeSource { assembly.time }

    /// The parts in force.
    public var parts: GatewayParts {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// An ingest pipeline with the parts in force.
    public func pipeline(channel: String, actor: String, submitter: Submitter? = nil, trusted: Bool = false) -> IngestPipeline<AnyReportStore> {
        assembly.pipeline(parts: parts, store: store, channel: channel, actor: actor, submitter: submitter, trusted: trusted)
    }

    /// The fetch service with the parts in force.
    public func evidenceStage() -> EvidenceStage {
        assembly.evidenceStage(parts: parts, store: store)
    }

    /// A dispatch worker with the parts in force.
    public func worker() -> DispatchWorker {
        assembly.worker(parts: parts, store: store)
    }

    /// Loads rules, contacts, templates and hash lists again. On any error the running parts
    /// stay and the diagnostics are returned; on success the new rules digest.
    public func reload(actor: String) -> (digest: String?, diagnostics: [Diagnostic]) {
        let times = Self.modificationTimes(assembly)
        do {
            let generation = (try? store.hashListGeneration()) ?? 0
            let contacts = (try? store.contactGeneration()) ?? 0
            let (parts, warnings) = try assembly.parts(store: store)
            lock.lock()
            current = parts
            hashGeneration = generation
            contactGeneration = contacts
            watched = times
            refused = nil
            lock.unlock()
            try? store.appendAudit(
                AuditEntry(at: time.now(), actor: actor, event: "rules.reloaded", detail: ["rules_version": .string(parts.engine.ruleSet.digest)]))
            return (parts.engine.ruleSet.digest, warnings)
        } catch {
            // The refused files are remembered: they are tried again when they change, not
            // every poll (they were reloaded, audited and logged every 2 s forever).
            lock.lock()
            refused = times
            lock.unlock()
            try? store.appendAudit(
                AuditEntry(
                    at: time.now(), actor: actor, event: "rules.reload_refused",
                    detail: ["errors": .number(Double(error.diagnostics.filter { $0.severity == .error }.count)), "reason": .string(error.message)]))
            return (
                nil,
                error.diagnostics.isEmpty
                    ? [.error(.io, error.message, at: SourceLocation(file: assembly.rulePaths.first ?? "rules", line: 1, column: 1))] : error.diagnostics
            )
        }
    }

    /// Builds the hash index again when the lists changed in the store since the one in
    /// force was built (here or on another instance); returns its size then, `nil` when
    /// nothing changed or the lists could not be read (the index in force stays).
    @discardableResult
    public func reloadHashesIfChanged(force: Bool = false) -> Int? {
        guard let generation = try? store.hashListGeneration() else { return nil }
        lock.lock()
        let built = hashGeneration
        lock.unlock()
        guard force || generation != built, let index = try? assembly.hashIndex(store: store) else { return nil }
        lock.lock()
        current.hashIndex = index
        hashGeneration = generation
        lock.unlock()
        return index.counts.values.reduce(0, +)
    }

    /// Whether an approved contact change (here or on another instance) altered the directory
    /// since the parts in force were built.
    public var contactsChanged: Bool {
        guard let generation = try? store.contactGeneration() else { return false }
        lock.lock()
        defer { lock.unlock() }
        return generation != contactGeneration
    }

    /// Whether a watched file (rules, contacts, templates) changed since the last load.
    public var filesChanged: Bool {
        let now = Self.modificationTimes(assembly)
        lock.lock()
        defer { lock.unlock() }
        return now != watched && now != refused
    }

    static func modificationTimes(_ assembly: GatewayAssembly) -> [String: Date] {
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
        assembly.rulePaths.forEach(add)
        add(assembly.config.contactsPath)
        add(assembly.config.dispatch.templatesPath)
        return times
    }
}
