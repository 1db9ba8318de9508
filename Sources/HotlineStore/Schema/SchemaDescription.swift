import Foundation
import GRDB

/// A database's live schema in terms both databases share, so the SQLite and PostgreSQL
/// schemas can be compared: tables, columns with a portable type and nullability, primary
/// keys, indexes (unique, columns, partial), foreign keys, the columns with CHECK
/// constraints, and which tables refuse UPDATE and DELETE.
///
/// What differs by design is named, not hidden: PostgreSQL's `seq` columns stand in for
/// SQLite's rowid (insertion order), and each database's migration bookkeeping is left out.
struct SchemaDescription: Equatable, CustomStringConvertible {
    /// One table.
    struct Table: Equatable {
        var columns: [String: Column] = [:]
        var primaryKey: [String] = []
        var indexes: [String: Index] = [:]
        var foreignKeys: Set<String> = []
        var checkedColumns: Set<String> = []
        var appendOnly: Set<String> = []
    }

    /// One column.
    struct Column: Equatable, CustomStringConvertible {
        /// text, integer, real or blob.
        var type: String
        var nullable: Bool
        var description: String { type + (nullable ? "" : " not null") }
    }

    /// One index.
    struct Index: Equatable, CustomStringConvertible {
        var unique: Bool
        var columns: [String]
        var partial: Bool
        var description: String { "\(unique ? "unique " : "")(\(columns.joined(separator: ", ")))\(partial ? " partial" : "")" }
    }

    var tables: [String: Table] = [:]

    /// Tables that only keep each database's own bookkeeping.
    static let bookkeeping: Set<String> = ["grdb_migrations", "schema_migrations", "sqlite_sequence"]
    /// PostgreSQL's insertion-order columns, which SQLite has as the rowid.
    static let insertionOrderColumn = "seq"

    /// The differences from `other`, one line each; empty when they describe the same schema.
    func differences(from other: SchemaDescription, names: (String, String)) -> [String] {
        var lines: [String] = []
        for name in Set(tables.keys).union(other.tables.keys).sorted() {
            guard let left = tables[name] else {
                lines.append("table \(name): only in \(names.1)")
                continue
            }
            guard let right = other.tables[name] else {
                lines.append("table \(name): only in \(names.0)")
                continue
            }
            for column in Set(left.columns.keys).union(right.columns.keys).sorted() where left.columns[column] != right.columns[column] {
                lines.append(
                    "\(name).\(column): \(names.0) \(left.columns[column].map(\.description) ?? "absent"), \(names.1) \(right.columns[column].map(\.description) ?? "absent")"
                )
            }
            if left.primaryKey != right.primaryKey {
                lines.append(
                    "\(name) primary key: \(names.0) (\(left.primaryKey.joined(separator: ", "))), \(names.1) (\(right.primaryKey.joined(separator: ", ")))")
            }
            for index in Set(left.indexes.keys).union(right.indexes.keys).sorted() where left.indexes[index] != right.indexes[index] {
                lines.append(
                    "\(name) index \(index): \(names.0) \(left.indexes[index].map(\.description) ?? "absent"), \(names.1) \(right.indexes[index].map(\.description) ?? "absent")"
                )
            }
            for (label, a, b) in [
                ("foreign keys", left.foreignKeys, right.foreignKeys), ("checked columns", left.checkedColumns, right.checkedColumns),
                ("append-only", left.appendOnly, right.appendOnly),
            ] where a != b {
                lines.append("\(name) \(label): \(names.0) [\(a.sorted().joined(separator: ", "))], \(names.1) [\(b.sorted().joined(separator: ", "))]")
            }
        }
        return lines
    }

    var description: String {
        tables.keys.sorted().map { name in
            let table = tables[name]!
            return "\(name): " + table.columns.keys.sorted().map { "\($0) \(table.columns[$0]!)" }.joined(separator: ", ")
        }.joined(separator: "\n")
    }

    /// Lowercase names of what a column with SQLite type affinity `declared` holds.
    static func portableType(_ declared: String) -> String {
        let type = declared.lowercased()
        if type.contains("int") || type.contains("serial") { return "integer" }
        if type.contains("char") || type.contains("text") || type.contains("clob") { return "text" }
        if type.contains("blob") || type.contains("bytea") || type.isEmpty { return "blob" }
        if type.contains("real") || type.contains("floa") || type.contains("doub") || type.contains("numeric") { return "real" }
        return type
    }

    /// The columns a CREATE INDEX statement names, in order.
    static func indexColumns(_ definition: String) -> [String] {
        guard let open = definition.firstIndex(of: "("), let close = definition[open...].firstIndex(of: ")") else { return [] }
        return definition[definition.index(after: open)..<close].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
        }
    }
}

