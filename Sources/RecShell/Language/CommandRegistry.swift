/// Every command the shell knows, looked up by name or alias.
public struct CommandRegistry: Sendable {
    public private(set) var specs: [CommandSpec]
    private var index: [String: Int]

    public init(_ specs: [CommandSpec]) {
        self.specs = []
        self.index = [:]
        for spec in specs { add(spec) }
    }

    /// Adds a command, or replaces the one with the same name.
    public mutating func add(_ spec: CommandSpec) {
        if let i = index[spec.name] {
            specs[i] = spec
        } else {
            specs.append(spec)
            index[spec.name] = specs.count - 1
        }
        for alias in spec.aliases { index[alias] = index[spec.name] }
    }

    public func spec(named name: String) -> CommandSpec? { index[name].map { specs[$0] } }

    /// Every name a user can type, aliases included, sorted.
    public var allNames: [String] { index.keys.sorted() }

    /// The closest known name by edit distance, when it is close enough to be a typo.
    public func suggestion(for word: String) -> String? { closest(to: word, in: allNames) }

    /// Groups in first-declared order, for `help`.
    public var groups: [String] {
        var seen: [String] = []
        for s in specs where !seen.contains(s.group) { seen.append(s.group) }
        return seen
    }

    /// The full recsh command set: shell commands plus every engine family.
    public static let standard = CommandRegistry(
        ShellCommands.specs + DataCommands.specs + ModelCommands.specs + TuneCommand.specs + EvaluationCommands.specs
            + ExploreCommands.specs + WhatIfCommands.specs + RetrievalCommands.specs + SessionCommands.specs
            + PlotCommands.specs + BenchCommands.specs)
}

/// Levenshtein distance over characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
