import Foundation
import GraphRec
import Tensors

/// The file formats `export` writes: embeddings, recommendations and
/// metrics as safetensors, CSV or JSON, with the data set's own ids.
extension SessionCommands {
    // MARK: embeddings

    static func embeddingsData(_ model: TrainedModel, _ e: Embeddings, dataset: Dataset, format: String) throws -> Data {
        let userIDs = ids(rows: e.users.rows, known: dataset.userCount) { dataset.users[$0].id }
        let movieIDs = ids(rows: e.items.rows, known: dataset.movieCount) { dataset.movies[$0].id }
        switch format {
        case "safetensors":
            var metadata = ["model": model.name, "kind": model.kind, "dataset": dataset.name, "producer": "recsh"]
            var tensors: [(String, TensorValue)] = [("users", .float32(e.users)), ("movies", .float32(e.items))]
            // Numeric ids are int32 tensors; text ids cannot be, so they go in the metadata as JSON arrays.
            if let numbers = int32IDs(userIDs) { tensors.append(("user_ids", .int32(numbers, shape: [numbers.count]))) }
            else { metadata["user_ids"] = jsonArray(userIDs) }
            if let numbers = int32IDs(movieIDs) { tensors.append(("movie_ids", .int32(numbers, shape: [numbers.count]))) }
            else { metadata["movie_ids"] = jsonArray(movieIDs) }
            return try SafeTensors.encode(tensors, metadata: metadata)
        case "csv":
            var out = CSVRenderer.row(["node", "id", "title"] + (0..<e.dimension).map { "e\($0)" }) + "\n"
            for u in 0..<e.users.rows {
                out += CSVRenderer.row(["user", userIDs[u].description, ""] + e.users.row(u).map(number)) + "\n"
            }
            for m in 0..<e.items.rows {
                let title = m < dataset.movieCount ? dataset.movies[m].title : ""
                out += CSVRenderer.row(["movie", movieIDs[m].description, title] + e.items.row(m).map(number)) + "\n"
            }
            return Data(out.utf8)
        default:
            var out = "{\"model\":"
            JSONRenderer.writeString(model.name, to: &out)
            out += ",\"kind\":"
            JSONRenderer.writeString(model.kind, to: &out)
            out += ",\"dim\":\(e.dimension),\"users\":["
            for u in 0..<e.users.rows {
                out += (u > 0 ? "," : "") + "{\"id\":\(userIDs[u].json),\"vector\":" + vector(e.users.row(u)) + "}"
            }
            out += "],\"movies\":["
            for m in 0..<e.items.rows {
                out += (m > 0 ? "," : "") + "{\"id\":\(movieIDs[m].json),\"title\":"
                JSONRenderer.writeString(m < dataset.movieCount ? dataset.movies[m].title : "", to: &out)
                out += ",\"vector\":" + vector(e.items.row(m)) + "}"
            }
            return Data((out + "]}\n").utf8)
        }
    }

    /// Original ids for the rows; rows beyond the data set (users added later) get -1.
    static func ids(rows: Int, known: Int, _ id: (Int) -> NodeID) -> [NodeID] {
        (0..<rows).map { $0 < known ? id($0) : .number(-1) }
    }

    /// The ids as int32 when every one is a number that fits, else nil.
    static func int32IDs(_ ids: [NodeID]) -> [Int32]? {
        var out: [Int32] = []
        out.reserveCapacity(ids.count)
        for id in ids {
            guard let n = id.number, let small = Int32(exactly: n) else { return nil }
            out.append(small)
        }
        return out
    }

    static func jsonArray(_ ids: [NodeID]) -> String { "[" + ids.map(\.json).joined(separator: ",") + "]" }

