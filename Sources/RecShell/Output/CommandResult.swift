import GraphRec

/// What one command produced, before any rendering: the only thing a
/// handler returns. Table, JSON, CSV and Markdown output all come from this
/// one value, so they always agree.
public struct CommandResult: Sendable {
    public var command: String
    public var ok: Bool
    /// The error message when `ok` is false.
    public var error: String?
    /// What a person reads, in order.
    public var blocks: [Block]
    /// The machine-readable object (`--format json`), merged after
    /// `command` and `ok`. When empty, JSON is derived from `blocks`.
    public var payload: [(String, Value)]
    /// Remarks for a person (what was excluded, what was dropped). Part of
    /// the human output; in `csv` and `json` they go to stderr, so stdout
    /// carries results only.
    public var notes: [String]
    /// What to try next ("eval gcn", "recommend 1"): shown like notes, and
    /// not at all under --quiet or `set hints=off`.
    public var hints: [String]
    /// Something done that the user may not have wanted (`split` dropping
    /// trained models in a script): on stderr in every format, "warning: ...".
    public var warnings: [String] = []
    /// Wall time, filled in by the shell when the timer is on.
    public var wallSeconds: Double?

    public init(command: String, blocks: [Block] = [], payload: [(String, Value)] = [],
                notes: [String] = [], hints: [String] = []) {
        self.command = command
        self.ok = true
        self.error = nil
        self.blocks = blocks
        self.payload = payload
        self.notes = notes
        self.hints = hints
        self.wallSeconds = nil
    }

    /// The notes and (when `hints` is on) the hints, as lines: "next: eval gcn".
    public func remarks(hints showHints: Bool) -> [String] {
        notes + (showHints && !hints.isEmpty ? ["next: " + hints.joined(separator: "   ")] : [])
    }

    public static func failure(_ command: String, _ message: String) -> CommandResult {
        var r = CommandResult(command: VisibleText.escaped(command))
        r.ok = false
        r.error = VisibleText.escaped(message, keepingLayout: true)   // names in messages come from input
        return r
    }

    /// A part of a result.
    public enum Block: Sendable {
        /// Labelled values ("users: 943").
        case fields([(String, Value)])
        case table(Table)
        /// Free text lines.
        case text([String])
        case chart(Chart)
    }
}

/// A table with typed columns: numbers align right, doubles get fixed decimals.
public struct Table: Sendable {
    public struct Column: Sendable {
        public enum Kind: Sendable { case text, integer, number(decimals: Int), flag }
        public var name: String
        public var kind: Kind
        /// Prose that wraps onto more lines when the table is too wide
        /// (help's "meaning"); other text is shortened with "…".
        public var wraps: Bool
        public init(_ name: String, _ kind: Kind = .text, wraps: Bool = false) {
            self.name = name
            self.kind = kind
            self.wraps = wraps
        }
        /// Text that may be shortened to fit: titles, paths, names. Never numbers.
        public var isShortenable: Bool {
            if case .text = kind { return !wraps }
            return false
        }
        public var decimals: Int? {
            if case .number(let d) = kind { return d }
            return nil
        }
        public var alignsRight: Bool {
            switch kind {
            case .integer, .number: true
            default: false
            }
        }
    }
    /// Key for this table in derived JSON ("rows" when nil).
    public var name: String?
    public var title: String?
    public var columns: [Column]
    public var rows: [[Value]]

    public init(name: String? = nil, title: String? = nil, columns: [Column], rows: [[Value]]) {
        precondition(rows.allSatisfy { $0.count == columns.count }, "table row width differs from columns")
        self.name = name
        self.title = title
        self.columns = columns
        self.rows = rows
    }
}

/// Series of (x, y) points to draw, in the terminal or as SVG.
public struct Chart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(_ name: String, _ points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
        public init(_ name: String, values: [Double]) {
            self.init(name, values.enumerated().map { (Double($0.offset + 1), $0.element) })
        }
    }
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Names of x = 1, 2, ...: a chart of separate things (models), drawn as grouped bars in SVG.
    public var categories: [String]

    public init(title: String, xLabel: String, yLabel: String, series: [Series], categories: [String] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.categories = categories
    }
}
