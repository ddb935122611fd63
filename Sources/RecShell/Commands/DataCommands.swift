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
        throw ShellError.notBuilt("load")
    }

    static func info(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("info")
    }

    static func split(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("split")
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
