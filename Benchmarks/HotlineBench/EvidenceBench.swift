import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineHashing
import HotlineNet
import Hummingbird
import NIOCore

/// URL-only reports from acceptance to decision against an in-process loopback hoster
/// (Hummingbird): each reported page shows four generated JPEGs of 1 to 4 MP, which the
/// gateway fetches through its safe fetcher, digests, decodes (DCT-scaled), PDQ-hashes,
/// matches and decides on, with a SQLite store, the shipped rules and the fetch service's
/// concurrency. The hoster runs in the same process, on the same two cores.
enum EvidenceBench {
    /// Twice: every image a distinct file (the pool's pixels with a unique trailer after the
    /// JPEG's end, so every SHA-256 differs and every file is decoded), then the pool's 32
    /// files again and again, as known material is (one file at many URLs), where the PDQ
    /// cache by SHA-256 saves the decoding.
    static func run(count: Int = 10_000) throws {
        try run(count: count, distinct: true)
        try run(count: count, distinct: false)
    }

    static func run(count: Int, distinct: Bool) throws {
        // A pool of 32 photo-like JPEGs (8 each of 1, 2, 3 and 4 MP); the pages take them in turn.
        let sizes = [(1152, 864), (1632, 1224), (2000, 1500), (2304, 1728)]
        var pool: [ByteBuffer] = []
        var poolBytes = 0
        var md5s: [String] = []
        for index in 0..<32 {
            let (width, height) = sizes[index % sizes.count]
            let jpeg = ImageEncoder.jpeg(HashingBench.picture(width: width, height: height, seed: UInt64(700 + index)), quality: 85)!
            pool.append(ByteBuffer(bytes: jpeg))
            poolBytes += jpeg.count
            md5s.append(ContentDigests(of: jpeg).md5)
        }
        let frozen = pool
        let router = Router()
        router.get("/page/:n") { _, context -> Response in
            let page = context.parameters.get("n", as: Int.self) ?? 0
            let images = (0..<4).map { "<img src=\"/img/\(page)-\($0).jpg\" alt=\"\">" }.joined()
            let html = "<!doctype html><html><head><title>page \(page)</title></head><body><h1>Gallery</h1>\(images)</body></html>"
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        router.get("/img/:name") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            let parts = name.dropLast(4).split(separator: "-").compactMap { Int($0) }
            let index = parts.count == 2 ? (parts[0] * 4 + parts[1]) % frozen.count : 0
            guard distinct else { return Response(status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: frozen[index])) }
            // Decoders stop at the end-of-image marker: same pixels, another file.
            var unique = frozen[index]
            unique.writeString("\(name)")
            return Response(status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: unique))
        }
        let port = Int.random(in: 20_000...32_000)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "bench-hoster"))
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let probe = HTTPClient(timeout: 1)
        for _ in 0..<100 {
            if (try? probe.get("http://127.0.0.1:\(port)/page/0", accept: "text/html"))?.status == 200 { break }
            usleep(50_000)
        }

        let directory = NSTemporaryDirectory() + "hotline-bench-evidence-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cwd = FileManager.default.currentDirectoryPath
        // One loopback host stands for many hosters here, so the per-host limit is the
        // concurrency: with the shipped 2 it would measure the limit, not the gateway.
        try """
        version: 1
        hotline: { name: Bench, country: NL, email: notices@hotline.test, domain: hotline.test }
        rules: \(cwd)/Rules
        contacts: contacts.yaml
        templates: \(cwd)/Config/templates
        fetch: { allow: [127.0.0.0/8], timeout: 30s, intake: { enabled: true, concurrency: 8, per_host: 8, batch: 256 } }
        """.write(toFile: directory + "/hotline.yaml", atomically: true, encoding: .utf8)
        try """
        version: 1
        contacts:
          - { id: loopback-hosting, name: Loopback Hosting B.V., prefixes: ["127.0.0.0/8"], country: NL, abuse: [abuse@loopback-hosting.test], ntd_member: true }
        """.write(toFile: directory + "/contacts.yaml", atomically: true, encoding: .utf8)
        let (config, diagnostics) = GatewayConfig.load(directory + "/hotline.yaml")
        guard let config else { throw DiagnosticsError(diagnostics) }
        let gateway = GatewayAssembly(config: config, dataDirectory: directory + "/data", overrides: GatewayOverrides(offline: true))
        let store = try gateway.openStore()
        // Two of the 32 files are on a police list: a quarter of the pages hold one.
        let csv = "md5,classification\n\(md5s[0]),A1\n\(md5s[5]),A1\n"
        let list = HashListParser.parse(Array(csv.utf8), format: .csv)
        try store.saveList(HashList(name: "police", source: "bench", defaultClassification: .unclassified))
        _ = try store.importEntries(list.entries, into: "police")
        let (parts, _) = try gateway.parts(store: store)
        let pipeline = gateway.pipeline(parts: parts, store: store, channel: "file", actor: "bench")
        let stage = gateway.evidenceStage(parts: parts, store: store)

        let lines = (0..<count).map { #"{"id": "e\#($0)", "url": "http://127.0.0.1:\#(port)/page/\#($0)", "source": {"type": "public"}}"# }
        let began = DispatchTime.now()
        var pending = 0
        for start in stride(from: 0, to: count, by: 1000) {
            let batch = lines[start..<min(count, start + 1000)].enumerated().map { offset, text in
                IngestInput(IngestLine(number: start + offset + 1, bytes: ArraySlice(Array(text.utf8))))
            }
            for result in try pipeline.ingest(batch) { if case .pending = result.outcome { pending += 1 } }
        }
        let accepted = seconds(since: began)
        let pass = try stage.runUntilIdle()
        let total = seconds(since: began)
        let outcomes = try store.summary()["decisions"]?.serialized ?? "{}"
        let images = pass.mediaHashed
        let cache = gateway.pdqCache.counts
        print("")
        print(
            "evidence end to end, \(distinct ? "every image a distinct file" : "the pool's 32 files repeated (PDQ cache by SHA-256)"): \(count) URL-only reports, each a page with 4 JPEGs of 1-4 MP (pool of 32, \(poolBytes / 32 / 1024) KiB on average), loopback Hummingbird hoster in the same process, SQLite, fetch concurrency 8"
        )
        print("  PDQ cache: \(cache.hits) hits, \(cache.misses) misses")
        print(
            String(
                format:
                    "  accepted (stored, pending) %d in %.2f s; decided %d in %.1f s: %.0f reports/s, %.0f images/s fetched, digested, PDQ-hashed and decided (goal: >= 1,000); %.0f MB/s read",
                pending, accepted, pass.decided, total, Double(pass.decided) / total, Double(images) / total, Double(pass.bytes) / total / 1e6))
        print("  fetches \(pass.fetches), files hashed \(pass.mediaHashed), decisions by outcome \(outcomes)")
    }

    static func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
}
