/// What values an option takes; parsing and range checks follow from it.
public enum OptionType: Sendable, Equatable {
    case int(ClosedRange<Int>)
    case number(ClosedRange<Double>)
    /// on/off (also true/false, yes/no, 1/0).
    case flag
    case choice([String])
    /// A whole number or `off` (e.g. `patience`).
    case intOrOff(ClosedRange<Int>)
    /// Two or more whole numbers in the range, comma- or dash-separated (layer widths, e.g. `mlp=64,32,16,8`).
    case widths(ClosedRange<Int>)
    /// One or more whole numbers in the range, comma-separated (per-layer fan-outs, e.g. `fanout=15,10`).
    case counts(ClosedRange<Int>)

    /// The placeholder `help` shows ("N", "X", "on|off", "bpr|margin", "N|off").
    public var placeholder: String {
        switch self {
        case .int: "N"
        case .number: "X"
        case .flag: "on|off"
        case .choice(let words): words.joined(separator: "|")
        case .intOrOff: "N|off"
        case .widths: "N,N,..."
        case .counts: "N[,N...]"
        }
    }

    /// The words completion offers (none for numbers).
    public var words: [String] {
        switch self {
        case .flag: ["on", "off"]
        case .choice(let words): words
        case .int, .number, .intOrOff, .widths, .counts: []
        }
    }
}

/// How `tune` steps through an option, and where it looks: the range a
/// search samples sits next to the default in the declaration, narrower than
/// what the option accepts (the declared range says what is valid, this what
/// is worth trying).
public enum SearchScale: Sendable, Equatable {
    /// Not searched (seeds, epochs, switches that change what is measured).
    case fixed
    /// Uniform steps between the bounds.
    case linear(ClosedRange<Double>)
    /// Multiplicative steps between the bounds: learning rates, regularisation strengths, widths.
    case log(ClosedRange<Double>)
    /// Each of these values, as typed; empty: every word of the option's type.
    case values([String])

    /// Every word of the option's type (a flag's on/off, a choice's words).
    public static let categorical = SearchScale.values([])

    public var isSearched: Bool { self != .fixed }
}

/// One typed option value.
public enum OptionValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case number(Double)
    case flag(Bool)
    case word(String)
    case off

    /// The value as a user types it (`0.001`, `on`, `off`).
    public var description: String {
        switch self {
        case .int(let v): "\(v)"
        case .number(let v): v == v.rounded() && abs(v) < 1e15 ? "\(Int(v))" : "\(v)"
        case .flag(let v): v ? "on" : "off"
        case .word(let w): w
        case .off: "off"
        }
    }
}

/// One option a model kind declares: its name, type and range, default, what
/// it does and how a search should scale it. `train`'s spec, `help train`,
/// completion, validation, the saved record and the `options` object of a
/// train result are all read from these declarations.
public struct ModelOption: Sendable, Equatable {
    public var name: String
    public var type: OptionType
    public var defaultValue: OptionValue
    public var help: String
    public var scale: SearchScale
    /// Options (name to value as typed) that must hold for this one to matter, so
    /// a search varies it only then (a loss's margin only with that loss).
    public var searchedWith: [String: String]

