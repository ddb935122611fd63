import Foundation
import GraphRec

/// `export attention [model=NAME] FILE.csv|.json`: every edge's attention
/// weight in every layer and head of a GAT, on the session's graph (graph
/// edges both ways plus one self-loop per node), with the data set's own
/// user and movie ids. Weights into one destination sum to 1 per layer and head.
extension SessionCommands {
    struct AttentionExport {
        var model: String
        var layers: Int
        var heads: Int
        var rows: Int
        var data: Data
    }

    static func attentionExport(_ session: Session, model name: String?, dataset: Dataset, format: String) throws -> AttentionExport {
        let graph = try session.requireGraph("export attention")
        let (model, gat) = try AttentionCommand.gatModel(session, name, command: "export attention")
        let attention = gat.attention(on: graph)
        let edges = AttentionInspection.edges(attention)
        // The data set's id as JSON (a number, or a quoted string for text ids); -1 for a node beyond it.
        func jsonID(_ n: AttentionNode) -> String {
            switch n {
            case .user(let u): u < dataset.userCount ? dataset.users[u].id.json : "-1"
            case .movie(let m): m < dataset.movieCount ? dataset.movies[m].id.json : "-1"
            }
        }
        func csvID(_ n: AttentionNode) -> String {
            switch n {
            case .user(let u): CSVRenderer.quote(u < dataset.userCount ? dataset.users[u].id.description : "-1")
            case .movie(let m): CSVRenderer.quote(m < dataset.movieCount ? dataset.movies[m].id.description : "-1")
            }
        }
        var out = ""
        out.reserveCapacity(edges.count * 40)
        if format == "csv" {
            out += CSVRenderer.row(["layer", "head", "destination_kind", "destination", "source_kind", "source",
                                    "weight", "self_loop"]) + "\n"
            for e in edges {
                out += "\(e.layer),\(e.head),\(e.destination.kind),\(csvID(e.destination)),\(e.source.kind),\(csvID(e.source)),"
                    + number(e.weight) + (e.isSelfLoop ? ",1\n" : ",0\n")
            }
        } else {
            // One block per (layer, head) with parallel arrays: compact, and numpy/pandas read it column-wise.
            out += "{\"model\":"
            JSONRenderer.writeString(model, to: &out)
            out += ",\"kind\":\"gat\",\"layers\":\(attention.count),\"heads\":\(gat.heads),\"rows\":\(edges.count),"
            out += "\"note\":\"weight of source -> destination; per layer and head the weights into one destination sum to 1\","
            out += "\"views\":["
            var start = 0
            for (v, block) in attention.flatMap({ $0 }).enumerated() {
                let slice = edges[start..<(start + block.edgeCount)]
                start += block.edgeCount
                out += (v > 0 ? "," : "") + "{\"layer\":\(block.layer),\"head\":\(block.head),\"edges\":\(block.edgeCount)"
                out += ",\"destination_kind\":[" + slice.map { "\"\($0.destination.kind)\"" }.joined(separator: ",")
                out += "],\"destination\":[" + slice.map { jsonID($0.destination) }.joined(separator: ",")
                out += "],\"source_kind\":[" + slice.map { "\"\($0.source.kind)\"" }.joined(separator: ",")
                out += "],\"source\":[" + slice.map { jsonID($0.source) }.joined(separator: ",")
                out += "],\"weight\":[" + slice.map { $0.weight.isFinite ? "\($0.weight)" : "null" }.joined(separator: ",")
                out += "],\"self_loop\":[" + slice.map { $0.isSelfLoop ? "true" : "false" }.joined(separator: ",") + "]}"
            }
            out += "]}\n"
        }
        return AttentionExport(model: model, layers: attention.count, heads: gat.heads, rows: edges.count, data: Data(out.utf8))
    }
}
