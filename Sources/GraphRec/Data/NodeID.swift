/// A user's or a movie's id as the data set spells it: a number (MovieLens)
/// or any text (a generic rating table with ids such as "u_17" or an ISBN).
///
/// Inside recsh nodes are dense indices; a `NodeID` is only what people type
/// and what output shows. A data set's ids of one kind are either all
/// numbers or all text (`Dataset.userIDsAreNumbers`), so JSON writes them
/// as integers or as strings consistently.
public enum NodeID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable,
    ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    case number(Int)
    case text(String)

    public init(integerLiteral value: Int) { self = .number(value) }
    public init(stringLiteral value: String) { self = .text(value) }

    public var description: String {
        switch self {
        case .number(let n): return String(n)
        case .text(let s): return s
        }
    }

    /// The number, when the id is one.
    public var number: Int? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// Numbers before text; numbers by value, text by code points.
    public static func < (a: NodeID, b: NodeID) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.number, .text): return true
        case (.text, .number): return false
        case (.text(let x), .text(let y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .text(let s): try c.encode(s)
        }
    }
}
