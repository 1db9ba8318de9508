import Foundation
import HotlineConfig
import HotlineCore
import HotlineEvidence
import HotlineHashing
import HotlineHosting
import HotlineNet
import HotlineSigning
import HotlineStore

/// The composition root: the one place the gateway is put together from its config and the
/// command line's overrides. Every CLI command and `hotline serve` build what they need here,
/// and nothing else assembles parts, so `ingest`, `work`, `mail poll` and `serve` decide with
/// the same rules, directory, checked templates, hash lists and resolver.
///
/// Each builder does what its part needs and no more, so `hotline tokens list` opens the store
/// without loading rules, and `hotline resolve` builds a resolver without templates.
public struct GatewayAssembly: Sendable {
    /// The config in force.
    public let config: GatewayConfig
    /// Where SQLite keeps its files (the embedded store).
    public let dataDirectory: String
    /// What the command line changed.
    public let overrides: GatewayOverrides
    /// PDQ by SHA-256 of files hashed before, for every evidence stage this assembly builds:
    /// one file reported at many URLs is decoded once per process.
    public let pdqCache = PDQCache()
    /// The open standing holds as last read, shared by every pipeline of the process.
    public let holdCache = HoldCache()

    /// An assembly of `config` with `overrides`.
    public init(config: GatewayConfig, dataDirectory: String = "data", overrides: GatewayOverrides = GatewayOverrides()) {
        self.config = config
        self.dataDirectory = dataDirectory
        self.overrides = overrides
    }

    /// The clock.
    public var time: any TimeSource { overrides.time }

    // MARK: Store

    /// The store the config names: SQLite in the data directory (the default) or PostgreSQL.
    public func openStore() throws(SetupError) -> any GatewayStorage {
        switch config.storage {
        case .sqlite:
            do {
                return try SQLiteStore(directory: dataDirectory)
            } catch {
                throw SetupError("cannot open the store in \(dataDirectory): \(error)")
            }
        case .postgres(let settings):
            if let password = settings.password {
                do { _ = try password.reveal() } catch { throw SetupError("storage: \(error.message)") }
            }
            do {
                return try PostgresStore(settings: settings)
            } catch {
                throw SetupError("cannot open the PostgreSQL store at \(settings.host):\(settings.port)/\(settings.database): \(error)")
            }
        }
    }

