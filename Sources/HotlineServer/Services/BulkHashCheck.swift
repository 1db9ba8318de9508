import Foundation
import HotlineCore
import HotlineHashing

/// Checks up to ``limit`` hashes at once for a hoster cleaning its own servers: per hash,
/// match or not, with the classification and the list's name, never anything else the list
/// holds (a PDQ match gives its distance, not the listed hash).
struct BulkHashCheck {
    /// Hashes per request.
    static let limit = 10_000

    /// One answer.
    struct Answer {
        var algorithm: HashAlgorithm?
        var value: String
        var match: Bool = false
        var classification: HashClassification?
        var list: String?
        var distance: Int?
        var error: String?

        var json: JSONValue {
            var object: JSONObject = [:]
            if let algorithm { object.append("algorithm", .string(algorithm.rawValue)) }
            object.append("value", .string(value))
            if let error {
                object.append("error", .string(error))
                return .object(object)
            }
            object.append("match", .bool(match))
            if let classification { object.append("classification", .string(classification.rawValue)) }
            if let list { object.append("list", .string(list)) }
            if let distance { object.append("distance", .number(Double(distance))) }
            return .object(object)
        }
    }

    let index: HashIndex
    /// The largest PDQ distance a caller may ask for (the gateway's own threshold).
    let pdqThreshold: Int

    /// The answer for one item: `{"algorithm": "md5", "value": "…"}`, `{"md5": "…"}`, and for
    /// PDQ an optional `"distance"`. A bad item gets an error of its own; the rest go on.
    func check(_ item: JSONValue) -> Answer {
        guard case .object(let object) = item else { return Answer(value: "", error: "an item must be an object, got \(item.typeName)") }
        var algorithm: HashAlgorithm?
        var text: String?
        if case .string(let name)? = object["algorithm"] {
            algorithm = HashAlgorithm(rawValue: name.lowercased())
            if algorithm == nil { return Answer(value: "", error: "\"algorithm\" must be md5, sha1, sha256 or pdq, got \(Quoted.text(name))") }
            if case .string(let value)? = object["value"] { text = value }
        } else {
            let given = HashAlgorithm.allCases.compactMap { candidate -> (HashAlgorithm, String)? in
                if case .string(let value)? = object[candidate.rawValue] { (candidate, value) } else { nil }
            }
            guard given.count == 1 else { return Answer(value: "", error: "give \"algorithm\" and \"value\", or exactly one of md5, sha1, sha256, pdq") }
            (algorithm, text) = (given[0].0, given[0].1)
        }
        guard let algorithm, let text else { return Answer(value: "", error: "\"value\" is missing") }
        guard let value = algorithm.normalize(text) else {
            return Answer(algorithm: algorithm, value: String(text.prefix(80)), error: "\(algorithm.rawValue) must be \(algorithm.hexLength) hex digits")
        }
        var answer = Answer(algorithm: algorithm, value: value)
        var threshold: Int?
        if algorithm == .pdq, let given = object["distance"] {
            guard case .number(let number) = given, number == number.rounded(), number >= 0, Int(number) <= pdqThreshold else {
                return Answer(algorithm: algorithm, value: value, error: "\"distance\" must be a whole number from 0 to \(pdqThreshold)")
            }
            threshold = Int(number)
        }
        if let best = index.matches(algorithm, value, pdqThreshold: threshold ?? pdqThreshold).first {
            answer.match = true
            answer.classification = best.classification
            answer.list = best.list
            if algorithm == .pdq { answer.distance = best.distance }
        }
        return answer
    }
}
