import Foundation
import Testing
import TestSupport

/// train / eval / recommend JSON contracts and their error cases, through the built binary.
@Suite(.serialized, .enabled(if: ModelE2E.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct ModelCommandsEndToEndTests {
    @Test func trainEvalRecommendContracts() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split warm; train gcn epochs=1 hidden=16 dim=8; "
                                   + "eval; recommend 1 k=5; train svd as svd-8 factors=8; eval svd-8 on=val k=5"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let objects = r.objects
        #expect(objects.count == 7)
        // Not a terminal: no progress bar; stderr holds only the notes and next: hints.
        #expect(r.stderr.split(separator: "\n").allSatisfy { line in
                    ["next: ", "excluded: ", "sampler: "].contains { line.hasPrefix($0) } },
                "\(r.stderr)")

        let train = objects[2]
        #expect(train["command"] as? String == "train" && train["ok"] as? Bool == true)
        for key in ["model", "kind", "epochs", "seconds", "seconds_per_epoch", "final_loss", "val"] {
            #expect(train[key] != nil, "train lacks \(key)")
        }
        #expect(train["model"] as? String == "gcn" && train["epochs"] as? Int == 1)
        #expect(train["val"] is [String: Any])

        let results = try #require(objects[3]["results"] as? [[String: Any]])
        #expect(results.count == 1)
        let keys: Set<String> = ["model", "on", "k", "users", "precision", "recall", "ndcg", "mrr", "mrr_full",
                                 "hit_rate", "map", "seconds", "users_per_second", "cold_users", "method"]
        #expect(Set(results[0].keys) == keys)

        let rec = objects[4]
        #expect(rec["user"] as? Int == 1)
        let items = try #require(rec["items"] as? [[String: Any]])
        #expect(items.count == 5)
        #expect(items.allSatisfy { $0["movie"] is Int && $0["title"] is String && $0["score"] is Double })

        let svd = objects[5]
        #expect(svd["kind"] as? String == "svd" && svd["model"] as? String == "svd-8")
        #expect(svd["final_loss"] is NSNull)  // closed form: no loss
        let valResults = try #require(objects[6]["results"] as? [[String: Any]])
        #expect(valResults.first?["on"] as? String == "val" && valResults.first?["k"] as? Int == 5)
    }

    /// Each bad command fails with exit status 1 and one JSON error naming the problem.
    @Test func errorsAreNamed() throws {
        let load = "load ml-100k path=\"\(ModelE2E.data)\""
        let cases: [(String, String)] = [
            ("\(load); train gcn", "train: no split yet; try 'split warm'"),
            ("\(load); split warm; train pop; eval nosuch", "eval: no model named 'nosuch'"),
            ("\(load); split warm; train pop; recommend 5000", "unknown user id 5000"),
            ("\(load); split warm; train gcn epochs=abc", "epochs: expected a whole number, got 'abc'"),
            ("\(load); split warm; train ease factors=3", "train ease: unknown option 'factors' (accepted: lambda, seed)"),
            ("\(load); split warm; train gcn epochs=1 heads=2", "train gcn: unknown option 'heads'"),
        ]
        for (line, message) in cases {
            let r = try Recsh.run(["--format", "json", "-c", line])
            #expect(r.status == 1, "\(line)")
            let last = try #require(r.objects.last)
            #expect(last["ok"] as? Bool == false)
            #expect((last["error"] as? String)?.contains(message) == true, "\(line): \(last["error"] ?? "")")
            #expect(r.objects.filter { $0["ok"] as? Bool == false }.count == 1)
        }
    }
}

enum ModelE2E {
    static let data = Recsh.dataDirectory
    static var available: Bool { FileManager.default.fileExists(atPath: data + "/u.data") }
}