    /// Backs the SQLite store up to a new file at `path` (online: the gateway may keep
    /// running) and reads the copy back: what it holds and its audit chain, verified.
    /// PostgreSQL is backed up with `pg_dump` (docs/operations.md).
    public func backup(to path: String) throws(SetupError) -> (counts: StoreCounts, audit: AuditVerification) {
        guard case .sqlite = config.storage else {
            throw SetupError("the store is PostgreSQL: back it up with pg_dump (see docs/operations.md)")
        }
        // Opening would create an empty store: a mistyped --data-dir must not back that up.
        let database = (dataDirectory as NSString).appendingPathComponent("hotline.sqlite")
        guard FileManager.default.fileExists(atPath: database) else { throw SetupError("no SQLite store at \(database)") }
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: database)
        } catch {
            throw SetupError("cannot open the store in \(dataDirectory): \(error)")
        }
        do {
            try store.backup(to: path)
        } catch {
            throw SetupError("backup to \(path) failed: \(error)")
        }
        do {
            let copy = try SQLiteStore(path: path)
            return (try copy.counts(), try copy.verifyAuditLog())
        } catch {
            throw SetupError("the backup at \(path) cannot be read back: \(error)")
        }
    }

    // MARK: Files

    /// The rule files: the command line's, else the config's.
    public var rulePaths: [String] { overrides.rulePaths ?? config.rulePaths }

    /// The rules, with their warnings.
    public func ruleSet() throws(SetupError) -> (RuleSet, [Diagnostic]) {
        let result = RuleLoader.load(paths: rulePaths)
        guard let ruleSet = result.ruleSet else {
            let errors = result.diagnostics.filter { $0.severity == .error }.count
            throw SetupError("rules not loaded: \(errors) error\(errors == 1 ? "" : "s")", diagnostics: result.diagnostics)
        }
        return (ruleSet, result.diagnostics)
    }

    /// The contact directory (empty when the file does not exist), with its warnings.
    public func directory() throws(SetupError) -> (ContactDirectory, [Diagnostic]) {
        guard FileManager.default.fileExists(atPath: config.contactsPath) else { return (ContactDirectory(), []) }
        let (loaded, diagnostics) = ContactDirectoryLoader.load(config.contactsPath)
        guard let loaded else { throw SetupError("the contact directory did not load", diagnostics: diagnostics) }
        return (loaded, diagnostics)
    }

    /// The notice templates, checked against the rules that name them.
    public func templates(for ruleSet: RuleSet) throws(SetupError) -> (NoticeTemplates, [Diagnostic]) {
        let (templates, diagnostics) = TemplateLoader.load(config.dispatch.templatesPath)
        guard let templates else { throw SetupError("the notice templates did not load", diagnostics: diagnostics) }
        let problems = TemplateLoader.check(ruleSet, against: templates)
        if problems.containsErrors { throw SetupError("rules name templates that do not exist", diagnostics: diagnostics + problems) }
        return (templates, diagnostics + problems)
    }

    // MARK: Hosting

    /// The DNS client the config or the command line asks for (`nil`: off).
    public func dnsClient() -> DNSClient? {
        guard !overrides.offline else { return nil }
        switch overrides.dns ?? config.dns {
        case .off: return nil
        case .system: return DNSClient()
        case .servers(let servers): return DNSClient(servers: servers)
        }
    }

    /// The RDAP client the config or the command line asks for (`nil`: off).
    public func rdapClient() throws(SetupError) -> RDAPClient? {
        guard !overrides.offline else { return nil }
        switch overrides.rdap ?? config.rdap {
        case .off:
            return nil
        case .bootstrap:
            do {
                return RDAPClient(bootstrap: try RDAPClient.loadBootstrap(directory: config.rdapBootstrapPath), resolver: dnsClient())
            } catch {
                throw SetupError("RDAP bootstrap in \(config.rdapBootstrapPath): \(error.message)")
            }
        case .server(let base):
            return RDAPClient(bootstrap: RDAPBootstrap(singleServer: base), resolver: dnsClient())
        }
    }

    /// The HTTP client that downloads IANA's RDAP bootstrap files (`hotline rdap refresh`).
    public func bootstrapDownloader() -> HTTPClient { HTTPClient(timeout: 30, maximumBytes: 4_194_304) }

    /// The hosting resolver: the directory, the IP tables from the store, DNS and RDAP.
    public func resolver(directory: ContactDirectory, store: any GatewayStorage) throws(SetupError) -> HostingResolver {
        let table: IPTable
        do { table = IPTable(try store.allIPRanges()) } catch { throw SetupError("cannot read the IP tables: \(error)") }
        let registry = try rdapClient()
        let suffixes = (try? String(contentsOfFile: config.publicSuffixListPath, encoding: .utf8)).map(PublicSuffixList.init(text:))
        return HostingResolver(
            directory: directory, ipTable: table, addressResolver: dnsClient(), contactLookup: registry, registrarLookup: registry,
            publicSuffixes: suffixes, homeCountry: config.country)
    }

    // MARK: Deciding

    /// The known-hash lists, indexed.
    public func hashIndex(store: any GatewayStorage) throws(SetupError) -> HashIndex {
        do { return try HashIndex.load(from: store, pdqThreshold: config.pdqThreshold) } catch { throw SetupError("cannot load the hash lists: \(error)") }
    }

    /// The planner: recipients from the directory, the config's batch window.
    public func planner(directory: ContactDirectory) -> DispatchPlanner {
        DispatchPlanner(directory: DirectoryRecipients(directory: directory), notifyWindow: config.dispatch.batchWindow)
    }

    /// Everything a decision needs, loaded and checked together: rules, directory, templates
    /// (checked against the rules), resolver, hash lists and planner; with the warnings.
    public func parts(store: any GatewayStorage) throws(SetupError) -> (GatewayParts, [Diagnostic]) {
        let (ruleSet, ruleWarnings) = try self.ruleSet()
        let (parts, warnings) = try self.parts(store: store, ruleSet: ruleSet)
        return (parts, ruleWarnings + warnings)
    }

    /// Everything a decision needs around rules loaded already.
    public func parts(store: any GatewayStorage, ruleSet: RuleSet) throws(SetupError) -> (GatewayParts, [Diagnostic]) {
        // The hash lists load on the second core meanwhile: they and the resolver's public
        // suffix list are most of a start, and every command that ingests waits for both.
        let index = LockedSlots<Result<HashIndex, SetupError>>(count: 1)
        let loading = DispatchGroup()
        DispatchQueue.global().async(group: loading) { index.put(0, Result { () throws(SetupError) in try self.hashIndex(store: store) }) }
        defer { loading.wait() }
        let (file, directoryWarnings) = try self.directory()
        // The hosters' approved changes override their entries in the file.
        let approved: [ContactChange]
        do { approved = try store.contactChanges(org: nil, status: .approved, limit: 1_000_000) } catch {
            throw SetupError("cannot read the hosters' contact changes: \(error)")
        }
        let directory = file.applying(ContactChange.inForce(approved))
        let (templates, templateWarnings) = try self.templates(for: ruleSet)
        let resolver = try resolver(directory: directory, store: store)
        loading.wait()
        let hashIndex = try index.all[0]!.get()
        let parts = GatewayParts(
            engine: DecisionEngine(ruleSet: ruleSet), resolver: resolver, templates: templates,
            hashIndex: hashIndex, planner: planner(directory: directory), signer: try signer(), directoryFile: file,
            externalMatcher: try externalMatcher())
        return (parts, directoryWarnings + templateWarnings)
    }

    /// The external matcher the config names, its key read now: an unreadable key stops the
    /// start (and `config check`), not a report.
    public func externalMatcher() throws(SetupError) -> (any ExternalMatcher)? {
        guard let settings = config.externalMatcher else { return nil }
        let key: String
        do { key = try settings.key.reveal() } catch { throw SetupError("hashes.external_matcher: \(error.message)") }
        return HTTPExternalMatcher(
            name: settings.name, api: settings.api, url: settings.url, user: settings.user, key: key,
            timeout: TimeInterval(settings.timeout.seconds),
            breaker: CircuitBreaker(failureLimit: settings.failures, cooldown: TimeInterval(settings.cooldown.seconds), time: time))
    }

    /// The syncers of `hashes.sync`, their passwords read now: an unreadable one stops the
    /// start (and `config check`), not a sync at night.
    public func hashSyncers() throws(SetupError) -> [(settings: HashSyncSettings, syncer: HashSyncer)] {
        var syncers: [(HashSyncSettings, HashSyncer)] = []
        for settings in config.hashSync {
            let password: String
            do { password = try settings.password.reveal() } catch { throw SetupError("hashes.sync \(settings.name): \(error.message)") }
            let source: any HashSyncSource
            switch settings.api {
            case .ncmec:
                source = NCMECHashSource(
                    baseURL: settings.url, user: settings.user, password: password, timeout: TimeInterval(settings.timeout.seconds),
                    downvoteReason: settings.downvoteReason)
            }
            syncers.append((settings, HashSyncer(name: settings.name, list: settings.list, source: source, feedback: settings.feedback)))
        }
        return syncers
    }

    /// Writes notices with the parts in force: their templates and signer.
    public func renderer(parts: GatewayParts) -> NoticeRenderer {
        NoticeRenderer(identity: config.dispatch.identity, templates: parts.templates, signer: parts.signer)
    }

    /// The notice signer the config asks for: its certificate, chain and key read now, so that
    /// a missing or wrong one stops the start (and `config check`), not a notice.
    public func signer() throws(SetupError) -> (any MessageSigner)? {
        guard let signing = config.dispatch.signing else { return nil }
        guard let certificate = FileManager.default.contents(atPath: signing.certificateFile) else {
            throw SetupError("dispatch.signing.smime.certificate_file: cannot read \(signing.certificateFile)")
        }
        var chain: String?
        if let path = signing.chainFile {
            guard let data = FileManager.default.contents(atPath: path) else { throw SetupError("dispatch.signing.smime.chain_file: cannot read \(path)") }
            chain = String(decoding: data, as: UTF8.self)
        }
        let key: String
        let passphrase: String?
        do {
            key = try signing.key.reveal()
            passphrase = try signing.passphrase?.reveal()
        } catch {
            throw SetupError("dispatch.signing.smime: \(error)")
        }
        do {
            return try SMIMESigner(certificatePEM: String(decoding: certificate, as: UTF8.self), keyPEM: key, passphrase: passphrase, chainPEM: chain)
        } catch {
            throw SetupError("dispatch.signing.smime: \(error)")
        }
    }

    /// The parts in force and their reloading, for long-running commands.
    public func runtime(store: any GatewayStorage) throws(SetupError) -> GatewayRuntime {
        try GatewayRuntime(assembly: self, store: store)
    }

    /// Whether hosting is looked up over the network (DNS or RDAP on): then every report is
    /// decided by the fetch service, and intake never waits on a lookup.
    public var hostingUsesNetwork: Bool {
        guard !overrides.offline else { return false }
        return (overrides.dns ?? config.dns) != .off || (overrides.rdap ?? config.rdap) != .off
    }

    /// Whether reports from this submitter (`token:ID`, `org:NAME`) count their hashes as evidence.
    public func trusts(tokenID: String?, org: String?) -> Bool {
        let trusted = config.fetch.intake.trustedSubmitters
        return tokenID.map { trusted.contains("token:" + $0) } == true || org.map { trusted.contains("org:" + $0) } == true
    }

    /// An ingest pipeline over `parts`: hash lists, hosting, bounce history, planner, and the
    /// reports that wait for evidence. `lookupsInline`: a caller that waits for the decisions
    /// anyway (`hotline ingest --wait`) has each batch's hosts looked up together before the
    /// batch is stored, so that a report not fetched is decided with its batch instead of
    /// being stored as waiting and read back by the fetch service.
    public func pipeline(
        parts: GatewayParts, store: any GatewayStorage, channel: String, actor: String, submitter: Submitter? = nil, trusted: Bool = false,
        lookupsInline: Bool = false
    ) -> IngestPipeline<
        AnyReportStore
    > {
        IngestPipeline(
            store: store.reportStore, engine: parts.engine, hashMatcher: parts.hashIndex, enrichers: enrichers(parts: parts, store: store),
            planner: parts.planner, time: time, channel: channel, actor: actor, submitter: submitter, evidence: config.fetch.intake,
            deferLookups: hostingUsesNetwork && !lookupsInline,
            claimsAreEvidence: trusted)
    }

    /// The enrichers, in order: hosting, then the address health that corrects its confidence.
    public func enrichers(parts: GatewayParts, store: any GatewayStorage) -> [any ReportEnricher] {
        [parts.resolver, AddressHealthEnricher(store: store), HoldEnricher(store: store, time: time, cache: holdCache)]
    }

    /// The fetcher for reported URLs: the config's address policy, limits, User-Agent and
    /// proxy, and the resolver's DNS.
    public func fetcher(parts: GatewayParts) -> SafeFetcher {
        let fetch = config.fetch
        return SafeFetcher(
            resolver: parts.resolver.addressResolver, policy: AddressPolicy(allowed: fetch.allow), maximumBytes: fetch.maximumBytes,
            timeout: TimeInterval(fetch.timeout.seconds), userAgent: fetch.userAgent ?? SafeFetcher.browserUserAgent, proxy: fetch.proxy)
    }

    /// The fetch service over `parts`: fetches and hashes reported URLs, looks up hosting,
    /// and decides the reports that wait for evidence.
    public func evidenceStage(parts: GatewayParts, store: any GatewayStorage, gatherer: (any EvidenceGathering)? = nil) -> EvidenceStage {
        EvidenceStage(
            store: store,
            gatherer: gatherer
                ?? EvidenceCollector(
                    fetcher: fetcher(parts: parts), policy: config.fetch.intake, cache: pdqCache, matcher: parts.externalMatcher, lists: parts.hashIndex),
            engine: parts.engine,
            hashMatcher: parts.hashIndex, enrichers: enrichers(parts: parts, store: store), planner: parts.planner, policy: config.fetch.intake, time: time)
    }

    // MARK: Acting

    /// The dispatch worker over `parts`: SMTP and webhooks, the safe fetcher for re-checks,
    /// hosting looked up again before sending.
    public func worker(parts: GatewayParts, store: any GatewayStorage, afterDelivery: (@Sendable (OutboxMessage) -> Void)? = nil) -> DispatchWorker {
        let dispatch = config.dispatch
        let fetcher = fetcher(parts: parts)
        return DispatchWorker(
            store: store, engine: parts.engine, planner: parts.planner,
            renderer: renderer(parts: parts),
            transport: NetNoticeTransport(
                smtp: SMTPClient(settings: dispatch.smtp), time: time,
                webhookGuard: (parts.resolver.addressResolver, AddressPolicy(allowed: config.fetch.allow))),
            checker: dispatch.recheck ? FetchingURLChecker(fetcher: fetcher) : nil, hostingLookup: parts.resolver,
            settings: dispatch.settings, time: time, afterDelivery: afterDelivery, holds: store)
    }

    /// The mailbox reader over the runtime's parts.
    public func mailProcessor(
        runtime: GatewayRuntime, afterEffect: (@Sendable () -> Void)? = nil, beforeEffect: (@Sendable () -> Void)? = nil
    ) -> MailProcessor {
        MailProcessor(runtime: runtime, afterEffect: afterEffect, beforeEffect: beforeEffect)
    }

    /// The IMAP client of a configured mailbox.
    public func imapClient(_ mailbox: MailboxConfig) -> IMAPClient {
        IMAPClient(settings: mailbox.settings)
    }
}

extension GatewayAssembly {
    /// The assembly of the config file at `path`, with its warnings; a file that does not
    /// load (missing included) is an error.
    public static func load(configPath path: String, dataDirectory: String, overrides: GatewayOverrides = GatewayOverrides())
        throws(SetupError) -> (GatewayAssembly, [Diagnostic])
    {
        let (loaded, diagnostics) = GatewayConfig.load(path)
        guard let loaded else {
            let errors = diagnostics.filter { $0.severity == .error }.count
            throw SetupError("the config \(path) did not load: \(errors) error\(errors == 1 ? "" : "s")", diagnostics: diagnostics)
        }
        return (GatewayAssembly(config: loaded, dataDirectory: dataDirectory, overrides: overrides), diagnostics)
    }
}