    public init(_ name: String, _ type: OptionType, default defaultValue: OptionValue, _ help: String,
                scale: SearchScale = .fixed, searchedWith: [String: String] = [:]) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
        self.scale = scale
        self.searchedWith = searchedWith
    }

    /// `text` as this option's value; errors name the option ("lr: expected a number, got 'fast'").
    public func parse(_ text: String) throws -> OptionValue {
        switch type {
        case .int(let range):
            guard let v = Int(text) else { throw RecError("\(name): expected a whole number, got '\(text)'") }
            guard range.contains(v) else { throw RecError("\(name): \(v) is out of range \(range.lowerBound)...\(range.upperBound)") }
            return .int(v)
        case .intOrOff(let range):
            if text == "off" { return .off }
            guard let v = Int(text) else { throw RecError("\(name): expected a whole number or off, got '\(text)'") }
            guard range.contains(v) else { throw RecError("\(name): \(v) is out of range \(range.lowerBound)...\(range.upperBound)") }
            return .int(v)
        case .number(let range):
            guard let v = Double(text), v.isFinite else { throw RecError("\(name): expected a number, got '\(text)'") }
            guard range.contains(v) else {
                throw RecError("\(name): \(text) is out of range \(OptionValue.number(range.lowerBound))...\(OptionValue.number(range.upperBound))")
            }
            return .number(v)
        case .flag:
            switch text.lowercased() {
            case "on", "true", "yes", "1": return .flag(true)
            case "off", "false", "no", "0": return .flag(false)
            default: throw RecError("\(name): expected on or off, got '\(text)'")
            }
        case .widths(let range):
            let parts = text.split(whereSeparator: { $0 == "," || $0 == "-" })
            let widths = parts.compactMap { Int($0) }
            guard widths.count == parts.count, widths.count >= 2, widths.allSatisfy(range.contains) else {
                throw RecError("\(name): expected two or more widths in \(range.lowerBound)...\(range.upperBound) like 64,32,16,8, got '\(text)'")
            }
            return .word(widths.map(String.init).joined(separator: ","))
        case .counts(let range):
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            let counts = parts.compactMap { Int($0) }
            guard !parts.isEmpty, counts.count == parts.count, counts.allSatisfy(range.contains) else {
                throw RecError("\(name): expected whole numbers in \(range.lowerBound)...\(range.upperBound) separated by commas like 15,10, got '\(text)'")
            }
            return .word(counts.map(String.init).joined(separator: ","))
        case .choice(let words):
            guard words.contains(text) else { throw RecError("\(name): expected one of \(words.joined(separator: "|")), got '\(text)'") }
            return .word(text)
        }
    }
}

/// A model's options, typed and complete (every declared option has a value,
/// defaults filled in), in declaration order.
public struct ModelOptions: Sendable, Equatable {
    public private(set) var declarations: [ModelOption]
    public private(set) var values: [String: OptionValue]
    /// The options the text named (typed, or set by a preset it named): a
    /// value given on purpose, even one equal to the default, is never
    /// replaced by an automatic choice (`NeighborSampling.resolve`).
    public private(set) var given: Set<String> = []

    /// Equal when they declare and hold the same values, however they were given.
    public static func == (a: ModelOptions, b: ModelOptions) -> Bool {
        a.declarations == b.declarations && a.values == b.values
    }

    /// The declared defaults.
    public init(defaults declarations: [ModelOption]) {
        self.declarations = declarations
        values = Dictionary(uniqueKeysWithValues: declarations.map { ($0.name, $0.defaultValue) })
    }

    /// `text` parsed against `declarations`: an unknown key or a bad value is
    /// an error naming it and what is accepted; the rest keep their defaults.
    public init(parsing text: [String: String], declarations: [ModelOption]) throws {
        self.init(defaults: declarations)
        for key in text.keys.sorted() {
            guard let option = declarations.first(where: { $0.name == key }) else {
                let list = declarations.map(\.name).sorted().joined(separator: ", ")
                throw RecError("unknown option '\(key)' (accepted: \(list.isEmpty ? "none" : list))")
            }
            values[key] = try option.parse(text[key]!)
            given.insert(key)
        }
    }

    public subscript(name: String) -> OptionValue? {
        get { values[name] }
        set {
            guard declarations.contains(where: { $0.name == name }) else { return }
            values[name] = newValue
        }
    }

    /// Names in declaration order.
    public var names: [String] { declarations.map(\.name) }

    /// Each option as typed text (`key=value` form), for the saved record.
    public var text: [String: String] { values.mapValues(\.description) }

    /// The options whose value is not the declared default, in declaration order.
    public var changed: [(name: String, value: OptionValue)] {
        declarations.compactMap { o in values[o.name].flatMap { $0 == o.defaultValue ? nil : (o.name, $0) } }
    }

    /// The value of `name`, which this kind must declare.
    public func value(_ name: String) throws -> OptionValue {
        guard let v = values[name] else { throw RecError("option '\(name)' is not declared for this model") }
        return v
    }

    public func int(_ name: String) throws -> Int {
        guard case .int(let v) = try value(name) else { throw RecError("\(name): not a whole number") }
        return v
    }

    public func number(_ name: String) throws -> Double {
        switch try value(name) {
        case .number(let v): return v
        case .int(let v): return Double(v)
        default: throw RecError("\(name): not a number")
        }
    }

    public func flag(_ name: String) throws -> Bool {
        guard case .flag(let v) = try value(name) else { throw RecError("\(name): not on or off") }
        return v
    }

    public func word(_ name: String) throws -> String {
        guard case .word(let v) = try value(name) else { throw RecError("\(name): not a word") }
        return v
    }
}
