/// The machine-output contract, one payload shape per command: what
/// `--format json` puts after `"command"` and `"ok"` in each object, and
/// (through `Shape.allows(csvColumn:)`) the only names a CSV header may use.
///
/// Rules every command keeps, checked by OutputContractTests on every
/// command in `help`:
/// - stdout in json and csv carries results only; notes, hints, warnings,
///   progress and the echo go to stderr.
/// - Keys are snake_case; one name for one thing across commands: `on` (the
///   evaluation part), `created_at` (ISO 8601), `rank` (1-based, in every
///   ranked list), `model`, `metrics`.
/// - Settings keep their types (`"k":10`, `"timer":false`, `"width":null`).
/// - Ids are the data set's own; `id` is an integer where the data set's ids
///   are numbers, a string otherwise.
/// - A failed command is `{"command":...,"ok":false,"error":"..."}`; with the
///   timer on, every object also has `wall_seconds`.
///
/// A variant of a command (`lsh sweep`, `attention summary`, `eval lsh=`)
/// adds optional keys to its command's shape rather than a shape of its own.
public enum OutputSchema {
    /// The payload shape of `command` (its canonical name), or nil for an unknown command.
    public static func payload(of command: String) -> Shape? { commands[command] }

    /// Everything wrong with one JSON object of the output (empty: it keeps the contract).
    public static func violations(_ object: Value) -> [String] {
        guard case .object(let pairs) = object else { return ["$: expected an object"] }
        guard case .string(let name)? = pairs.first(where: { $0.0 == "command" })?.1 else {
            return ["$.command: missing or not a string"]
        }
        guard case .bool(let ok)? = pairs.first(where: { $0.0 == "ok" })?.1 else { return ["$.ok: missing or not a bool"] }
        var rest = pairs.filter { $0.0 != "command" && $0.0 != "ok" }
        var problems: [String] = []
        if let i = rest.firstIndex(where: { $0.0 == "wall_seconds" }) {
            problems += Shape.number.violations(rest[i].1, at: "$.wall_seconds")
            rest.remove(at: i)
        }
        if !ok {
            return problems + Shape.object([req("error", .string)]).violations(.object(rest))
        }
        guard let shape = commands[name] else { return problems + ["$.command: '\(name)' has no schema"] }
        return problems + shape.violations(.object(rest))
    }

    // MARK: shapes shared by several commands

    /// The data set's own id: a number where its ids are numbers.
    static let id = Shape.any
    static let strings = Shape.array(.string)
    static let metrics = Shape.object(["precision", "recall", "ndcg", "mrr", "mrr_full", "hit_rate", "map"]
        .map { opt($0, .number) })
    static let settings = Shape.object([
        opt("format", .string), opt("seed", .int), opt("k", .int), opt("timer", .bool), opt("threads", .int),
        opt("color", .string), opt("progress", .bool), opt("min_rating", .number), opt("data", .nullable(.string)),
        opt("sessions", .string), opt("hints", .bool), opt("echo", .bool), opt("width", .nullable(.int)),
        opt("expanded", .string), opt("pager", .bool), opt("memory_limit", .string),
    ])
    static let splitSummary: [Shape.Field] = [
        req("kind", .string), req("ratios", .nullable(.string)), req("seed", .nullable(.int)), req("users", .int),
        req("train_edges", .int), req("val_edges", .int), req("test_edges", .int), req("users_in_test", .int),
        req("users_without_test", .int),
    ]
    static let chart = Shape.object([
        req("title", .string), req("x_label", .string), req("y_label", .string),
        req("series", .array(.object([req("name", .string), req("x", .array(.number)), req("y", .array(.number))]))),
    ])
    static let datasetFields: [Shape.Field] = [
        req("dataset", .string), req("layout", .string), req("path", .string), req("users", .int), req("movies", .int),
        req("ratings", .int), req("min_rating", .number), req("positive_edges", .int), req("user_features", .int),
        req("movie_features", .int), req("sha256", .string),
        opt("implicit", .bool), opt("timestamps", .bool), opt("user_ids", .string), opt("movie_ids", .string),
        opt("skipped_lines", .int), opt("duplicate_ratings", .int),
        opt("skipped", .array(.object([req("file", .string), req("line", .int), req("reason", .string)]))),
    ]
    /// One LSH setting measured (`lsh`, and each point of `lsh sweep` and `lsh bench`).
    static let lshReport: [Shape.Field] = [
        req("planes", .int), req("tables", .int), req("probe", .string), req("candidates", .nullable(.int)),
        req("mips", .bool), req("bands", .int), opt("seed", .int), opt("k", .int), opt("users", .int),
        req("buckets_used", .int), req("mean_bucket_size", .number), req("max_bucket_size", .int),
        req("candidates_per_user", .number), req("recall_vs_exact", .number), req("precision", .nullable(.number)),
        req("ndcg", .nullable(.number)), opt("exact_precision", .number), opt("exact_ndcg", .number),
        req("users_per_second", .number), req("exact_users_per_second", .number), req("speedup", .number),
        req("build_seconds", .number),
    ]
    static let ranked = Shape.object([req("rank", .int), req("movie", id), req("title", .string), req("score", .number)])
    static let attentionView: [Shape.Field] = [
        req("layer", .int), req("head", .int), req("sources", .int), req("total", .number), req("entropy", .number),
        req("max_entropy", .number), req("normalized_entropy", .number), req("uniform_weight", .number),
        req("gcn_mean_weight", .nullable(.number)), req("self_weight", .number),
    ]
    static let neighbor = Shape.object([
        req("kind", .string), req("id", id), req("title", .string), req("weight", .number), req("self", .bool),
        req("degree", .int),
    ])

