import Foundation
import GraphRec

/// Loading data, splitting it, and looking things up in it.
///
/// The engine is not merged into this build yet: each handler says so.
/// Wiring one in means replacing its body; the spec (usage, options,
/// completion) stays.
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
            name: "find", group: "Data", synopsis: "find TEXT",
            summary: "Search movie titles (case-insensitive).",
            arguments: [ArgumentSpec("TEXT", "words of the title", variadic: true, completion: .movieTitles)],
            example: "find \"star wars\"", handler: find),
        CommandSpec(
            name: "user", group: "Data", synopsis: "user USER",
            summary: "A user's profile: features, degree, rated movies.",
            arguments: [ArgumentSpec("USER", "user id")],
            example: "user 1", handler: user),
        CommandSpec(
            name: "movie", group: "Data", synopsis: "movie MOVIE",
            summary: "A movie's profile: genres, degree, raters. MOVIE is an id or a quoted title.",
            arguments: [ArgumentSpec("MOVIE", "movie id or title", completion: .movieTitles)],
            example: "movie \"Toy Story (1995)\"", handler: movie),
    ]

    static func load(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let source = command.argument(0) ?? "ml-100k"
        let minRating = try command.options.float("min-rating", default: session.settings.minRating, range: 0...10)
        let started = Date()
        let dataset: Dataset
        let origin: String
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
        return CommandResult(command: "load", blocks: [.fields(fields)], payload: fields)
    }

    static func info(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("info")
    }

    static func split(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("split")
        let kind = command.argument(0) ?? "warm"
        let options = command.options
        let split: Split
        switch kind {
        case "warm", "cold":
            try rejectArgument(command, at: 1, usage: "split \(kind) [ratios=80/10/10] [seed=0]")
            let ratios = try Split.parseRatios(options.string("ratios", default: "80/10/10"))
            let seed = UInt64(try options.int("seed", default: Int(session.settings.seed), range: 0...Int.max))
            split = kind == "warm"
                ? try Split.warm(positives: dataset.positives, ratios: ratios, seed: seed)
                : try Split.cold(positives: dataset.positives, ratios: ratios, seed: seed)
        case "official":
            guard let name = command.argument(1) else {
                throw ShellError.missingArgument(command: "split", argument: "NAME", usage: "split official u1|...|ub")
            }
            split = try Split.official(name, dataset: dataset)
        case "files":
            guard let train = options["train"], let test = options["test"] else {
                throw ShellError.message("split files: needs train=FILE and test=FILE (val=FILE optional)")
            }
            split = try Split.files(train: train, validation: options["val"], test: test, dataset: dataset)
        default:
            throw ShellError.badValue(command: "split", option: "KIND", value: kind,
                                      accepted: ["warm", "cold", "official", "files"])
        }
        session.split = split
        session.graph = dataset.graph(for: split)
        session.models = []
        let s = split.summary
        let fields: [(String, Value)] = [
            ("kind", .string(split.kind.description)), ("ratios", .string(split.ratios.map(String.init).joined(separator: "/"))),
            ("seed", .int(Int(split.seed))), ("users", .int(s.users)), ("train_edges", .int(s.trainEdges)),
            ("val_edges", .int(s.validationEdges)), ("test_edges", .int(s.testEdges)),
            ("users_in_test", .int(s.usersInTest)), ("users_without_test", .int(s.usersWithoutTest)),
        ]
        return CommandResult(command: "split", blocks: [.fields(fields)], payload: fields)
    }

    static func rejectArgument(_ command: ParsedCommand, at index: Int, usage: String) throws {
        if let extra = command.argument(index) {
            throw ShellError.unexpectedArgument(command: command.name, argument: extra,
                                                column: command.argumentColumns[index], usage: usage)
        }
    }

    static func find(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("find")
    }

    static func user(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("user")
    }

    static func movie(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("movie")
    }
}
