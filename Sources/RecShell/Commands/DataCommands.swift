import Foundation
import GraphRec

/// Loading data, splitting it, and looking things up in it. The handlers
/// are thin: the loader, the splits and Dataset+Search do the work; here
/// options are read and results built. `find`, `user` and `movie` live in
/// DataLookupCommands.swift.
public enum DataCommands {
    public static let specs = CommandSpec.group("Data", [
        CommandSpec(name: "load",
            summary: "Load ratings (MovieLens, any rating table, or synthetic) and build the user-movie graph of ratings >= min-rating.",
            details: """
                A MovieLens name reads path=DIR, else --data DIR or RECSH_DATA when it holds the files, else
                ~/.cache/recsh/NAME, else downloads it from GroupLens into that cache (size and checksum checked).
                DIR: any MovieLens directory (ml-100k, '::' .dat files of ml-1m/ml-10m, CSV of ml-20m and later).
                FILE: any ratings table (CSV, TSV, '::'); columns by 1-based number or header name; ids may be
                numbers or text; without a rating column every row is a positive (implicit data).
                synthetic: a MovieLens-shaped graph with planted taste groups (users= movies= ratings=), or the
                named shapes synthetic-1m (6,040 x 3,706 x 1M), synthetic-10m, synthetic-25m.
                bad-lines=strict stops at the first malformed line (file, line, fault); skip leaves such lines
                out and reports how many and where. A user-movie pair rated twice keeps its first rating.
                """,
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
        CommandSpec(name: "info",
            summary: "Data set, graph, split, features and trained models in one summary.",
            requires: [.dataset],
            example: "info", handler: info),
        CommandSpec(name: "split",
            summary: "Split the positives into train, validation and test; the graph then holds train only.",
            details: """
                warm: each user's positives are split by ratios. cold: the users are split; val/test users
                keep none of their edges in the graph. seed-study: the seed study's split, users 80/10/10 with
                all of a validation or test user's likes held out (cold 80/10/10; pair it with 'eval protocol=seed').
                official: GroupLens u1..u5, ua, ub (NAME.base/NAME.test).
                files: TSV files of user<TAB>movie with the data set's own ids.
                A new split replaces the graph the models were trained on, so it drops every trained model:
                at a terminal it asks first ('force' skips the question); in a script it goes ahead and says
                so on stderr.
                """,
            arguments: [.flag("force", "drop trained models without asking")],
            subcommands: [Subcommand("warm", "each user's positives split by ratios", options: ["ratios", "seed"]),
                          Subcommand("cold", "the users split by ratios", options: ["ratios", "seed"]),
                          Subcommand("seed-study", "the seed study's cold 80/10/10 split", options: ["seed"]),
                          Subcommand("official", "a GroupLens split", arguments: [
                              ArgumentSpec("NAME", "official split name", values: ["u1", "u2", "u3", "u4", "u5", "ua", "ub"])],
                                     options: []),
                          Subcommand("files", "pairs read from files", options: ["train", "val", "test"],
                                     requiredOptions: ["train", "test"])],
            defaultSubcommand: "warm", subcommandLabel: "KIND",
            options: [OptionSpec("ratios", "A/B/C", default: "80/10/10", "train/val/test percentages"),
                      OptionSpec("seed", "N", default: "0", "random seed (same seed, same split)"),
                      OptionSpec("train", "FILE", "train pairs (split files)", completion: .files),
                      OptionSpec("val", "FILE", "validation pairs (split files)", completion: .files),
                      OptionSpec("test", "FILE", "test pairs (split files)", completion: .files)],
            requires: [.dataset],
            example: "split warm ratios=80/10/10 seed=0", handler: split),
        CommandSpec(name: "find",
            summary: "Search movie titles (case- and accent-insensitive): id, year, genres, number of ratings.",
            arguments: [ArgumentSpec("TEXT", "words of the title", variadic: true, completion: .movieTitles)],
            options: [OptionSpec("limit", "N", default: "25", "most titles to show")],
            requires: [.dataset],
            example: "find \"star wars\"", handler: find),
        CommandSpec(name: "user",
            summary: "A user's profile: features, degree in the graph, rating stats, rated movies highest first.",
            arguments: [ArgumentSpec("USER", "user id")],
            options: [OptionSpec("top", "N", default: "10", "rated movies to list")],
            requires: [.dataset],
            example: "user 1 top=5", handler: user),
        CommandSpec(name: "movie",
            summary: "A movie's profile: genres, release date, rating stats, degree, who rated it.",
            details: """
                MOVIE is an id, a full title ("Star Wars (1977)") or a unique part of one;
                an ambiguous title lists the candidates with their ids.
                """,
            arguments: [ArgumentSpec("MOVIE", "movie id or title", variadic: true, completion: .movieTitles)],
            requires: [.dataset],
            example: "movie \"Toy Story (1995)\"", handler: movie),
    ])



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
