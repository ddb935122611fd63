import Foundation
import GraphRec

/// Saving, restoring and exporting sessions.
public enum SessionCommands {
    public static let specs = CommandSpec.group("Sessions", [
        CommandSpec(name: "save",
            summary: "Save the whole session (data identity, split, models, transcript) under the sessions directory.",
            details: """
                Writes DIR/NAME/ (DIR: --sessions or 'set sessions=', default Sessions): manifest.json,
                tensors.safetensors (weights, embeddings, split; readable by Python's safetensors) and
                transcript.md, the notebook. The write is atomic: an existing bundle is replaced only
                once the new one is complete. Without NAME: the last name used, else session-DATE-TIME.
                transcript.md replays with 'run DIR/NAME/transcript.md': each command is a line of its
                own and its output sits in a fenced block, which 'run' skips.
                """,
            arguments: [ArgumentSpec("NAME", "bundle name (default: the last one used)", required: false)],
            requires: [.dataset],
            example: "save tour", handler: save),
        CommandSpec(name: "restore",
            summary: "Reload a saved session; on any mismatch the current session stays as it was.",
            details: """
                Verifies the bundle (format, checksums, shapes), reloads the data set from the path in the
                manifest and refuses if its rating file's sha256 differs, rebuilds split, graph and every
                model from its weights, and uses the saved embeddings: eval and recommend give the same
                results as before saving, without retraining. Keeps format, colour, progress, timer and
                directories as they are now; seed, k, threads and min-rating come from the bundle.
                'recsh --restore NAME' does this before anything else.
                """,
            arguments: [ArgumentSpec("NAME", "bundle name")],
            example: "restore tour", handler: restore),
        CommandSpec(name: "sessions",
            summary: "List saved sessions: name, date, size, models and the best metric; unreadable ones say why.",
            example: "sessions", handler: sessions),
        CommandSpec(name: "export",
            summary: "Write embeddings (.safetensors), recommendations (.csv), metrics (.json) or GAT attention (.csv), by the file's extension.",
            details: """
                embeddings: .safetensors (F32 users/movies, I32 user_ids/movie_ids: original ids), .csv
                (node, id, title, e0..), .json. recommendations: every user's top k (k=10) excluding their
                train positives; .csv (user, rank, movie, title, score), .json, .safetensors. metrics: each
                model's last eval (all models unless model=); .csv or .json. attention: a GAT's weight of every
                edge (both directions and self-loops) per layer and head, original ids; .csv (layer, head,
                destination_kind, destination, source_kind, source, weight, self_loop) or .json (one block of
                parallel arrays per layer and head). notebook: the session so far as a Jupyter notebook
                (.ipynb): script comments as Markdown, commands as code cells, tables, plots as SVG.
                Files are written atomically.
                """,
            subcommands: [Subcommand("embeddings", "user and movie vectors", arguments: [file], options: ["model"],
                                     requires: [.dataset, .split, .model]),
                          Subcommand("metrics", "each model's last eval", arguments: [file], options: ["model"],
                                     requires: [.dataset, .split, .model]),
                          Subcommand("attention", "a GAT's weight of every edge", arguments: [file], options: ["model"],
                                     requires: [.dataset, .split, .model]),
                          Subcommand("recommendations", "every user's top k", arguments: [file], options: ["model", "k"],
                                     requires: [.dataset, .split, .model]),
                          Subcommand("notebook", "the session so far as a Jupyter notebook", arguments: [file],
                                     options: [])],
            options: [.model,
                      OptionSpec("k", "N", default: "10", "recommendations per user")],
            example: "export embeddings model=gcn gcn.safetensors", handler: export),
    ])

    static let file = ArgumentSpec("FILE", "output file (its extension picks the format)", completion: .files)

    // MARK: save

    static func save(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("save")
        let started = Date()
        let name = command.argument(0) ?? session.lastSessionName ?? defaultName(started)
        do { try SessionBundle.validateName(name) } catch { throw ShellError.message("save: \(error)") }
        let directory = session.settings.sessionsDirectory
        let heading = "recsh notebook '\(name)' (recsh \(RecshVersion.string), \(stamp(started))): "
            + "replay with `run \(directory)/\(name)/\(SessionBundle.transcriptFile)`"
        let snapshot = SessionSnapshot(recshVersion: RecshVersion.string, createdAt: started,
                                       dataset: datasetRecord(dataset), split: session.split,
                                       settings: savedSettings(session.settings),
                                       models: session.models.map(ModelRecord.init), presets: session.presets,
                                       transcript: Transcript.markdown(session.transcript, heading: heading))
        let saved = try snapshot.save(name: name, directory: directory)
        let seconds = Date().timeIntervalSince(started)
        session.lastSessionName = name
        let fields: [(String, Value)] = [
            ("name", .string(name)), ("path", .string(saved.path)), ("bytes", .int(saved.bytes)),
            ("seconds", .double(seconds)), ("models", .array(session.models.map { .string($0.name) })),
        ]
        return CommandResult(command: "save", blocks: [.fields(fields)], payload: fields,
                             notes: ["'recsh --restore \(name)' starts from it; 'run \(saved.path)/\(SessionBundle.transcriptFile)' "
                                 + "replays its notebook"],
                             hints: ["restore \(ShellHints.quoted(name))"])
    }

