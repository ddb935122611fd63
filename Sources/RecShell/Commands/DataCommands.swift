import Foundation
import GraphRec

/// Loading data, splitting it, and looking things up in it. The handlers
/// are thin: the loader, the splits and Dataset+Search do the work; here
/// options are read and results built. `find`, `user` and `movie` live in
/// DataLookupCommands.swift.
public enum DataCommands {
    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "load", group: "Data",
            synopsis: "load ml-100k|ml-1m|ml-10m|ml-20m|ml-25m|ml-32m|ml-latest-small|DIR|FILE|synthetic[-1m|-10m|-25m] [options]",
            summary: "Load ratings (MovieLens, any rating table, or synthetic) and build the user-movie graph of ratings >= min-rating.",
            details: ["A MovieLens name reads path=DIR, else --data DIR or RECSH_DATA when it holds the files, else",
                      "~/.cache/recsh/NAME, else downloads it from GroupLens into that cache (size and checksum checked).",
                      "DIR: any MovieLens directory (ml-100k, '::' .dat files of ml-1m/ml-10m, CSV of ml-20m and later).",
                      "FILE: any ratings table (CSV, TSV, '::'); columns by 1-based number or header name; ids may be",
                      "numbers or text; without a rating column every row is a positive (implicit data).",
                      "synthetic: a MovieLens-shaped graph with planted taste groups (users= movies= ratings=), or the",
                      "named shapes synthetic-1m (6,040 x 3,706 x 1M), synthetic-10m, synthetic-25m.",
                      "bad-lines=strict stops at the first malformed line (file, line, fault); skip leaves such lines",
                      "out and reports how many and where. A user-movie pair rated twice keeps its first rating."],
            arguments: [ArgumentSpec("SOURCE", "a MovieLens name, a directory, a rating file, or synthetic",
                                     values: MovieLensRelease.all.map(\.name) + ["synthetic"] + SyntheticData.named.map(\.name),
                                     completion: .files)],
            options: [OptionSpec("path", "DIR", "read a MovieLens release from this directory", completion: .files),
                      OptionSpec("min-rating", "R", default: "3", "ratings >= R count as positives"),
                      OptionSpec("bad-lines", "strict|skip", default: "strict", "what a malformed line does",
                                 values: ["strict", "skip"]),
                      OptionSpec("user", "COL", default: "1", "FILE: the user id column (number or header name)"),
                      OptionSpec("item", "COL", default: "2", "FILE: the item (movie) id column"),
                      OptionSpec("rating", "COL|none", default: "3", "FILE: the rating column; none for implicit data"),
                      OptionSpec("time", "COL|none", default: "4", "FILE: the timestamp column"),
                      OptionSpec("sep", ",|tab|::|;|'|'", "FILE: the separator (detected from the first line)"),
                      OptionSpec("header", "on|off", "FILE: whether line 1 names the columns (detected)",
                                 values: ["on", "off"]),
                      OptionSpec("titles", "FILE", "FILE: item titles, 'id,title[,genres]'", completion: .files),
                      OptionSpec("users", "N", "synthetic: users"),
                      OptionSpec("movies", "N", "synthetic: movies"),
                      OptionSpec("ratings", "N", "synthetic: ratings"),
                      OptionSpec("seed", "N", default: "0", "synthetic: random seed (same seed, same data)"),
                      OptionSpec("skew", "S", default: "1", "synthetic: power-law strength of the degrees (0 uniform)"),
                      OptionSpec("features", "on|off", default: "on", "synthetic: user and movie features",
                                 values: ["on", "off"]),
                      OptionSpec("groups", "N", default: "auto", "synthetic: planted taste groups")],
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
                      "files: TSV files of user<TAB>movie with the data set's own ids.",
                      "A new split replaces the graph the models were trained on, so it drops every trained model:",
                      "at a terminal it asks first ('force' skips the question); in a script it goes ahead and says",
                      "so on stderr."],
            arguments: [ArgumentSpec("KIND", "how to split", values: ["warm", "cold", "official", "files"]),
                        ArgumentSpec("NAME", "official split name", required: false,
                                     values: ["u1", "u2", "u3", "u4", "u5", "ua", "ub"]),
                        ArgumentSpec("force", "drop trained models without asking", required: false,
                                     values: ["force"])],
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

    /// Options that only some sources take.
    static let tableOptions = ["user", "item", "rating", "time", "sep", "header", "titles"]
    static let syntheticOptions = ["users", "movies", "ratings", "seed", "skew", "features", "groups"]

    static func load(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let source = command.argument(0) ?? "ml-100k"
        let options = command.options
        let minRating = try options.float("min-rating", default: session.settings.minRating, range: 0...10)
        let badLines = BadLinePolicy(rawValue: try options.choice("bad-lines", default: "strict", from: ["strict", "skip"]))!
        let started = Date()
        let dataset: Dataset
        let origin: String
        let kind: String
        if MovieLensRelease.named(source) != nil {
            kind = "MovieLens release"
        } else if source == "synthetic" || SyntheticData.shape(named: source) != nil {
            kind = "synthetic"
        } else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory)
            if !exists {
                throw ShellError.message("load: \(RecError.visible(source)): no such file or directory (known names: "
                    + (MovieLensRelease.all.map(\.name) + ["synthetic"] + SyntheticData.named.map(\.name)).joined(separator: ", ") + ")")
            }
            kind = isDirectory.boolValue ? "directory" : "file"
        }
        let applicable: [String] = ["min-rating", "bad-lines"] + (kind == "MovieLens release" ? ["path"] : [])
            + (kind == "file" ? tableOptions : []) + (kind == "synthetic" ? syntheticOptions : [])
        if kind != "MovieLens release" && options.has("path") {
            throw ShellError.message("load: give either a directory or path=, not both")
        }
        for key in options.values.keys.sorted() where !applicable.contains(key) {
            throw ShellError.message("load \(kind == "MovieLens release" ? source : kind): option '\(key)=' does not apply "
                + "(accepted: \(applicable.joined(separator: ", ")))")
        }
        do {
            switch kind {
            case "MovieLens release":
                let locator = DatasetLocator(release: MovieLensRelease.named(source)!, path: options["path"],
                                             dataDirectory: session.settings.dataDirectory,
                                             cacheRoot: context.environment.cacheDirectory)
                let (loaded, location) = try locator.load(minRating: minRating, badLines: badLines, control: context.run)
                dataset = loaded
                origin = "\(location.source)"
            case "synthetic":
                var shape: SyntheticData.Shape
                if let named = SyntheticData.shape(named: source) {
                    shape = named
                } else {
                    shape = SyntheticData.Shape(users: try requiredInt(options, "users"),
                                                movies: try requiredInt(options, "movies"),
                                                ratings: try requiredInt(options, "ratings"))
                }
                if source != "synthetic" {
                    for key in ["users", "movies", "ratings"] where options.has(key) {
                        throw ShellError.message("load \(source): the shape is fixed; use 'load synthetic users= movies= ratings=' to choose \(key)=")
                    }
                }
                shape.seed = try seedOption(options, default: 0, command: "load")
                shape.skew = Double(try options.float("skew", default: 1, range: 0...4))
                shape.features = try options.bool("features", default: true)
                shape.groups = try options.int("groups", default: 0, range: 0...1_000_000)
                dataset = try SyntheticData.generate(shape, name: source, minRating: minRating, control: context.run)
                origin = "generated"
            case "directory":
                dataset = try MovieLensLoader.load(directory: source, minRating: minRating, badLines: badLines,
                                                   control: context.run)
                origin = "directory"
            default:
                var table = RatingTable.Options()
                table.minRating = minRating
                table.badLines = badLines
                table.user = options["user"].map(RatingTable.Column.init(parsing:))
                table.item = options["item"].map(RatingTable.Column.init(parsing:))
                table.rating = options["rating"].map(RatingTable.Column.init(parsing:))
                table.time = options["time"].map(RatingTable.Column.init(parsing:))
                table.separator = try options["sep"].map(separator)
                table.header = try options["header"].map { _ in try options.bool("header", default: true) }
                table.titles = options["titles"]
                dataset = try RatingTable.load(file: source, options: table, control: context.run)
                origin = "file"
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
        return loadedResult(dataset, origin: origin, seconds: Date().timeIntervalSince(started),
                            minRatingGiven: options.has("min-rating"))
    }

    static func requiredInt(_ options: OptionValues, _ key: String) throws -> Int {
        guard options.has(key) else {
            throw ShellError.message("load synthetic: needs users=, movies= and ratings= (or a named shape: "
                + SyntheticData.named.map(\.name).joined(separator: ", ") + ")")
        }
        return try options.int(key, default: 0, range: 1...500_000_000)
    }

    /// `sep=` as bytes: `tab`, `::`, or one character.
    static func separator(_ text: String) throws -> String {
        switch text {
        case "tab", "\\t", "\t": return "\t"
        case "comma": return ","
        case "semicolon": return ";"
        case "space": return " "
        default:
            guard !text.isEmpty, text.count <= 3 else {
                throw ShellError.message("load: sep=\(text) is not a separator (use ',', tab, '::', ';' or '|')")
            }
            return text
        }
    }

    static func loadedResult(_ d: Dataset, origin: String, seconds: Double, minRatingGiven: Bool = false) -> CommandResult {
        let positives = d.positiveCount
        let c = d.contents
        let fields: [(String, Value)] = [
            ("dataset", .string(d.name)), ("layout", .string(d.layout.rawValue)), ("path", .string(d.directory)),
            ("source", .string(origin)), ("users", .int(d.userCount)), ("movies", .int(d.movieCount)),
            ("ratings", .int(d.ratings.count)), ("min_rating", .double(Double(d.minRating))),
            ("positive_edges", .int(positives)),
            ("user_features", .int(d.userFeatures?.cols ?? 0)), ("movie_features", .int(d.movieFeatures?.cols ?? 0)),
            ("implicit", .bool(!c.ratings)), ("timestamps", .bool(c.timestamps)),
            ("user_ids", .string(d.userIDsAreNumbers ? "number" : "text")),
            ("movie_ids", .string(d.movieIDsAreNumbers ? "number" : "text")),
            ("skipped_lines", .int(d.report.skippedLines)),
            ("skipped", .array(d.report.skipped.map { s in
                .object([("file", .string(s.file)), ("line", .int(s.line)), ("reason", .string(s.reason))])
            })),
            ("duplicate_ratings", .int(d.report.duplicateRatings)),
            ("sha256", .string(d.checksum)), ("seconds", .double(seconds)),
        ]
        var notes = d.report.warnings.map { "warning: " + $0 }
        if !c.ratings && minRatingGiven {
            notes.append("note: the rows carry no rating, so every row is a positive and min-rating does not apply")
        }
        if !c.userFeatures || !c.movieFeatures {
            let missing = [c.userFeatures ? nil : "user", c.movieFeatures ? nil : "movie"].compactMap { $0 }
            notes.append("note: \(d.name) has no \(missing.joined(separator: " or ")) features; models fall back to ID embeddings.")
        }
        let hint = "'split warm'" + (d.layout == .ml100k ? " (or 'split official u1')" : "") + ", then 'train gcn'"
        // People read the skipped lines in the warning; the list is for scripts.
        let shown = fields.filter { $0.0 != "skipped" }
        return CommandResult(command: "load", blocks: [.fields(shown)], payload: fields, notes: notes, hints: [hint])
    }

    static func split(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("split")
        var command = command
        let force = command.arguments.contains("force")
        if let i = command.arguments.lastIndex(of: "force") {
            command.arguments.remove(at: i)
            if i < command.argumentColumns.count { command.argumentColumns.remove(at: i) }
        }
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
        if !dropped.isEmpty && !force && context.canAsk {
            throw ShellError.confirmation("split: this drops the trained models \(dropped.joined(separator: ", ")) "
                + "(trained on the current split); go ahead?")
        }
        session.split = split
        session.graph = dataset.graph(for: split)
        session.models = []
        let fields = splitFields(split)
        var result = CommandResult(command: "split", blocks: [.fields(fields)],
                                   payload: fields + [("dropped_models", .array(dropped.map(Value.string)))])
        if !dropped.isEmpty {
            let message = "split: dropped the models trained on the previous split: \(dropped.joined(separator: ", "))"
            if context.canAsk { result.notes.append(message) } else { result.warnings.append(message) }
        }
        return result
    }

    /// `seed=N` as the full UInt64 range `set seed=` accepts, else the session's seed.
    static func seedOption(_ options: OptionValues, default value: UInt64, command: String = "split") throws -> UInt64 {
        guard let text = options["seed"] else { return value }
        guard let seed = UInt64(text) else {
            throw ShellError.message("\(command): seed=\(text) is not a whole number >= 0")
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
        let positives = d.positiveCount
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
            ("implicit", .bool(d.implicit)), ("timestamps", .bool(d.hasTimestamps)),
            ("user_ids", .string(d.userIDsAreNumbers ? "number" : "text")),
            ("movie_ids", .string(d.movieIDsAreNumbers ? "number" : "text")),
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

        let ledger = memoryLedger(session)
        let memoryObject: Value = .object(ledger.parts.filter { !$0.name.hasPrefix("model:") }.map { ($0.name, Value.int($0.bytes)) } + [
            ("models", .object(ledger.parts.filter { $0.name.hasPrefix("model:") }.map { (String($0.name.dropFirst(6)), Value.int($0.bytes)) })),
            ("total", .int(ledger.total)),
        ])

        var payload = dataFields + graphFields + featureFields
        payload += [
            ("user_feature_names", .array(d.userFeatureNames.map { .string($0) })),
            ("movie_feature_names", .array(d.movieFeatureNames.map { .string($0) })),
            ("split", splitObject), ("models", .array(modelObjects)), ("memory", memoryObject),
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
        people.append(("memory", .string(ledger.parts.map { "\($0.name.hasPrefix("model:") ? String($0.name.dropFirst(6)) : $0.name) "
            + ResourceBudget.bytes(Double($0.bytes)) }.joined(separator: ", ") + "; total " + ResourceBudget.bytes(Double(ledger.total)))))
        var blocks: [CommandResult.Block] = [.fields(people)]
        if session.models.isEmpty {
            blocks.append(.text(["models: none trained yet" + (session.split == nil ? "" : "; try 'train gcn'")]))
        } else {
            blocks.append(.table(modelsTable(session.models)))
        }
        return CommandResult(command: "info", blocks: blocks, payload: payload)
    }

    /// The session's memory by part: data set, graph (edges and CSR), split, each model ("model:NAME").
    static func memoryLedger(_ session: Session) -> MemoryLedger {
        var ledger = MemoryLedger()
        ledger.begin("dataset")
        if let d = session.dataset { ledger.add(d) }
        ledger.begin("graph")
        if let g = session.graph { ledger.add(g) }
        ledger.begin("split")
        if let s = session.split { ledger.add(s) }
        for model in session.models {
            ledger.begin("model:" + model.name)
            ledger.add(model)
        }
        return ledger
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
            ("on", m.lastMetricsOn.map { .string($0) } ?? .null),
            ("metrics", .object(metrics)),
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

extension Value {
    /// A data-set id: a JSON integer when the data set's ids are numbers, else a string.
    static func id(_ id: NodeID) -> Value {
        switch id {
        case .number(let n): return .int(n)
        case .text(let s): return .string(s)
        }
    }
}

extension NodeID {
    /// The id as a JSON literal: a number, or a quoted, escaped string.
    var json: String {
        switch self {
        case .number(let n): return String(n)
        case .text(let s):
            var out = ""
            JSONRenderer.writeString(s, to: &out)
            return out
        }
    }
}