    // MARK: every command

    static let commands: [String: Shape] = [
        // Shell
        "help": .object([
            opt("commands", .array(.object([req("name", .string), req("group", .string), req("synopsis", .string),
                                            req("summary", .string)]))),
            opt("name", .string), opt("synopsis", .string), opt("summary", .string), opt("aliases", strings),
            opt("arguments", .array(.object([req("name", .string), req("required", .bool), req("variadic", .bool),
                                             req("values", strings), req("help", .string)]))),
            opt("options", .array(.object([req("name", .string), req("value", .string),
                                           req("default", .nullable(.string)), req("values", strings),
                                           req("help", .string)]))),
            opt("example", .string),
        ]),
        "set": .object([req("settings", settings)]),
        "show": .object([req("settings", settings)]),
        "timer": .object([req("timer", .bool)]),
        "format": .object([req("format", .string)]),
        "run": .object([req("file", .string), req("failed", .int)]),
        "output": .object([req("file", .nullable(.string))]),
        "sleep": .object([req("seconds", .number), req("interrupted", .bool)]),
        "quit": .object([]),

        // Data
        "load": .object(datasetFields + [req("source", .string), req("seconds", .number)]),
        "info": .object(datasetFields + [
            req("graph_edges", .int), req("mean_user_degree", .number), req("mean_movie_degree", .number),
            req("users_without_edges", .int), req("movies_without_edges", .int),
            req("user_feature_names", strings), req("movie_feature_names", strings),
            req("gnn_input", .string), req("split", .nullable(.object(splitSummary))),
            req("models", .array(.object([req("name", .string), req("kind", .string), req("epochs", .int),
                                          req("seconds", .number), req("on", .nullable(.string)),
                                          req("metrics", .map(.number))]))),
            req("memory", .object([req("dataset", .int), req("graph", .int), req("split", .int), req("models", .map(.int)),
                                   req("total", .int)])),
        ]),
        "split": .object(splitSummary + [req("dropped_models", strings), opt("cancelled", .bool)]),
        "find": .object([
            req("query", .string), req("matches", .int),
            req("movies", .array(.object([req("movie", id), req("title", .string), req("year", .nullable(.int)),
                                          req("genres", strings), req("ratings", .int)]))),
        ]),
        "user": .object([
            req("user", id), opt("age", .int), opt("gender", .string), opt("occupation", .string), opt("zip", .string),
            req("ratings", .int), req("mean_rating", .number), req("positives", .int), req("degree", .int),
            opt("val_edges", .int), opt("test_edges", .int), opt("features", .map(.number)),
            req("rated", .array(.object([req("movie", id), req("title", .string), req("rating", .number),
                                         req("edge", .string)]))),
        ]),
        "movie": .object([
            req("movie", id), req("title", .string), req("year", .nullable(.int)), opt("release_date", .string),
            req("genres", strings), req("ratings", .int), req("mean_rating", .number), req("positives", .int),
            req("degree", .int), opt("val_edges", .int), opt("test_edges", .int),
            opt("raters_female", .int), opt("raters_male", .int), opt("raters_mean_age", .number),
            opt("top_occupations", .string),
            req("distribution", .array(.object([req("rating", .number), req("count", .int), req("share", .number),
                                                req("positive", .bool)]))),
        ]),

        // Models
        "train": .object([
            req("model", .string), req("kind", .string), req("epochs", .int), req("seconds", .number),
            req("seconds_per_epoch", .number), req("final_loss", .nullable(.number)), req("val", .nullable(metrics)),
            req("validation", .string), req("best_epoch", .int), req("stopped_early", .bool), req("interrupted", .bool),
            req("options", .map(.any)), opt("note", .string), opt("input_note", .string), opt("history", .any),
            opt("fold_in", .any),
        ]),
        "tune": .object([
            req("model", .string), req("kind", .string), req("preset", .string), req("best_trial", .int),
            req("ndcg", .nullable(.number)),
            req("trials", .array(.object([
                req("trial", .int), req("ndcg", .nullable(.number)), req("epochs", .int), req("best_epoch", .int),
                req("seconds", .number), req("stop", .string), req("options", .map(.any)), opt("error", .string),
            ]))),
            req("searched", strings), req("validation", .string), req("stopped_by", .string), req("seconds", .number),
            req("options", .map(.any)),
        ]),
        "models": .object([
            req("models", .array(.object([req("name", .string), req("kind", .string), req("options", .map(.any)),
                                          req("epochs", .int), req("best_epoch", .int), req("seconds", .number),
                                          req("on", .nullable(.string)), req("metrics", .nullable(metrics))]))),
        ]),

        // Evaluation
        "eval": .object([
            req("results", .array(.object([
                req("model", .string), req("on", .string), req("k", .int), req("users", .int),
                req("precision", .number), req("recall", .number), req("ndcg", .number), req("mrr", .number),
                req("mrr_full", .nullable(.number)), req("hit_rate", .number), req("map", .number),
                req("seconds", .number), req("users_per_second", .number),
                opt("lsh_planes", .int), opt("candidates_per_user", .number), opt("recall_vs_exact", .number),
                opt("protocol", .string), opt("step", .string), opt("mrr_users", .int),
                opt("cold_users", .int), opt("method", .map(.int)),
            ]))),
        ]),
        "compare": .object([
            req("on", .string), req("k", .int), req("seeds", .array(.int)),
            req("results", .array(.map(.any))),
            opt("significance", .array(.object([
                req("metric", .string), req("best", .string), req("other", .string), req("seed", .nullable(.int)),
                req("users", .int), req("mean_difference", .number), req("t", .number), req("t_test_p", .number),
                req("wins", .int), req("losses", .int), req("ties", .int), req("sign_test_p", .number),
            ]))),
        ]),

        // Explore
        "recommend": .object([
            req("user", id), req("model", .string), req("k", .int), opt("why", .string), opt("rival", id),
            opt("attention_paths", .bool), opt("unit", .string),
            opt("first_fifth", .object([req("first", .number), req("fifth", .number), req("ratio", .nullable(.number))])),
            req("method", .string), req("cold_users", .string),
            req("items", .array(.object([
                req("rank", .int), req("movie", id), req("title", .string), req("score", .number),
                req("genres", strings), req("held_out", .nullable(.string)),
                opt("because", .array(.object([req("movie", id), req("title", .string), opt("delta", .number),
                                               opt("lead_delta", .number), opt("similarity", .number)]))),
                opt("because_groups", .array(.object([req("name", .string), req("size", .int), req("movies", .array(id)),
                                                      req("strongest", .object([req("movie", id), req("title", .string)])),
                                                      req("delta", .number), opt("lead_delta", .number)]))),
                opt("paths", .any), opt("path_weight_total", .number), opt("path_count", .int),
            ]))),
        ]),
        "similar": .object([
            req("movie", id), req("title", .string), req("model", .string), req("k", .int),
            req("items", .array(ranked)),
        ]),
        "attention": .object([
            req("model", .string), opt("node", .object([req("kind", .string), req("id", id)])),
            opt("layer", .int), opt("head", .int), opt("neighbors", .array(neighbor)),
            opt("views", .array(.object(attentionView + [req("neighbors", .array(neighbor))]))),
            opt("summary", .array(.object([
                req("layer", .int), req("head", .int), req("nodes", .int), req("mean_normalized_entropy", .number),
                req("median_normalized_entropy", .number), req("mean_total_variation", .number),
                req("self_weight_over_uniform", .number), req("degree_correlation", .nullable(.number)),
                req("bin_edges", .array(.number)), req("histogram", .array(.int)),
                opt("users_mean_normalized_entropy", .number), opt("movies_mean_normalized_entropy", .number),
            ]))),
        ]),

        // What-if
        "whatif": .object([
            req("user", id), req("model", .string), req("k", .int),
            req("change", .object([req("kind", .string), req("movies", .array(id))])),
            req("before", .array(ranked)), req("after", .array(ranked)),
            req("entered", .array(id)), req("left", .array(id)), req("now_liked", .array(id)),
            req("users_affected", .nullable(.int)), req("users_reordered", .nullable(.int)),
            req("method", .string), req("cold_users", .string), req("edits", .string),
            opt("receptive_field", .object([req("users", .int), req("movies", .int), req("recomputed", .array(.int))])),
        ]),
        "newuser": .object([
            req("model", .string),
            req("persona", .object([req("age", .nullable(.int)), req("gender", .nullable(.string)),
                                    req("occupation", .nullable(.string)), req("likes", .array(id))])),
            req("k", .int), req("items", .array(ranked)),
            req("method", .string), req("cold_users", .string),
        ]),

        // Retrieval
        "lsh": .object(lshReport.map { Shape.Field($0.name, $0.shape, required: false) } + [
            opt("model", .string), opt("note", .string), opt("what", .string), opt("points", .array(.object(lshReport))),
            opt("complete", .bool), opt("svg", .string), opt("seeds", .array(.any)),
            // lsh bench: the synthetic catalogue it measured on.
            opt("items", .int), opt("dim", .int), opt("queries", .int), opt("clusters", .int), opt("runs", .int),
            opt("exact_gflops", .number), opt("target_recall", .number), opt("best", .nullable(.object(lshReport))),
            opt("closest", .object(lshReport)), opt("load_average", .nullable(.string)),
        ]),

        // Sessions
        "save": .object([req("name", .string), req("path", .string), req("bytes", .int), req("seconds", .number),
                         req("models", strings)]),
        "restore": .object([
            req("name", .string), req("path", .string), req("bytes", .int), req("seconds", .number),
            req("dataset", .string), req("split", .string), req("models", strings), req("created_at", .string),
            opt("recovered", .bool),
        ]),
        "sessions": .object([
            req("directory", .string),
            req("sessions", .array(.object([
                req("name", .string), req("path", .string), req("created_at", .nullable(.string)), req("bytes", .int),
                req("dataset", .nullable(.string)),
                req("models", .array(.object([req("name", .string), req("kind", .string), req("on", .nullable(.string)),
                                              req("metrics", .map(.number))]))),
                req("best", .nullable(.object([req("model", .string), req("metric", .string), req("value", .number)]))),
                req("readable", .bool), opt("problem", .string), opt("note", .string),
            ]))),
        ]),
        "export": .object([
            req("what", .string), opt("model", .string), opt("models", strings), opt("k", .int), opt("users", .int),
            opt("movies", .int), opt("rows", .int), opt("layers", .int), opt("heads", .int), opt("edges", .int),
            opt("dim", .int),
            req("file", .string), req("format", .string), req("bytes", .int),
        ]),
        "plot": .object([
            opt("charts", .array(chart)), opt("files", strings), opt("what", .string), opt("model", .string),
            opt("models", .array(.object([req("model", .string), req("on", .nullable(.string)), req("metrics", metrics)]))),
            opt("planes", .array(.int)), opt("recall_vs_exact", .array(.number)), opt("speedup", .array(.number)),
            opt("svg", .string),
        ]),
        "bench": .object([
            req("results", .array(.object([
                req("name", .string), req("median_seconds", .number), req("runs", .int),
                opt("gflops", .number), opt("seconds_per_epoch", .number), opt("users_per_second", .number),
                opt("blas_core", .string), opt("threads", .int), opt("batches_per_epoch", .int),
                opt("cpu_seconds_per_epoch", .number), opt("epoch_seconds", .array(.number)), opt("heads", .int),
                opt("users", .int), opt("workers", .int),
                opt("seconds", .number), opt("sampler", .string), opt("fanout", .string), opt("timed_batches", .int),
                opt("ratings", .int), opt("train_edges", .int), opt("movies", .int), opt("bytes", .int), opt("batch", .int),
                opt("lr", .number),
            ]))),
            req("load_average", .nullable(.array(.number))),
            opt("shape", .string), opt("peak_rss_bytes", .nullable(.int)), opt("bundle_bytes", .nullable(.int)),
            opt("skipped", .array(.object([req("name", .string), req("reason", .string)]))),
        ]),
    ]
}
