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
    /// Wall time, filled in by the shell when the timer is on.
    public var wallSeconds: Double?

    public init(command: String, blocks: [Block] = [], payload: [(String, Value)] = []) {
        self.command = command
        self.ok = true
        self.error = nil
        self.blocks = blocks
        self.payload = payload
        self.wallSeconds = nil
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
        public init(_ name: String, _ kind: Kind = .text) {
            self.name = name
            self.kind = kind
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

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }
}
