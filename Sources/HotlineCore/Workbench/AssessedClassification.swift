/// What an analyst found the material to be: the INHOPE categories, illegal in some
/// countries only, or not illegal at all. A decision carries it, and a confirmed verdict
/// turns it into the hotline's own hash memory.
public enum AssessedClassification: String, Hashable, Sendable, CaseIterable {
    /// The INTERPOL baseline: illegal in every country.
    case baseline
    /// Youngest age group, most severe.
    case A1
    /// Youngest age group.
    case A2
    /// Older age group, most severe.
    case B1
    /// Older age group.
    case B2
    /// Illegal here, not everywhere (a forward abroad may go nowhere).
    case nationallyIllegal = "nationally_illegal"
    /// Not illegal: confirmed, its hashes go on the false-positive list.
    case notIllegal = "not_illegal"

    /// The X-ARF classification a notice states; `nil` where X-ARF has none.
    public var reportClassification: Classification? { Classification(rawValue: rawValue) }

    /// What a list entry of the assessed hashes says; `nil` for not illegal (those go on the
    /// false-positive list instead).
    public var hashClassification: HashClassification? {
        switch self {
        case .notIllegal: nil
        case .nationallyIllegal: .nationallyIllegal
        default: HashClassification(rawValue: rawValue)
        }
    }

    /// Every value, for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
