import HotlineCore
import HotlineYAML

/// Reads rule actions from YAML: a list of one-key mappings such as
/// `- notify: { to: hosting, template: ntd-first, deadline: 24h }`.
public enum ActionParser {
    /// The action names.
    public static let names = ActionKind.allCases.map(\.rawValue)

    /// Reads a list of actions (or one action mapping); invalid actions are reported and left out.
    public static func actions(_ node: YAMLNode, key: String, reader: inout YAMLReader) -> [Action] {
        guard let items = reader.sequence(node, key: key, allowSingle: true) else { return [] }
        if items.isEmpty {
            reader.error(.invalidValue, "\"\(key)\" must list at least one action", at: node.location)
        }
        return items.compactMap { action($0, reader: &reader) }
    }

    /// Reads one action.
    public static func action(_ node: YAMLNode, reader: inout YAMLReader) -> Action? {
        if let name = node.scalar, !node.isNull {
            // `- escalate` without arguments is a common slip; say what is missing.
            if let kind = ActionKind(rawValue: name) {
                reader.error(.invalidValue, "action \"\(name)\" needs arguments, e.g. \(example(kind))", at: node.location)
            } else {
                unknown(name, at: node.location, reader: &reader)
            }
            return nil
        }
        guard case .mapping(let pairs) = node.kind, pairs.count == 1, let name = pairs[0].key.scalar else {
            reader.error(.invalidValue, "an action must be a mapping with one key (\(names.joined(separator: ", "))), got \(node.kindName)", at: node.location)
            return nil
        }
        let value = pairs[0].value
        guard let kind = ActionKind(rawValue: name) else {
            unknown(name, at: pairs[0].key.location, reader: &reader)
            return nil
        }
        switch kind {
        case .notify:
            guard let fields = reader.mapping(value, allowed: ["to", "template", "deadline", "batch_window"], required: ["to", "template"], what: "notify")
            else { return nil }
            var recipient: DispatchTarget?
            if let node = fields["to"], let text = reader.string(node, key: "to") {
                recipient = DispatchTarget.notify(text)
                if recipient == nil {
                    reader.error(
                        .invalidValue, "\"to\" of notify must be hosting, registrar, upstream or contact:NAME, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            let template = fields["template"].flatMap { reader.string($0, key: "template") }
            let deadline = fields["deadline"].map { reader.duration($0, key: "deadline") } ?? Action.defaultDeadline
            let window = fields["batch_window"].flatMap { reader.duration($0, key: "batch_window") }
            guard let recipient, let template, let deadline else { return nil }
            if fields["batch_window"] != nil && window == nil { return nil }
            return .notify(to: recipient, template: template, deadline: deadline, batchWindow: window)
        case .forward:
            guard let fields = reader.mapping(value, allowed: ["to", "template", "reason", "police_first"], required: ["to"], what: "forward") else {
                return nil
            }
            var target: DispatchTarget?
            if let node = fields["to"], let text = reader.string(node, key: "to") {
                target = DispatchTarget.forward(text)
                if target == nil {
                    reader.error(.invalidValue, "\"to\" of forward must be partner, police or contact:NAME, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            let template = fields["template"].flatMap { reader.string($0, key: "template") }
            let reason = fields["reason"].flatMap { reader.string($0, key: "reason") }
            let policeFirst = fields["police_first"].map { reader.bool($0, key: "police_first") } ?? false
            guard let target, let policeFirst else { return nil }
            return .forward(to: target, template: template, reason: reason, policeFirst: policeFirst)
        case .escalate:
            guard let fields = reader.mapping(value, allowed: ["queue", "reason", "priority"], required: ["reason"], what: "escalate") else { return nil }
            let queue = fields["queue"].map { reader.string($0, key: "queue") } ?? "analysts"
            let reason = fields["reason"].flatMap { reader.string($0, key: "reason") }
            var priority: EscalationPriority? = .normal
            if let node = fields["priority"] {
                priority = node.scalar.flatMap(EscalationPriority.init(rawValue:))
                if priority == nil {
                    reader.error(.invalidValue, "\"priority\" must be low, normal or high, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            guard let queue, let reason, let priority else { return nil }
            return .escalate(queue: queue, reason: reason, priority: priority)
        case .close:
            if case .mapping = value.kind {
                guard let fields = reader.mapping(value, allowed: ["reason"], required: ["reason"], what: "close"),
                    let node = fields["reason"], let reason = reader.string(node, key: "reason")
                else { return nil }
                return .close(reason: reason)
            }
            guard let reason = reader.string(value, key: "close") else { return nil }
            return .close(reason: reason)
        case .tag:
            guard let name = reader.string(value, key: "tag") else { return nil }
            return .tag(name)
        }
    }

    private static func unknown(_ name: String, at location: SourceLocation, reader: inout YAMLReader) {
        var message = "unknown action \"\(name)\"; expected one of \(names.joined(separator: ", "))"
        if let suggestion = YAMLReader.suggest(name, from: names) { message = "unknown action \"\(name)\"; did you mean \"\(suggestion)\"?" }
        reader.error(.unknownAction, message, at: location)
    }

    private static func example(_ kind: ActionKind) -> String {
        switch kind {
        case .notify: "notify: { to: hosting, template: ntd-first }"
        case .forward: "forward: { to: partner }"
        case .escalate: "escalate: { reason: \"...\" }"
        case .close: "close: duplicate"
        case .tag: "tag: NAME"
        }
    }
}