extension SchemaDescription {
    /// The schema of a SQLite database.
    static func read(_ db: Database) throws -> SchemaDescription {
        var schema = SchemaDescription()
        let tables = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        for row in tables {
            let name: String = row["name"]
            guard !bookkeeping.contains(name) else { continue }
            let sql: String = row["sql"]
            var table = Table()
            var keyed: [(Int, String)] = []
            for column in try Row.fetchAll(db, sql: "PRAGMA table_info(\(name))") {
                let columnName: String = column["name"]
                let key: Int = column["pk"]
                // A primary-key column is NOT NULL whatever its declaration says (PostgreSQL makes it so).
                let notNull: Bool = column["notnull"] || key > 0
                table.columns[columnName] = Column(type: portableType(column["type"]), nullable: !notNull)
                if key > 0 { keyed.append((key, columnName)) }
                if sql.range(of: "\(columnName) [^,]*CHECK", options: .regularExpression) != nil { table.checkedColumns.insert(columnName) }
            }
            table.primaryKey = keyed.sorted { $0.0 < $1.0 }.map(\.1)
            for index in try Row.fetchAll(db, sql: "PRAGMA index_list(\(name))") {
                let indexName: String = index["name"]
                let origin: String = index["origin"]
                let columns = try Row.fetchAll(db, sql: "PRAGMA index_info(\(indexName))").map { $0["name"] as String }
                // Indexes a PRIMARY KEY or UNIQUE column makes are named by SQLite itself.
                let key = origin == "c" ? indexName : "\(origin == "pk" ? "primary" : "unique")(\(columns.joined(separator: ",")))"
                guard origin != "pk" else { continue }
                table.indexes[key] = Index(unique: index["unique"], columns: columns, partial: index["partial"])
            }
            for key in try Row.fetchAll(db, sql: "PRAGMA foreign_key_list(\(name))") {
                table.foreignKeys.insert("\(key["from"] as String) -> \(key["table"] as String)(\(key["to"] as String? ?? "id"))")
            }
            schema.tables[name] = table
        }
        for trigger in try Row.fetchAll(db, sql: "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'") {
            let sql = (trigger["sql"] as String).uppercased()
            guard sql.contains("RAISE(ABORT") else { continue }
            let table: String = trigger["tbl_name"]
            if sql.contains("BEFORE UPDATE") { schema.tables[table]?.appendOnly.insert("update") }
            if sql.contains("BEFORE DELETE") { schema.tables[table]?.appendOnly.insert("delete") }
        }
        return schema
    }

    /// The schema of the PostgreSQL database `session` is connected to (its current schema).
    static func read(_ session: PostgresSession) throws -> SchemaDescription {
        var schema = SchemaDescription()
        for row in try session.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'") {
            let name = try row.text("table_name")
            guard !bookkeeping.contains(name) else { continue }
            schema.tables[name] = Table()
        }
        for row in try session.rows(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema()")
        {
            let table = try row.text("table_name")
            let column = try row.text("column_name")
            guard schema.tables[table] != nil, column != insertionOrderColumn || table == "audit_log" else { continue }
            schema.tables[table]?.columns[column] = Column(type: portableType(try row.text("data_type")), nullable: try row.text("is_nullable") == "YES")
        }
        let constraints = try session.rows(
            """
            SELECT c.conrelid::regclass::text AS table_name, c.contype::text AS kind, pg_get_constraintdef(c.oid) AS definition,
                   array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n), ',') AS columns,
                   COALESCE((SELECT f.relname FROM pg_class f WHERE f.oid = c.confrelid), '') AS target,
                   COALESCE(array_to_string(ARRAY(SELECT a.attname FROM unnest(c.confkey) k(attnum) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum), ','), '') AS target_columns
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()
            """)
        for row in constraints {
            let table = try row.text("table_name")
            guard schema.tables[table] != nil else { continue }
            let columns = try row.text("columns").split(separator: ",").map(String.init)
            switch try row.text("kind") {
            case "p": schema.tables[table]?.primaryKey = columns
            case "f":
                schema.tables[table]?.foreignKeys.insert("\(columns.joined(separator: ",")) -> \(try row.text("target"))(\(try row.text("target_columns")))")
            case "c": for column in columns { schema.tables[table]?.checkedColumns.insert(column) }
            case "u" where columns != [insertionOrderColumn]:
                schema.tables[table]?.indexes["unique(\(columns.joined(separator: ",")))"] = Index(unique: true, columns: columns, partial: false)
            default: break
            }
        }
        for row in try session.rows("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()") {
            let table = try row.text("tablename")
            let name = try row.text("indexname")
            let definition = try row.text("indexdef")
            // Constraint-backed indexes (primary keys, UNIQUE) are described with their constraints.
            guard schema.tables[table] != nil, !name.hasSuffix("_pkey"), !name.hasSuffix("_key") else { continue }
            schema.tables[table]?.indexes[name] = Index(
                unique: definition.hasPrefix("CREATE UNIQUE"), columns: indexColumns(definition), partial: definition.contains(" WHERE "))
        }
        for row in try session.rows(
            "SELECT event_object_table AS table_name, event_manipulation AS event FROM information_schema.triggers WHERE trigger_schema = current_schema() AND action_timing = 'BEFORE'"
        ) {
            schema.tables[try row.text("table_name")]?.appendOnly.insert(try row.text("event").lowercased())
        }
        return schema
    }
}
