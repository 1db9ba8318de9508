/// A hint in plain words for libyaml's syntax errors, which name the parser's state ("did
/// not find expected key") rather than the usual mistake behind it.
enum YAMLSyntaxHint {
    /// The hint for `problem` at the character `found` (nil at the end of the input).
    static func hint(problem: String, found: UInt8?) -> String? {
        if found == UInt8(ascii: "\t") { return "YAML indents with spaces, never tabs" }
        if problem.contains("mapping values are not allowed") {
            return "a plain value cannot contain \": \"; quote it (\"…\"), or check that this line is not indented under a value"
        }
        if problem.contains("did not find expected key") {
            return "check the indentation: the keys of one mapping must line up, and so must the \"- \" of one list"
        }
        if problem.contains("did not find expected '-' indicator") {
            return "the items of one list must line up; a key after a list goes back to the key's own column"
        }
        if problem.contains("expected ',' or ']'") { return "a [ list ] is not closed, or a comma is missing between its items" }
        if problem.contains("expected ',' or '}'") { return "a { mapping } is not closed, or a comma is missing between its entries" }
        if problem.contains("quoted scalar") { return "a quote is not closed; a quote inside a quoted value is written \\\" (or '' inside single quotes)" }
        if problem.contains("block sequence entries are not allowed") {
            return "a list cannot follow a value on the same key; put its \"- \" items on their own lines under the key"
        }
        if problem.contains("cannot start any token") { return "a value starting with @ or ` must be quoted" }
        if problem.contains("could not find expected ':'") { return "a key is missing its \": \", or a multi-line value needs quotes" }
        return nil
    }
}
