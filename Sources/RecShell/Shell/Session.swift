import GraphRec

/// Everything a user has built in one sitting: the data, its split, the
/// training graph, the trained models, settings and the notebook so far.
///
/// A value: each command runs on a copy and the shell keeps the copy only
/// when the command succeeds, so a failed command leaves the session as it
/// was. Copies are cheap (the big parts are copy-on-write arrays).
public struct Session: Sendable {
    public var dataset: Dataset?
    public var split: Split?
    /// The graph of train positives the models see.
    public var graph: InteractionGraph?
    /// Trained models in the order they were trained; names are unique.
    public var models: [TrainedModel]
    /// Presets the user made with `tune ... as NAME`, for `train KIND preset=NAME`.
    public var presets: [NamedPreset] = []
    public var settings: Settings
    /// Every successful command with its output, in order: the notebook.
    public var transcript: [TranscriptEntry]
    /// The name the session was last saved or restored under.
    public var lastSessionName: String?
    /// The last `lsh sweep`, drawn by `plot lsh` (not saved with the session).
    public var lastLSHSweep: LSHSweep? = nil

    public init(settings: Settings = Settings()) {
        self.dataset = nil
        self.split = nil
        self.graph = nil
        self.models = []
        self.settings = settings
        self.transcript = []
        self.lastSessionName = nil
    }

    /// The model called `name`.
    public func model(named name: String) -> TrainedModel? { models.first { $0.name == name } }

    /// The model a command means: `name` if given, else the most recent one.
    public func model(_ name: String?, command: String) throws -> TrainedModel {
        if let name {
            guard let m = model(named: name) else {
                let known = models.map(\.name)
                throw ShellError.message("\(command): no model named '\(name)'"
                    + (known.isEmpty ? " (none trained yet: try 'train gcn')" : " (trained: \(known.joined(separator: ", ")))"))
            }
            return m
        }
        guard let last = models.last else { throw Requirement.model.error(command) }
        return last
    }

    /// Adds or replaces (same name) a preset.
    public mutating func store(_ preset: NamedPreset) {
        if let i = presets.firstIndex(where: { $0.name == preset.name }) { presets[i] = preset } else { presets.append(preset) }
    }

    /// Adds or replaces (same name) a model.
    public mutating func store(_ model: TrainedModel) {
        if let i = models.firstIndex(where: { $0.name == model.name }) {
            models[i] = model
        } else {
            models.append(model)
        }
    }

    // The accessors below hand a handler what its spec's `requires:` the
    // dispatcher has already checked; they throw that same error rather
    // than unwrap, for a handler reached some other way.

    /// The loaded data set (`requires: [.dataset]`).
    public func requireDataset(_ command: String) throws -> Dataset {
        guard let dataset else { throw Requirement.dataset.error(command) }
        return dataset
    }

    /// The graph of the loaded data set: all positives, or the train ones once split (`requires: [.dataset]`).
    public func requireGraph(_ command: String) throws -> InteractionGraph {
        guard let graph else { throw Requirement.dataset.error(command) }
        return graph
    }

    /// The split (`requires: [.split]`).
    public func requireSplit(_ command: String) throws -> Split {
        guard let split else { throw Requirement.split.error(command) }
        return split
    }
}

/// One command of the notebook and what it printed (plain text, no colour).
public struct TranscriptEntry: Sendable, Equatable {
    public var line: String
    public var output: String
    public var seconds: Double
    /// The script's `#` comment lines just above the command, for notebook Markdown cells.
    public var comment: String
    /// The structured result, for notebook tables and plots; nil when read back from Markdown.
    public var result: CommandResult?

    public init(line: String, output: String, seconds: Double, comment: String = "", result: CommandResult? = nil) {
        self.line = line
        self.output = output
        self.seconds = seconds
        self.comment = comment
        self.result = result
    }

    /// Equal when they record the same command, comment and text (the result is derived from those).
    public static func == (a: TranscriptEntry, b: TranscriptEntry) -> Bool {
        a.line == b.line && a.output == b.output && a.seconds == b.seconds && a.comment == b.comment
    }
}
