import HotlineYAML

extension YAMLReader {
    /// The secret a section names with `password_env` or `password_file` (one of them, not
    /// both); `nil` when it names none.
    mutating func secret(
        _ fields: [String: YAMLNode], section: String, resolve: (String) -> String, variableKey: String = "password_env", fileKey: String = "password_file"
    ) -> Secret? {
        let variable = fields[variableKey].flatMap { string($0, key: variableKey) }
        let file = fields[fileKey].flatMap { string($0, key: fileKey) }.map(resolve)
        if variable != nil, file != nil, let node = fields[fileKey] {
            error(.invalidValue, "give the \(section) password in \(variableKey) or \(fileKey), not both", at: node.location)
        }
        if let variable { return .environment(variable, namedBy: "\(section).\(variableKey)") }
        return file.map { .file($0, namedBy: "\(section).\(fileKey)") }
    }
}
