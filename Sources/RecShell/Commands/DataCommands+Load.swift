import Foundation
import GraphRec

/// `load`: every source (MovieLens by name or directory, any rating file, synthetic data) and its options.
extension DataCommands {
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
        // People read the skipped lines in the warning; the list is for scripts.
        let shown = fields.filter { $0.0 != "skipped" }
        return CommandResult(command: "load", blocks: [.fields(shown)], payload: fields, notes: notes,
                             hints: ["split warm"] + (d.layout == .ml100k ? ["split official u1"] : []))
    }
}
