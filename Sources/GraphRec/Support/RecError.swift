/// An error a user caused and can fix: a bad argument, a malformed file line,
/// an unknown id. The message names what is at fault and, where it helps,
/// what to do instead. Programmer errors are preconditions, not `RecError`s.
public struct RecError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