    /// Shortest text that reads back as the same Float; non-finite values as JSON-safe text.
    static func number(_ x: Float) -> String { x.isFinite ? "\(x)" : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")) }

    static func vector(_ row: [Float]) -> String {
        "[" + row.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }

    // MARK: recommendations

    /// Each user's top `k` movies (index, score), excluding their train positives; ties to the lower index.
    static func topK(_ scorer: any Scorer, graph: InteractionGraph, users: Int, k: Int) -> [[(index: Int, score: Float)]] {
        let count = min(users, scorer.userCount, graph.userCount)
        let lists = ExactRetriever.topK(scorer: scorer, k: k, exclusions: scorer.userCount == graph.userCount ? graph.userItems : nil)
        return (0..<count).map { u in lists.items(of: u).map { (index: $0.item, score: $0.score) } }
    }

    static func recommendationsData(_ lists: [[(index: Int, score: Float)]], model: TrainedModel, dataset: Dataset,
                                    k: Int, format: String) throws -> Data {
        switch format {
        case "safetensors":
            // Numeric data sets get their own ids; text ids cannot be int32, so those get dense
            // indices with the id lists in the metadata (JSON arrays, index -> id).
            let numeric = dataset.userIDsAreNumbers && dataset.movieIDsAreNumbers
                && int32IDs(dataset.users.map(\.id)) != nil && int32IDs(dataset.movies.map(\.id)) != nil
            func code(_ id: NodeID, index: Int) -> Int32 { numeric ? Int32(truncatingIfNeeded: id.number ?? -1) : Int32(index) }
            var movies = [Int32](repeating: -1, count: lists.count * k)
            var scores = Matrix(rows: lists.count, cols: k, repeating: .nan)
            for (u, list) in lists.enumerated() {
                for (r, item) in list.enumerated() {
                    movies[u * k + r] = code(dataset.movies[item.index].id, index: item.index)
                    scores[u, r] = item.score
                }
            }
            let users = lists.indices.map { code(dataset.users[$0].id, index: $0) }
            var metadata = ["model": model.name, "kind": model.kind, "dataset": dataset.name, "k": "\(k)", "producer": "recsh",
                            "note": "movie_ids -1 and scores NaN pad users with fewer than k candidates"]
            if !numeric {
                metadata["ids"] = "user_ids and movie_ids are indices into the metadata's user_id_list and movie_id_list"
                metadata["user_id_list"] = jsonArray(dataset.users.map(\.id))
                metadata["movie_id_list"] = jsonArray(dataset.movies.map(\.id))
            }
            return try SafeTensors.encode([
                ("user_ids", .int32(users, shape: [users.count])), ("movie_ids", .int32(movies, shape: [lists.count, k])),
                ("scores", .float32(scores)),
            ], metadata: metadata)
        case "csv":
            var out = CSVRenderer.row(["user", "rank", "movie", "title", "score"]) + "\n"
            for (u, list) in lists.enumerated() {
                for (r, item) in list.enumerated() {
                    let movie = dataset.movies[item.index]
                    out += CSVRenderer.row([dataset.users[u].id.description, String(r + 1), movie.id.description, movie.title,
                                            number(item.score)]) + "\n"
                }
            }
            return Data(out.utf8)
        default:
            var out = "{\"model\":"
            JSONRenderer.writeString(model.name, to: &out)
            out += ",\"k\":\(k),\"users\":["
            for (u, list) in lists.enumerated() {
                out += (u > 0 ? "," : "") + "{\"user\":\(dataset.users[u].id.json),\"items\":["
                for (r, item) in list.enumerated() {
                    let movie = dataset.movies[item.index]
                    out += (r > 0 ? "," : "") + "{\"movie\":\(movie.id.json),\"title\":"
                    JSONRenderer.writeString(movie.title, to: &out)
                    out += ",\"score\":" + (item.score.isFinite ? "\(item.score)" : "null") + "}"
                }
                out += "]}"
            }
            return Data((out + "]}\n").utf8)
        }
    }

    // MARK: metrics

    static func metricsData(_ models: [TrainedModel], format: String) -> Data {
        let names = Array(Set(models.flatMap { $0.lastMetrics.keys })).sorted()
        if format == "csv" {
            var out = CSVRenderer.row(["model", "kind", "on"] + names) + "\n"
            for m in models {
                out += CSVRenderer.row([m.name, m.kind, m.lastMetricsOn ?? ""]
                    + names.map { m.lastMetrics[$0].map { "\($0)" } ?? "" }) + "\n"
            }
            return Data(out.utf8)
        }
        let objects: [Value] = models.map { m in
            .object([
                ("model", .string(m.name)), ("kind", .string(m.kind)), ("on", m.lastMetricsOn.map(Value.string) ?? .null),
                ("metrics", .object(m.lastMetrics.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) })),
                ("options", .object(m.options.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ("loss", .array(m.history.loss.map(Value.double))),
                ("validation_ndcg", .array(m.history.validationNDCG.map(Value.double))),
            ])
        }
        var out = ""
        JSONRenderer.write(.object([("models", .array(objects))]), to: &out)
        return Data((out + "\n").utf8)
    }
}
