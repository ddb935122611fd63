import Foundation
import GraphRec

/// Loading data, splitting it, and looking things up in it. The handlers
/// are thin: the loader, the splits and Dataset+Search do the work; here
/// options are read and results built. `find`, `user` and `movie` live in
/// DataLookupCommands.swift.
public enum DataCommands {
    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "load", group: "Data", synopsis: "load ml-100k|DIR [path=DIR] [min-rating=3]",
            summary: "Load MovieLens and build the user-movie graph of ratings >= min-rating with user and movie features.",
            details: ["'load ml-100k' reads path=DIR, else --data DIR or RECSH_DATA, else ~/.cache/recsh/ml-100k,",
                      "else downloads it from GroupLens into that cache. 'load DIR' reads any MovieLens directory",
                      "(ml-100k, ml-1m '::' files, ml-latest CSV), detecting the layout."],
            arguments: [ArgumentSpec("SOURCE", "ml-100k or a directory", values: ["ml-100k"], completion: .files)],
            options: [OptionSpec("path", "DIR", "read the files from this directory", completion: .files),
                      OptionSpec("min-rating", "R", default: "3", "ratings >= R count as positives")],
            example: "load ml-100k", handler: load),
        CommandSpec(
            name: "info", group: "Data", synopsis: "info",
            summary: "Data set, graph, split, features and trained models in one summary.",
            example: "info", handler: info),
        CommandSpec(
            name: "split", group: "Data",
            synopsis: "split warm|cold [ratios=80/10/10] [seed=0] | split official NAME | split files train=F [val=F] test=F",
            summary: "Split the positives into train, validation and test; the graph then holds train only.",
            details: ["warm: each user's positives are split by ratios. cold: the users are split; val/test users",
                      "keep none of their edges in the graph. official: GroupLens u1..u5, ua, ub (NAME.base/NAME.test).",
                      "files: TSV files of user<TAB>movie with the data set's own ids."],
            arguments: [ArgumentSpec("KIND", "how to split", values: ["warm", "cold", "official", "files"]),
                        ArgumentSpec("NAME", "official split name", required: false,
                                     values: ["u1", "u2", "u3", "u4", "u5", "ua", "ub"])],
            options: [OptionSpec("ratios", "A/B/C", default: "80/10/10", "train/val/test percentages"),
                      OptionSpec("seed", "N", default: "0", "random seed (same seed, same split)"),
                      OptionSpec("train", "FILE", "train pairs (split files)", completion: .files),
                      OptionSpec("val", "FILE", "validation pairs (split files)", completion: .files),
                      OptionSpec("test", "FILE", "test pairs (split files)", completion: .files)],
            example: "split warm ratios=80/10/10 seed=0", handler: split),
        CommandSpec(
            name: "find", group: "Data", synopsis: "find TEXT [limit=25]",
            summary: "Search movie titles (case- and accent-insensitive): id, year, genres, number of ratings.",
            arguments: [ArgumentSpec("TEXT", "words of the title", variadic: true, completion: .movieTitles)],
            options: [OptionSpec("limit", "N", default: "25", "most titles to show")],
            example: "find \"star wars\"", handler: find),
        CommandSpec(
            name: "user", group: "Data", synopsis: "user USER [top=10]",
            summary: "A user's profile: features, degree in the graph, rating stats, rated movies highest first.",
            arguments: [ArgumentSpec("USER", "user id")],
            options: [OptionSpec("top", "N", default: "10", "rated movies to list")],
            example: "user 1 top=5", handler: user),
        CommandSpec(
            name: "movie", group: "Data", synopsis: "movie MOVIE",
            summary: "A movie's profile: genres, release date, rating stats, degree, who rated it.",
            details: ["MOVIE is an id, a full title (\"Star Wars (1977)\") or a unique part of one;",
                      "an ambiguous title lists the candidates with their ids."],
            arguments: [ArgumentSpec("MOVIE", "movie id or title", variadic: true, completion: .movieTitles)],
            example: "movie \"Toy Story (1995)\"", handler: movie),
    ]

    static func load(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let source = command.argument(0) ?? "ml-100k"
        let minRating = try command.options.float("min-rating", default: session.settings.minRating, range: 0...10)
        let started = Date()
        let dataset: Dataset
        let origin: String
        do {
            if source == "ml-100k" {
                let locator = DatasetLocator(path: command.options["path"], dataDirectory: session.settings.dataDirectory,
                                             cacheRoot: context.environment.cacheDirectory)
                let (loaded, location) = try locator.load(minRating: minRating, control: context.run)
                dataset = loaded
                origin = "\(location.source)"
            } else {
                if command.options.has("path") {
                    throw ShellError.message("load: give either a directory or path=, not both")
                }
                dataset = try MovieLensLoader.load(directory: source, minRating: minRating, control: context.run)
                origin = "directory"
            }
        } catch let error as RecError {
            // Loader errors name the file and line; say which command failed too.
            throw ShellError.message("load: \(error.message)")
        }
        if context.run.shouldStop() { throw ShellError.message("load: interrupted; the session is unchanged") }
        session.dataset = dataset
        session.split = nil
        session.graph = dataset.graph(edges: dataset.positives)
        session.models = []
        return loadedResult(dataset, origin: origin, seconds: Date().timeIntervalSince(started))
    }

    static func loadedResult(_ d: Dataset, origin: String, seconds: Double) -> CommandResult {
        let positives = d.positives.count
        let fields: [(String, Value)] = [
            ("dataset", .string(d.name)), ("layout", .string(d.layout.rawValue)), ("path", .string(d.directory)),
            ("source", .string(origin)), ("users", .int(d.userCount)), ("movies", .int(d.movieCount)),
            ("ratings", .int(d.ratings.count)), ("min_rating", .double(Double(d.minRating))),
            ("positive_edges", .int(positives)),
            ("user_features", .int(d.userFeatures?.cols ?? 0)), ("movie_features", .int(d.movieFeatures?.cols ?? 0)),
            ("sha256", .string(d.checksum)), ("seconds", .double(seconds)),
        ]
        var hint = "next: 'split warm' (or 'split official u1'), then 'train gcn'"
        if d.userFeatures == nil || d.movieFeatures == nil {
            hint = "note: \(d.layout.rawValue) has no \(d.userFeatures == nil ? "user" : "movie") features; "
                + "models fall back to ID embeddings. " + hint
        }
        return CommandResult(command: "load", blocks: [.fields(fields), .text([hint])], payload: fields)
    }

    static func split(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("split")
        let kind = command.argument(0) ?? "warm"
        let options = command.options
        let applicable: [String: [String]] = [
            "warm": ["ratios", "seed"], "cold": ["ratios", "seed"], "official": [], "files": ["train", "val", "test"],
        ]
        if let allowed = applicable[kind] {
            // An option another kind uses would be silently ignored: say so instead.
            for key in options.values.keys.sorted() where !allowed.contains(key) {
                throw ShellError.message("split \(kind): option '\(key)=' does not apply"
                    + (allowed.isEmpty ? " (it takes none)" : " (accepted: \(allowed.joined(separator: ", ")))"))
            }
        }
        let split: Split
        switch kind {
        case "warm", "cold":
            try rejectArgument(command, at: 1, usage: "split \(kind) [ratios=80/10/10] [seed=0]")
            let ratios = try Split.parseRatios(options.string("ratios", default: "80/10/10"))
            let seed = try seedOption(options, default: session.settings.seed)
            split = kind == "warm"
                ? try Split.warm(positives: dataset.positives, ratios: ratios, seed: seed)
                : try Split.cold(positives: dataset.positives, ratios: ratios, seed: seed)
        case "official":
            guard let name = command.argument(1) else {
                throw ShellError.missingArgument(command: "split", argument: "NAME", usage: "split official u1|...|ub")
            }
            split = try Split.official(name, dataset: dataset)
        case "files":
            try rejectArgument(command, at: 1, usage: "split files train=F [val=F] test=F")
            guard let train = options["train"], let test = options["test"] else {
                throw ShellError.message("split files: needs train=FILE and test=FILE (val=FILE optional)")
            }
            split = try Split.files(train: train, validation: options["val"], test: test, dataset: dataset)
        default:
            throw ShellError.badValue(command: "split", option: "KIND", value: kind,
                                      accepted: ["warm", "cold", "official", "files"])
        }
        let dropped = session.models.map(\.name)
        session.split = split
        session.graph = dataset.graph(for: split)
        session.models = []
        let fields = splitFields(split)
        var blocks: [CommandResult.Block] = [.fields(fields)]
        if !dropped.isEmpty {
            blocks.append(.text(["dropped the models trained on the previous graph: \(dropped.joined(separator: ", "))"]))
        }
        return CommandResult(command: "split", blocks: blocks, payload: fields)
    }

    /// `seed=N` as the full UInt64 range `set seed=` accepts, else the session's seed.
    static func seedOption(_ options: OptionValues, default value: UInt64) throws -> UInt64 {
        guard let text = options["seed"] else { return value }
        guard let seed = UInt64(text) else {
            throw ShellError.message("split: seed=\(text) is not a whole number >= 0")
        }
        return seed
    }

    /// A UInt64 as a JSON number when it fits, else as its decimal text.
    static func seedValue(_ seed: UInt64) -> Value {
        seed <= UInt64(Int.max) ? .int(Int(seed)) : .string(String(seed))
    }

    /// The split's description and summary, shared by `split` and `info`.
    static func splitFields(_ split: Split) -> [(String, Value)] {
        let s = split.summary
        return [
            ("kind", .string(split.kind.description)),
            ("ratios", split.ratios.isEmpty ? .null : .string(split.ratios.map(String.init).joined(separator: "/"))),
            ("seed", seedValue(split.seed)), ("users", .int(s.users)), ("train_edges", .int(s.trainEdges)),
            ("val_edges", .int(s.validationEdges)), ("test_edges", .int(s.testEdges)),
            ("users_in_test", .int(s.usersInTest)), ("users_without_test", .int(s.usersWithoutTest)),
        ]
    }

    static func rejectArgument(_ command: ParsedCommand, at index: Int, usage: String) throws {
        if let extra = command.argument(index) {
            throw ShellError.unexpectedArgument(command: command.name, argument: extra,
                                                column: command.argumentColumns[index], usage: usage)
        }
    }

    // MARK: info

    static func info(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let d = try session.requireDataset("info")
        let graph = session.graph ?? d.graph(edges: d.positives)
        let positives = d.positives.count
        var isolatedUsers = 0, isolatedMovies = 0
        for u in 0..<graph.userCount where graph.degree(user: u) == 0 { isolatedUsers += 1 }
        for m in 0..<graph.movieCount where graph.degree(movie: m) == 0 { isolatedMovies += 1 }
        let meanUserDegree = graph.userCount > 0 ? Double(graph.edgeCount) / Double(graph.userCount) : 0
        let meanMovieDegree = graph.movieCount > 0 ? Double(graph.edgeCount) / Double(graph.movieCount) : 0

        let dataFields: [(String, Value)] = [
            ("dataset", .string(d.name)), ("layout", .string(d.layout.rawValue)), ("path", .string(d.directory)),
            ("sha256", .string(d.checksum)), ("ratings", .int(d.ratings.count)),
            ("min_rating", .double(Double(d.minRating))),
            ("users", .int(d.userCount)), ("movies", .int(d.movieCount)), ("positive_edges", .int(positives)),
        ]
        let graphFields: [(String, Value)] = [
            ("graph_edges", .int(graph.edgeCount)),
            ("mean_user_degree", .double(meanUserDegree)), ("mean_movie_degree", .double(meanMovieDegree)),
            ("users_without_edges", .int(isolatedUsers)), ("movies_without_edges", .int(isolatedMovies)),
        ]
        let featureFields: [(String, Value)] = [
            ("user_features", .int(d.userFeatures?.cols ?? 0)), ("movie_features", .int(d.movieFeatures?.cols ?? 0)),
            ("gnn_input", .string(NodeInput.describe(graph))),
        ]
        let splitObject: Value = session.split.map { .object(splitFields($0)) } ?? .null
        let modelObjects: [Value] = session.models.map(modelValue)

        var payload = dataFields + graphFields + featureFields
        payload += [
            ("user_feature_names", .array(d.userFeatureNames.map { .string($0) })),
            ("movie_feature_names", .array(d.movieFeatureNames.map { .string($0) })),
            ("split", splitObject), ("models", .array(modelObjects)),
        ]

        // For people: the same facts, grouped, with the long lists summarised.
        var people = dataFields + graphFields
        people.append(("user_features", .string(featureSummary(d.userFeatureNames))))
        people.append(("movie_features", .string(featureSummary(d.movieFeatureNames))))
        people.append(("gnn_input", .string(NodeInput.describe(graph))))
        if let split = session.split {
            let s = split.summary
            let ratios = split.ratios.isEmpty ? "" : " \(split.ratios.map(String.init).joined(separator: "/"))"
            let seed = split.kind == .warm || split.kind == .cold ? " seed=\(split.seed)" : ""
            people.append(("split", .string("\(split.kind)\(ratios)\(seed)")))
            people.append(("train/val/test", .string("\(s.trainEdges) / \(s.validationEdges) / \(s.testEdges) edges")))
            people.append(("users_without_test", .int(s.usersWithoutTest)))
        } else {
            people.append(("split", .string("none (the graph holds every positive; try 'split warm')")))
        }
        var blocks: [CommandResult.Block] = [.fields(people)]
        if session.models.isEmpty {
            blocks.append(.text(["models: none trained yet" + (session.split == nil ? "" : "; try 'train gcn'")]))
        } else {
            blocks.append(.table(modelsTable(session.models)))
        }
        return CommandResult(command: "info", blocks: blocks, payload: payload)
    }

    /// "age, gender (2), occupation (21)": names grouped by their "group:" prefix;
    /// long ungrouped lists show their first names and a count.
    static func featureSummary(_ names: [String]) -> String {
        guard !names.isEmpty else { return "none (ID embeddings only)" }
        var groups: [(String, Int)] = []
        for name in names {
            let key = name.firstIndex(of: ":").map { String(name[..<$0]) } ?? name
            if let i = groups.firstIndex(where: { $0.0 == key }) { groups[i].1 += 1 } else { groups.append((key, 1)) }
        }
        let parts = groups.map { $0.1 > 1 ? "\($0.0) (\($0.1))" : $0.0 }
        let shown = parts.count > 6 ? parts.prefix(5).joined(separator: ", ") + ", ..." : parts.joined(separator: ", ")
        return "\(names.count): \(shown)"
    }

    /// The metric columns `info` shows for each model, when the model has them.
    static let shownMetrics = ["precision", "recall", "ndcg", "hit_rate"]

    static func modelValue(_ m: TrainedModel) -> Value {
        let metrics = m.lastMetrics.keys.sorted().map { ($0, Value.double(m.lastMetrics[$0]!)) }
        return .object([
            ("name", .string(m.name)), ("kind", .string(m.kind)), ("epochs", .int(m.history.epochs)),
            ("seconds", .double(m.history.totalSeconds)),
            ("metrics_on", m.lastMetricsOn.map { .string($0) } ?? .null),
            ("last_metrics", .object(metrics)),
        ])
    }

    static func modelsTable(_ models: [TrainedModel]) -> Table {
        let columns = [Table.Column("model"), Table.Column("kind"), Table.Column("epochs", .integer),
                       Table.Column("on")] + shownMetrics.map { Table.Column($0, .number(decimals: 4)) }
        let rows: [[Value]] = models.map { m in
            [.string(m.name), .string(m.kind), .int(m.history.epochs), .string(m.lastMetricsOn ?? "-")]
                + shownMetrics.map { m.lastMetrics[$0].map(Value.double) ?? .null }
        }
        return Table(name: "models", title: "Trained models", columns: columns, rows: rows)
    }
}
