import Foundation
import HotlineCore

/// Reads RDAP responses (RFC 9083): entities at any depth, jCard e-mail, roles, remarks.
public enum RDAPParser {
    /// Largest response read; registries answer in a few kilobytes.
    public static let maximumBytes = 1_048_576

    struct Entity {
        var handle: String?
        var roles: [String]
        var name: String?
        var emails: [String]
        /// Addresses refused by the plain-mailbox check (quoted, cut), for the notes.
        var refused: [String]
        var remarks: [String]
        var publicIDs: [(type: String, identifier: String)]
        var path: [String]
    }

    static func document(_ bytes: [UInt8]) throws(RDAPError) -> JSONObject {
        guard bytes.count <= maximumBytes else { throw RDAPError(message: "response is \(bytes.count) bytes, more than the \(maximumBytes) accepted") }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw RDAPError(message: "response is not JSON (column \(error.column): \(error.message))")
        }
        guard case .object(let object) = value else { throw RDAPError(message: "response is not a JSON object") }
        if case .number(let code)? = object["errorCode"] {
            throw RDAPError(message: "registry answered error \(Int(code))" + (object["title"]?.stringValue.map { ": \($0)" } ?? ""))
        }
        return object
    }

    /// Every entity, depth first, with the handles of the entities around it.
    static func entities(_ object: JSONObject, path: [String] = [], into result: inout [Entity], depth: Int = 0) {
        guard depth < 16, case .array(let items)? = object["entities"] else { return }
        for item in items {
            guard case .object(let entity) = item else { continue }
            var parsed = Entity(
                handle: entity["handle"]?.stringValue, roles: [], name: nil, emails: [], refused: [], remarks: [], publicIDs: [], path: path)
            if case .array(let roles)? = entity["roles"] { parsed.roles = roles.compactMap(\.stringValue) }
            if case .array(let vcard)? = entity["vcardArray"], vcard.count >= 2, case .array(let properties) = vcard[1] {
                for property in properties {
                    guard case .array(let parts) = property, parts.count >= 4, let name = parts[0].stringValue else { continue }
                    if name == "fn", let text = parts[3].stringValue, !text.isEmpty { parsed.name = text }
                    if name == "email", let text = parts[3].stringValue {
                        let email = text.hasPrefix("mailto:") ? String(text.dropFirst(7)) : text
                        // Registry data reaches SMTP and headers: only a plain mailbox is taken.
                        guard EmailAddress.isValid(email) else {
                            parsed.refused.append(Quoted.text(email))
                            continue
                        }
                        if !parsed.emails.contains(where: { $0.lowercased() == email.lowercased() }) { parsed.emails.append(email) }
                    }
                }
            }
            parsed.remarks = remarkLines(entity)
            if case .array(let ids)? = entity["publicIds"] {
                parsed.publicIDs = ids.compactMap { id in
                    guard let type = id.objectValue?["type"]?.stringValue, let identifier = id.objectValue?["identifier"]?.stringValue else { return nil }
                    return (type, identifier)
                }
            }
            result.append(parsed)
            entities(entity, path: path + [parsed.handle ?? "?"], into: &result, depth: depth + 1)
        }
    }

    static func remarkLines(_ object: JSONObject) -> [String] {
        guard case .array(let remarks)? = object["remarks"] else { return [] }
        return remarks.flatMap { remark -> [String] in
            guard case .array(let lines)? = remark.objectValue?["description"] else { return [] }
            return lines.compactMap(\.stringValue)
        }
    }

    /// Remark lines longer than this are read up to it: addresses are near the start of the
    /// lines that name them.
    static let remarkLimit = 1024

    /// The addresses in a remark line, in one linear pass (a regular expression took 33 s on
    /// a 64 KB remark).
    static func emails(in line: String) -> [String] {
        EmailAddress.scan(String(line.prefix(remarkLimit)))
    }

    /// Notes for the addresses that were refused.
    static func refusedNotes(_ entities: [Entity]) -> [String] {
        entities.flatMap { entity in entity.refused.map { "refused e-mail \($0) of entity \(entity.handle ?? "(no handle)"): not a plain address" } }
    }

    /// Reads addresses as registries write them: `062.239.237.0`, `62.239.237.0/32`.
    public static func address(_ text: String?) -> IPAddress? {
        guard var text else { return nil }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        if let address = IPAddress(text) { return address }
        let octets = text.split(separator: ".")
        guard octets.count == 4 else { return nil }
        return IPAddress(octets.map { String(Int($0) ?? 256) }.joined(separator: "."))
    }

    /// Adds `contact` unless the address is there already with at least that confidence.
    static func add(_ contact: RDAPContact, to contacts: inout [RDAPContact]) {
        if let index = contacts.firstIndex(where: { $0.email.lowercased() == contact.email.lowercased() }) {
            if contacts[index].confidence < contact.confidence { contacts[index] = contact }
            return
        }
        contacts.append(contact)
    }

    /// Reads an `/ip` answer.
    public static func network(_ bytes: [UInt8]) throws(RDAPError) -> RDAPNetwork {
        let object = try document(bytes)
        var all: [Entity] = []
        entities(object, into: &all)
        var network = RDAPNetwork(
            handle: object["handle"]?.stringValue, name: object["name"]?.stringValue,
            country: object["country"]?.stringValue?.uppercased(), start: address(object["startAddress"]?.stringValue),
            end: address(object["endAddress"]?.stringValue), parentHandle: object["parentHandle"]?.stringValue,
            organisation: all.first(where: { $0.roles.contains("registrant") && $0.name != nil })?.name, contacts: [], notes: [])

        let abuseEntities = all.filter { $0.roles.contains("abuse") && !$0.emails.isEmpty }
        let others = all.filter { !$0.roles.contains("abuse") }
        // A national IRT standing in as abuse-c: prefer the network's own abuse@ address.
        let isIRT = { (entity: Entity) in (entity.handle ?? "").uppercased().hasPrefix("IRT-") }
        let ownAbuse = others.flatMap { entity in entity.emails.filter { $0.lowercased().hasPrefix("abuse@") }.map { (entity, $0) } }
        for entity in abuseEntities {
            let irt = isIRT(entity) && !ownAbuse.isEmpty
            for email in entity.emails {
                add(
                    RDAPContact(
                        email: email, confidence: irt ? 60 : 90,
                        basis: irt
                            ? "abuse role held by the national IRT \(entity.handle ?? "")"
                            : "abuse role of entity \(entity.handle ?? "(no handle)")"
                                + (entity.path.isEmpty ? "" : " inside \(entity.path.joined(separator: " > "))"), entity: entity.handle), to: &network.contacts)
            }
            if irt {
                for (owner, email) in ownAbuse {
                    add(
                        RDAPContact(
                            email: email, confidence: 75, basis: "the network's own abuse address in entity \(owner.handle ?? "")", entity: owner.handle),
                        to: &network.contacts)
                }
                network.notes.append("the abuse role belongs to the national IRT \(entity.handle ?? ""); the network's own abuse address is preferred")
            }
        }
        if abuseEntities.isEmpty { network.notes.append("no entity with role abuse") }
        for line in remarkLines(object) + all.flatMap(\.remarks) where line.lowercased().contains("abuse") || line.lowercased().contains("spam") {
            for email in emails(in: line) {
                add(RDAPContact(email: email, confidence: 50, basis: "named in remarks: \(Quoted.text(line))"), to: &network.contacts)
            }
        }
        for entity in others {
            for email in entity.emails {
                let roles = entity.roles.isEmpty ? "no role" : entity.roles.joined(separator: ", ")
                add(
                    RDAPContact(email: email, confidence: 40, basis: "e-mail of entity \(entity.handle ?? "(no handle)") (\(roles))", entity: entity.handle),
                    to: &network.contacts)
            }
        }
        network.notes += refusedNotes(all)
        network.contacts.sort { $0.confidence > $1.confidence }
        if network.contacts.isEmpty, let parent = network.parentHandle { network.notes.append("no e-mail at all; ask the parent network \(parent)") }
        return network
    }

    /// Reads a `/domain` answer: the registrar and its abuse contact.
    public static func domain(_ bytes: [UInt8]) throws(RDAPError) -> RDAPDomain {
        let object = try document(bytes)
        var all: [Entity] = []
        entities(object, into: &all)
        var domain = RDAPDomain(name: object["ldhName"]?.stringValue?.lowercased(), registrar: nil, registrarIANAID: nil, registrarContacts: [], notes: [])
        guard let registrar = all.first(where: { $0.roles.contains("registrar") }) else {
            domain.notes.append("no registrar entity")
            return domain
        }
        domain.registrar = registrar.name ?? registrar.handle
        domain.registrarIANAID = registrar.publicIDs.first { $0.type == "IANA Registrar ID" }.flatMap { Int($0.identifier) }
        let handle = registrar.handle ?? ""
        for entity in all where entity.roles.contains("abuse") && entity.path.last == (registrar.handle ?? "?") {
            for email in entity.emails {
                add(
                    RDAPContact(email: email, confidence: 90, basis: "abuse contact of registrar \(domain.registrar ?? handle)", entity: entity.handle),
                    to: &domain.registrarContacts)
            }
        }
        for email in registrar.emails {
            add(
                RDAPContact(email: email, confidence: 40, basis: "e-mail of registrar \(domain.registrar ?? handle)", entity: registrar.handle),
                to: &domain.registrarContacts)
        }
        domain.notes += refusedNotes(all)
        domain.registrarContacts.sort { $0.confidence > $1.confidence }
        if domain.registrarContacts.isEmpty { domain.notes.append("the registrar entity has no abuse e-mail") }
        return domain
    }
}
