import Foundation
import Testing
import TestSupport

/// `lsh` through the built binary, JSON as scripts read it.
@Suite(.serialized) struct RetrievalEndToEndTests {
    static var dataDirectory: String { Recsh.dataDirectory }

    static var dataAvailable: Bool { FileManager.default.fileExists(atPath: dataDirectory + "/u.data") }

    @Test func benchSmallCatalogueJSON() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "lsh bench items=20000 dim=16 queries=200 planes=8,12 tables=1,4 mips=on runs=1"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(r.objects.first)
        #expect(o["command"] as? String == "lsh")
        #expect(o["ok"] as? Bool == true)
        #expect(o["items"] as? Int == 20000 && o["dim"] as? Int == 16)
        let points = try #require(o["points"] as? [[String: Any]])
        #expect(points.count == 8) // 2 planes x 2 tables x 2 probes
        for p in points {
            for key in ["planes", "candidates_per_user", "recall_vs_exact", "users_per_second", "exact_users_per_second", "speedup"] {
                #expect(p[key] != nil, "missing \(key)")
            }
            let recall = try #require(p["recall_vs_exact"] as? Double)
            #expect(recall >= 0 && recall <= 1)
        }
        #expect(o["closest"] is [String: Any])
        #expect(r.stdout.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: dataAvailable, "needs ML-100K (RECSH_TEST_DATA)"))
    func lshPlanes3JSON() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\(Self.dataDirectory); split warm; train svd; lsh planes=3 runs=1"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(r.objects.last)
        #expect(o["command"] as? String == "lsh")
        for key in ["planes", "candidates_per_user", "recall_vs_exact", "precision", "ndcg", "users_per_second",
                    "exact_users_per_second", "speedup"] {
            #expect(o[key] != nil, "missing \(key)")
        }
        #expect(o["planes"] as? Int == 3)
    }

    @Test func lshWithoutDataFails() throws {
        let r = try Recsh.run(["--format", "json", "-c", "lsh planes=3"])
        #expect(r.status == 1)
        #expect(r.objects.first?["error"] as? String == "lsh: no data loaded; try 'load ml-100k'")
    }
}
