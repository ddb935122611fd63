/// The `key=value` options of one command, with typed, validated access.
///
/// Every getter names the key in its error, so `epochs=abc` answers
/// "epochs: expected a whole number, got 'abc'". `checkKnown` rejects
/// misspelt keys before anything runs, so a bad option changes nothing.
public struct OptionValues: Sendable, Equatable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(key: String) -> String? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public func has(_ key: String) -> Bool { values[key] != nil }

    /// Throws if any key is not in `known`, naming it and the accepted keys.
    public func checkKnown(_ known: [String], command: String) throws {
        for key in values.keys.sorted() where !known.contains(key) {
            let list = known.sorted().joined(separator: ", ")
            throw RecError("\(command): unknown option '\(key)' (accepted: \(list.isEmpty ? "none" : list))")
        }
    }

    public func string(_ key: String, default value: String) -> String { values[key] ?? value }

    public func int(_ key: String, default value: Int, range: ClosedRange<Int>? = nil) throws -> Int {
        guard let text = values[key] else { return value }
        guard let v = Int(text) else { throw RecError("\(key): expected a whole number, got '\(text)'") }
        if let range, !range.contains(v) {
            throw RecError("\(key): \(v) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    public func float(_ key: String, default value: Float, range: ClosedRange<Float>? = nil) throws -> Float {
        guard let text = values[key] else { return value }
        guard let v = Float(text), v.isFinite else { throw RecError("\(key): expected a number, got '\(text)'") }
        if let range, !range.contains(v) {
            throw RecError("\(key): \(text) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// on/off, true/false, yes/no, 1/0.
    public func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let text = values[key]?.lowercased() else { return value }
        switch text {
        case "on", "true", "yes", "1": return true
        case "off", "false", "no", "0": return false
        default: throw RecError("\(key): expected on or off, got '\(text)'")
        }
    }

    /// One of a fixed set of words.
    public func choice(_ key: String, default value: String, from allowed: [String]) throws -> String {
        guard let text = values[key] else { return value }
        guard allowed.contains(text) else {
            throw RecError("\(key): expected one of \(allowed.joined(separator: "|")), got '\(text)'")
        }
        return text
    }
}
