/// A pointer FFmpeg only reads, shared with the parts' threads.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
