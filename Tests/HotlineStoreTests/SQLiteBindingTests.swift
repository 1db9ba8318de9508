import Foundation
import Testing

@testable import HotlineStore

/// The embedded store binds values through SQLite's C functions: what goes in must come back
/// as it was, and a statement given the wrong number of values must fail, not run.
@Suite struct SQLiteBindingTests {
    private func withStore(_ body: (SQLiteStore) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "hotline-binding-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        try store.writing { try $0.script("CREATE TABLE scratch (t TEXT, b BLOB, i INTEGER, r REAL)") }
        try body(store)
    }

    @Test func valuesComeBackAsTheyWentIn() throws {
        try withStore { (store: SQLiteStore) throws in
            try store.writing { db in
                try db.execute("INSERT INTO scratch (t, b, i, r) VALUES (?, ?, ?, ?)", [.text("a\u{0}b é"), .blob([0, 1, 255]), .integer(-7), .real(0.5)])
                try db.execute("INSERT INTO scratch (t, b, i, r) VALUES (?, ?, ?, ?)", [.text(""), .blob([]), .null, .null])
            }
            let rows = try store.reading { db in
                try db.rows(
                    "SELECT t, hex(t) AS th, length(CAST(t AS BLOB)) AS tl, typeof(t) AS tt, b, typeof(b) AS bt, i, r FROM scratch ORDER BY rowid", [])
            }
            #expect(rows.count == 2)
            // A NUL inside the text is stored and read back as part of it, not taken as its end.
            #expect(try rows[0].text("th") == "61006220C3A9")
            #expect(try rows[0].text("t") == "a\u{0}b é")
            #expect(try rows[0].integer("tl") == 6)
            #expect(try rows[0].blob("b") == [0, 1, 255])
            #expect(try rows[0].integer("i") == -7)
            #expect(try rows[0].double("r") == 0.5)
            // Empty is not NULL.
            #expect(try rows[1].text("tt") == "text")
            #expect(try rows[1].text("t") == "")
            #expect(try rows[1].text("bt") == "blob")
            #expect(try rows[1].optionalInteger("i") == nil)
        }
    }

    @Test func aStatementGivenTheWrongNumberOfValuesFails() throws {
        try withStore { (store: SQLiteStore) throws in
            #expect(throws: (any Error).self) {
                try store.writing { try $0.execute("INSERT INTO scratch (t, i) VALUES (?, ?)", [.text("only one")]) }
            }
            #expect(throws: (any Error).self) {
                try store.writing { try $0.execute("INSERT INTO scratch (t) VALUES (?)", [.text("one"), .text("too many")]) }
            }
            #expect(try store.reading { try $0.row("SELECT COUNT(*) AS n FROM scratch", [])?.integer("n") } == 0)
        }
    }

    @Test func aStatementThatFailedRunsAgainWithNewValues() throws {
        try withStore { (store: SQLiteStore) throws in
            try store.writing { try $0.script("CREATE UNIQUE INDEX scratch_t ON scratch (t)") }
            try store.writing { db in
                try db.execute("INSERT INTO scratch (t) VALUES (?)", [.text("x")])
                // The same cached statement fails on the duplicate, and the caller goes on.
                #expect(throws: (any Error).self) { try db.execute("INSERT INTO scratch (t) VALUES (?)", [.text("x")]) }
                try db.execute("INSERT INTO scratch (t) VALUES (?)", [.text("y")])
            }
            #expect(try store.reading { try $0.rows("SELECT t FROM scratch ORDER BY t", []).map { try $0.text("t") } } == ["x", "y"])
        }
    }
}
