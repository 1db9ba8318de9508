import CXML2
import Foundation

/// An XML document read with libxml2 into plain values: element names without their
/// namespace, attributes, text, children. The network is off and entities are not
/// expanded (XML_PARSE_NONET, no XML_PARSE_NOENT), so a response cannot make the parser
/// fetch or blow up anything.
struct XMLTree: Sendable {
    var name: String
    var attributes: [String: String]
    var text: String
    var children: [XMLTree]

    /// The first child named `name`.
    func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Parses `bytes`, or `nil` when they are not well-formed XML.
    static func parse(_ bytes: [UInt8]) -> XMLTree? {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return nil }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOBLANKS.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), "response.xml", "UTF-8", options)
            }
        }
        guard let document else { return nil }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return nil }
        return tree(root, depth: 0)
    }

    private static func tree(_ node: UnsafeMutablePointer<xmlNode>, depth: Int) -> XMLTree {
        var element = XMLTree(name: String(cString: node.pointee.name), attributes: [:], text: "", children: [])
        var attribute = node.pointee.properties
        while let current = attribute {
            let key = String(cString: current.pointee.name)
            if let value = xmlGetProp(node, current.pointee.name) {
                element.attributes[key] = String(cString: value)
                hotline_xml_free(value)
            }
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, depth < 32 {
                element.children.append(tree(current, depth: depth + 1))
            } else if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE, let content = current.pointee.content {
                element.text += String(cString: content)
            }
            child = current.pointee.next
        }
        element.text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return element
    }
}
