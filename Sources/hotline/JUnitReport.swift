import Foundation

/// Rule test results as JUnit XML, the format CI systems show as test reports: one
/// `testsuite` per test file, one `testcase` per test, a `failure` with expected versus got.
struct JUnitReport {
    private struct Case {
        var name: String
        var failures: [String]
        var seconds: Double
    }
    private var suites: [(file: String, cases: [Case], error: String?)] = []

    mutating func add(file: String, test: String, failures: [String], seconds: Double) {
        if suites.last?.file != file { suites.append((file, [], nil)) }
        suites[suites.count - 1].cases.append(Case(name: test, failures: failures, seconds: seconds))
    }

    /// A file whose tests could not run at all.
    mutating func error(file: String, message: String) {
        suites.append((file, [], message))
    }

    var xml: String {
        let tests = suites.reduce(0) { $0 + $1.cases.count }
        let failures = suites.reduce(0) { $0 + $1.cases.filter { !$0.failures.isEmpty }.count }
        let errors = suites.filter { $0.error != nil }.count
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        text += "<testsuites name=\"hotline rules test\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
        for suite in suites {
            let suiteFailures = suite.cases.filter { !$0.failures.isEmpty }.count
            text +=
                "  <testsuite name=\"\(Self.escape(suite.file))\" tests=\"\(suite.cases.count)\" failures=\"\(suiteFailures)\" errors=\"\(suite.error == nil ? 0 : 1)\">\n"
            if let error = suite.error {
                text +=
                    "    <testcase name=\"load\" classname=\"\(Self.escape(suite.file))\"><error message=\"the tests did not load\">\(Self.escape(error))</error></testcase>\n"
            }
            for test in suite.cases {
                text +=
                    "    <testcase name=\"\(Self.escape(test.name))\" classname=\"\(Self.escape(suite.file))\" time=\"\(String(format: "%.4f", test.seconds))\""
                if test.failures.isEmpty {
                    text += "/>\n"
                } else {
                    let first = test.failures[0].components(separatedBy: "\n").first ?? ""
                    text +=
                        ">\n      <failure message=\"\(Self.escape(first))\">\(Self.escape(test.failures.joined(separator: "\n")))</failure>\n    </testcase>\n"
                }
            }
            text += "  </testsuite>\n"
        }
        return text + "</testsuites>\n"
    }

    /// XML text and attribute escaping; control characters other than tab and line breaks are
    /// not allowed in XML 1.0 at all, so they are dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default: if scalar.value >= 0x20 { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
