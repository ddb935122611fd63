import Foundation
import Testing
import TestSupport

/// `recommend USER why` on a GAT, `export attention` and `bench gat`, through the built binary.
@Suite(.serialized, .enabled(if: ModelE2E.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct AttentionEndToEndTests {
    static let setup = "load ml-100k path=\"\(ModelE2E.data)\"; split warm seed=0; "
        + "train gat epochs=1 hidden=8 dim=8 heads=2 batch=8192; "

    @Test func recommendWhyExplainsThroughAttentionPaths() throws {
        let r = try Recsh.run(["--format", "json", "-c", Self.setup + "recommend 1 k=100 why"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let rec = try #require(r.objects.last)
        #expect(rec["command"] as? String == "recommend" && rec["why"] as? String == "leave_one_out"
                && rec["attention_paths"] as? Bool == true)
        let items = try #require(rec["items"] as? [[String: Any]])
        #expect(items.count == 100)
        for item in items {
            #expect(item["movie"] is Int && item["title"] is String && item["score"] is Double)
            let paths = try #require(item["paths"] as? [[String: Any]])
            let weights = paths.compactMap { $0["weight"] as? Double }
            #expect(weights == weights.sorted(by: >) && weights.allSatisfy { $0 > 0 && $0 <= 1 })
            for p in paths {
                for key in ["rated_movie", "rated_title", "via_user", "user_from_rated", "via_from_rated", "movie_from_via"] {
                    #expect(p[key] != nil, "path lacks \(key)")
                }
            }
        }
        #expect(items.contains { ($0["paths"] as? [Any])?.isEmpty == false })
    }

    @Test func exportAttentionWritesCSVAndJSONAndRefusesBadExtensions() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("recsh-e2e-attention-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Recsh.run(["--format", "json", "-c", Self.setup
                                + "export attention \(dir)/a.csv; export attention model=gat \(dir)/a.json; "
                                + "export attention \(dir)/a.txt"])
        #expect(r.status == 1)  // the last export fails
        let exports = r.objects.filter { $0["command"] as? String == "export" }
        #expect(exports.count == 3)
        let csv = exports[0], json = exports[1]
        #expect(csv["ok"] as? Bool == true && json["ok"] as? Bool == true)
        #expect(csv["what"] as? String == "attention" && csv["format"] as? String == "csv")
        let rows = try #require(csv["rows"] as? Int)
        #expect(json["rows"] as? Int == rows)
        // 65,896 train edges both ways plus 2,625 self-loops, 2 layers x 2 heads.
        #expect(rows == (2 * 65_896 + 2_625) * 4)
        let lines = try String(contentsOfFile: dir + "/a.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == rows + 1)
        #expect(exports[2]["ok"] as? Bool == false)
        #expect((exports[2]["error"] as? String)?.contains(".csv or .json") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/a.txt"))
    }

    @Test func benchGATOneHeadReportsSecondsPerEpoch() throws {
        let r = try Recsh.run(["--format", "json", "-c", "load ml-100k path=\"\(ModelE2E.data)\"; bench gat heads=1 runs=1"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let results = try #require(r.objects.last?["results"] as? [[String: Any]])
        #expect(results.count == 1)
        let gat = results[0]
        #expect((gat["name"] as? String)?.hasPrefix("train gat bpr 1 head") == true)
        #expect(gat["heads"] as? Int == 1 && gat["threads"] as? Int == 1 && gat["runs"] as? Int == 3)
        let s = try #require(gat["seconds_per_epoch"] as? Double)
        #expect(s > 0)
        #expect(gat["median_seconds"] as? Double == s)
    }
}
