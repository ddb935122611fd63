/// What a long computation needs from whoever runs it: a way to report
/// progress and a way to learn that the user pressed Ctrl-C.
///
/// The library never touches the terminal or signals; the shell passes a
/// `RunControl` that draws a progress bar on stderr and reads its interrupt
/// flag. Tests pass `.silent`.
public struct RunControl: Sendable {
    /// True once the user asked the running command to stop.
    public var shouldStop: @Sendable () -> Bool
    /// Called with progress; cheap to call often (the receiver throttles).
    public var report: @Sendable (ProgressUpdate) -> Void
    /// What the computation may take; it checks its estimate before allocating.
    public var budget: ResourceBudget
    /// A line that stays (a row of a table growing as a search runs), beside the result.
    public var log: @Sendable (String) -> Void

    public init(shouldStop: @escaping @Sendable () -> Bool = { false },
                report: @escaping @Sendable (ProgressUpdate) -> Void = { _ in },
                budget: ResourceBudget = ResourceBudget(),
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.shouldStop = shouldStop
        self.report = report
        self.budget = budget
        self.log = log
    }

    /// No progress output, never interrupted.
    public static let silent = RunControl()
}

/// One progress report: `done` of `total` units of `label`, plus a short
/// detail such as "loss 0.4132".
public struct ProgressUpdate: Sendable {
    public var label: String
    public var done: Int
    public var total: Int
    public var detail: String

    public init(label: String, done: Int, total: Int, detail: String = "") {
        self.label = label
        self.done = done
        self.total = total
        self.detail = detail
    }
}