    /// `session-YYYYMMDD-HHMM` in local time.
    static func defaultName(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmm"
        return "session-" + f.string(from: date)
    }

    static func stamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: date)
    }

    /// The data set's identity with an absolute path, so a restore from another directory finds it.
    static func datasetRecord(_ dataset: Dataset) -> Manifest.DatasetRecord {
        var record = Manifest.DatasetRecord(dataset)
        // A synthetic data set's "directory" is its recipe, not a path.
        if dataset.layout != .synthetic { record.path = URL(fileURLWithPath: dataset.directory).standardizedFileURL.path }
        return record
    }

    static func savedSettings(_ settings: Settings) -> [String: String] {
        var out: [String: String] = [:]
        for key in Settings.keys.map(\.name) { out[key] = settings.value(of: key) }
        return out
    }

    /// Settings a restore takes from the bundle; the rest (format, colour, progress, timer,
    /// directories) describe this terminal and process and stay as they are.
    static let restoredSettings = ["seed", "k", "threads", "min-rating"]

    // MARK: sessions

    static func sessions(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let directory = session.settings.sessionsDirectory
        let listings = try SessionBundle.list(directory: directory)
        guard !listings.isEmpty else {
            return CommandResult(command: "sessions", payload: [("directory", .string(directory)), ("sessions", .array([]))],
                                 notes: ["no saved sessions in \(directory)"], hints: session.dataset == nil ? [] : ["save"])
        }
        var rows: [[Value]] = []
        var objects: [Value] = []
        for l in listings {
            let best = bestMetric(l.models)
            let bestText = best.map { "\($0.model) \($0.metric) \(Value.fixed($0.value, decimals: 4))" + ($0.on.map { " (\($0))" } ?? "") }
            let status = l.problem.map { "unreadable: \($0)" } ?? l.note ?? ""
            rows.append([.string(l.name), .string(l.createdAt.map(stamp) ?? "?"), .string(humanBytes(l.bytes)),
                         .string(l.problem == nil ? l.models.map(\.name).joined(separator: ", ") : "?"),
                         .string(bestText ?? ""), .string(status)])
            var object: [(String, Value)] = [
                ("name", .string(l.name)), ("path", .string(l.path)),
                ("created_at", l.createdAt.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null),
                ("bytes", .int(l.bytes)), ("dataset", l.datasetName.map(Value.string) ?? .null),
                ("models", .array(l.models.map { m in
                    .object([("name", .string(m.name)), ("kind", .string(m.kind)),
                             ("on", m.metricsOn.map(Value.string) ?? .null),
                             ("metrics", .object(m.metrics.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) }))])
                })),
                ("best", best.map { .object([("model", .string($0.model)), ("metric", .string($0.metric)),
                                             ("value", .double($0.value))]) } ?? .null),
                ("readable", .bool(l.problem == nil)),
            ]
            if let problem = l.problem { object.append(("problem", .string(problem))) }
            if let note = l.note { object.append(("note", .string(note))) }
            objects.append(.object(object))
        }
        let table = Table(name: "sessions", title: "Saved sessions in \(directory)",
                          columns: [.init("name"), .init("saved"), .init("size"), .init("models"), .init("best"), .init("status")],
                          rows: rows)
        return CommandResult(command: "sessions", blocks: [.table(table)],
                             payload: [("directory", .string(directory)), ("sessions", .array(objects))],
                             hints: listings.first { $0.problem == nil }.map { ["restore \(ShellHints.quoted($0.name))"] } ?? [])
    }

    /// The best headline metric over the models, NDCG preferred.
    static func bestMetric(_ models: [SessionBundle.ModelSummary]) -> (model: String, metric: String, value: Double, on: String?)? {
        let all = models.compactMap { m in m.headline.map { (model: m.name, metric: $0.name, value: $0.value, on: m.metricsOn) } }
        let preferred = all.contains { $0.metric == "ndcg" } ? all.filter { $0.metric == "ndcg" } : all
        return preferred.max { $0.value < $1.value }
    }

    static func humanBytes(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return Value.fixed(Double(bytes) / 1024, decimals: 1) + " KB" }
        return Value.fixed(Double(bytes) / 1024 / 1024, decimals: 1) + " MB"
    }
}
