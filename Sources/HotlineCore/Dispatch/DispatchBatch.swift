import Foundation

/// Waiting items that go out as one notice: the same ``DispatchItem/batchKey``, due when the
/// oldest item's batch window ends. The worker batches by these, and
/// `hotline dispatch pending` shows them, so both say the same.
public struct DispatchBatch: Sendable {
    /// The items' shared key.
    public var key: String
    /// The items, in the order they came.
    public var items: [DispatchItem]
    /// When the batch goes: the earliest of its items' due times.
    public var dueAt: Date

    /// The batches of `items`, in the order their first item came.
    public static func batches(of items: [DispatchItem]) -> [DispatchBatch] {
        var batches: [DispatchBatch] = []
        var index: [String: Int] = [:]
        for item in items {
            if let position = index[item.batchKey] {
                batches[position].items.append(item)
                batches[position].dueAt = min(batches[position].dueAt, item.dueAt)
            } else {
                index[item.batchKey] = batches.count
                batches.append(DispatchBatch(key: item.batchKey, items: [item], dueAt: item.dueAt))
            }
        }
        return batches
    }
}
