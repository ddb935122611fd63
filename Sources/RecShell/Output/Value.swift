/// A value a command shows: a field, a table cell or a piece of JSON.
/// Objects keep their key order, so output reads the way the command built it.
public indirect enum Value: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object([(String, Value)])

    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Plain text for tables, CSV and Markdown; `decimals` applies to doubles.
    public func text(decimals: Int? = nil) -> String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "yes" : "no"
        case .int(let i): return String(i)
        case .double(let d): return Value.format(d, decimals: decimals)
        case .string(let s): return s
        case .array(let items): return items.map { $0.text(decimals: decimals) }.joined(separator: ", ")
        case .object(let pairs): return pairs.map { "\($0.0)=\($0.1.text(decimals: decimals))" }.joined(separator: " ")
        }
    }

    static func format(_ d: Double, decimals: Int?) -> String {
        guard d.isFinite else { return d.isNaN ? "nan" : (d > 0 ? "inf" : "-inf") }
        guard let decimals else {
            if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
            return String(d)
        }
        return fixed(d, decimals: decimals)
    }

    /// Fixed-point formatting without Foundation's locale-dependent paths.
    static func fixed(_ d: Double, decimals: Int) -> String {
        let scale = (0..<decimals).reduce(1.0) { r, _ in r * 10 }
        let scaled = (abs(d) * scale).rounded()
        guard scaled < 9e15 else { return String(d) }
        let n = Int(scaled)
        let whole = n / Int(scale)
        let frac = n % Int(scale)
        let sign = d < 0 && n != 0 ? "-" : ""
        if decimals == 0 { return sign + String(whole) }
        let fracText = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fracText.count) + fracText
    }

    public var isNumber: Bool {
        switch self {
        case .int, .double: true
        default: false
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}
