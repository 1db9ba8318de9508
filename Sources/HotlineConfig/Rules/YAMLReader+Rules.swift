import HotlineCore
import HotlineYAML

extension YAMLReader {
    /// The rule event named by `on:`, or `nil` with an error naming the events.
    mutating func event(_ node: YAMLNode) -> RuleEvent? {
        guard let text = string(node, key: "on") else { return nil }
        guard let event = RuleEvent(rawValue: text) else {
            error(
                .invalidValue, "\"on\" must be one of \(RuleEvent.allCases.map { "\"\($0)\"" }.joined(separator: ", ")), got \(YAMLReader.show(node))",
                at: node.location)
            return nil
        }
        return event
    }
}

extension YAMLNode {
    /// A scalar's text as a rule condition, with where each character was written, so that
    /// diagnostics point at the right line and column inside quotes and block scalars.
    var expressionSource: ExpressionSource? {
        guard let text = scalar, !isNull else { return nil }
        return ExpressionSource(text: text, location: contentLocation, characterLocations: characterLocations)
    }
}
