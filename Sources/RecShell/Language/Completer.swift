import Foundation

/// Tab completion, generated from the command specs and the session:
/// command names, `option=` names, option values (`on=val|test`), model
/// names, movie titles after `similar "` or `find`, file names for `run`.
public struct Completer: Sendable {
    public var registry: CommandRegistry
    public var modelNames: [String]
    public var movieTitles: [String]
    /// Directory that relative file names start from (nil: the process's).
    public var directory: String?

    public init(registry: CommandRegistry, modelNames: [String] = [], movieTitles: [String] = [], directory: String? = nil) {
        self.registry = registry
        self.modelNames = modelNames
        self.movieTitles = movieTitles
        self.directory = directory
    }

    /// What to do at the end of `text` (the line up to the cursor).
    public struct Completion: Equatable, Sendable {
        /// The word being completed, exactly as typed (quotes included): the part to replace.
        public var word: String
        /// Full replacements for `word`, sorted.
        public var candidates: [String]

        /// The longest prefix all candidates share (what Tab inserts when several match).
        public var commonPrefix: String {
            guard var prefix = candidates.first else { return "" }
            for c in candidates.dropFirst() {
                while !c.hasPrefix(prefix) { prefix.removeLast() }
            }
            return prefix
        }
    }

    public func complete(_ text: String) -> Completion {
        // The words of the last command on the line, and the one being typed.
        var words: [(raw: String, inQuotes: Bool)] = []
        var raw = ""
        var inQuotes = false
        var inWord = false
        for ch in text {
            if inQuotes {
                raw.append(ch)
                if ch == "\"" { inQuotes = false }
                continue
            }
            switch ch {
            case "\"":
                raw.append(ch); inQuotes = true; inWord = true
            case ";":
                words = []; raw = ""; inWord = false
            case "#":
                return Completion(word: "", candidates: [])
            case " ", "\t":
                if inWord { words.append((raw, false)) }
                raw = ""; inWord = false
            default:
                raw.append(ch); inWord = true
            }
        }
        let current = raw
        guard let first = words.first else {
            return Completion(word: current, candidates: registry.allNames.filter { $0.hasPrefix(current) })
        }
        guard let spec = registry.spec(named: first.raw) else { return Completion(word: current, candidates: []) }
        let previous = words.dropFirst().map(\.raw)
        let usedOptions = Set(previous.compactMap { optionKey(of: $0) })

        // key=partial: complete the value.
        if let key = optionKey(of: current), let option = spec.option(named: key) {
            let typed = unquoted(String(current.dropFirst(key.count + 1)))
            let values = self.values(option.values, option.completion, typed: typed)
            return Completion(word: current, candidates: values.map { key + "=" + $0 }.sorted())
        }

        // A positional word, or an option name.
        var candidates: [String] = []
        for argument in spec.nextArguments(after: Array(previous.filter { optionKey(of: $0) == nil })) {
            candidates += values(argument.values, argument.completion, typed: unquoted(current))
        }
        if !current.hasPrefix("\"") {
            let firstArgument = previous.first { optionKey(of: $0) == nil }
            candidates += spec.options.map(\.name)
                .filter { !usedOptions.contains($0) && $0.hasPrefix(current) }
                .filter { name in firstArgument.map { spec.optionApplies?($0, name) ?? true } ?? true }
                .map { $0 + "=" }
        }
        return Completion(word: current, candidates: Array(Set(candidates)).sorted())
    }

    /// Values from a source that start with `typed` (titles: case-insensitively, and quoted).
    func values(_ declared: [String], _ source: CompletionSource, typed: String) -> [String] {
        switch source {
        case .none: return []
        case .values: return declared.filter { $0.hasPrefix(typed) }
        case .models: return (modelNames + declared).filter { $0.hasPrefix(typed) }
        case .commands: return registry.specs.map(\.name).filter { $0.hasPrefix(typed) }
        case .settings: return Settings.keys.map(\.name).filter { $0.hasPrefix(typed) }
        case .movieTitles:
            let lower = typed.lowercased()
            let titles = movieTitles.filter { $0.lowercased().hasPrefix(lower) }.map { quoted($0) }
            return declared.filter { $0.hasPrefix(typed) } + titles
        case .files: return declared.filter { $0.hasPrefix(typed) } + files(typed)
        }
    }

    /// File and directory names starting with `typed`; directories end in "/".
    func files(_ typed: String) -> [String] {
        let slash = typed.lastIndex(of: "/")
        let dirPart = slash.map { String(typed[...$0]) } ?? ""
        let base = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        var dir = dirPart.isEmpty ? "." : dirPart
        if dir.hasPrefix("~/") { dir = NSHomeDirectory() + dir.dropFirst(1) }
        if !dir.hasPrefix("/"), let directory { dir = directory + "/" + dir }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter { $0.hasPrefix(base) && (base.hasPrefix(".") || !$0.hasPrefix(".")) }.map { name in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir)
            return dirPart + name + (isDir.boolValue ? "/" : "")
        }
    }

    func optionKey(of word: String) -> String? {
        guard let eq = word.firstIndex(of: "="), !word[..<eq].contains("\"") else { return nil }
        let key = String(word[..<eq])
        return Tokenizer.isOptionKey(key) ? key : nil
    }

    func unquoted(_ s: String) -> String {
        var t = Substring(s)
        if t.hasPrefix("\"") { t = t.dropFirst() }
        if t.hasSuffix("\"") { t = t.dropLast() }
        return String(t)
    }

    func quoted(_ s: String) -> String {
        "\"" + s.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }
}
