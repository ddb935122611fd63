import Foundation
import Testing
import TestSupport

/// The data commands through the built binary, as scripts use them:
/// `recsh -c '...' --format json` on the real ml-100k.
@Suite(.serialized) struct DataCommandBinaryTests {
    static let data = Recsh.dataDirectory

    static func json(_ commands: String) throws -> Recsh.Run {
        try Recsh.run(["-c", "load ml-100k path=\"\(data)\"; " + commands, "--format", "json"])
    }

    /// The done-when line, word for word apart from the path.
    @Test func loadThenInfoReportsTheMovieLensFigures() throws {
        let r = try Self.json("info")
        #expect(r.status == 0)
        #expect(r.objects.count == 2)
        let info = try #require(r.objects.last)
        #expect(info["command"] as? String == "info")
        #expect(info["ok"] as? Bool == true)
        #expect(info["users"] as? Int == 943)
        #expect(info["movies"] as? Int == 1682)
        #expect(info["positive_edges"] as? Int == 82520)
        #expect(info["user_features"] as? Int == 24)
        #expect(info["movie_features"] as? Int == 18)
        #expect(info["split"] is NSNull)
        #expect(info["models"] as? [Any] != nil)
        #expect(r.stdout.split(separator: "\n").count == 2)  // one line per command
    }

    /// RECSH_DATA points `load ml-100k` at a directory as --data does (the
    /// download error names it as the way to work offline); --data wins.
    @Test func recshDataEnvironmentVariableIsRead() throws {
        let r = try Recsh.run(["--format", "json", "-c", "load ml-100k"],
                              environment: ["RECSH_DATA": Self.data, "HOME": NSTemporaryDirectory() + "/recsh-no-cache-\(UUID())"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.objects.first?["source"] as? String == "dataFlag" && r.objects.first?["users"] as? Int == 943)
        let missing = NSTemporaryDirectory() + "/recsh-missing-\(UUID())"
        let flag = try Recsh.run(["--format", "json", "--data", missing, "-c", "load ml-100k"],
                                 environment: ["RECSH_DATA": Self.data])
        #expect(flag.status == 1 && (flag.objects.first?["error"] as? String)?.contains(missing) == true, "\(flag.stdout)")
    }

    @Test func sameSeedSameWarmSplit() throws {
        let r = try Self.json("split warm seed=5; split warm seed=5; info")
        #expect(r.status == 0)
        let (a, b) = (r.objects[1], r.objects[2])
        for key in ["train_edges", "val_edges", "test_edges", "users_without_test"] {
            #expect(a[key] as? Int != nil, "\(key)")
            #expect(a[key] as? Int == b[key] as? Int, "\(key)")
        }
        #expect(a["seed"] as? Int == 5)
        let total = ["train_edges", "val_edges", "test_edges"].compactMap { a[$0] as? Int }.reduce(0, +)
        #expect(total == 82520)
        let nested = try #require(r.objects[3]["split"] as? [String: Any])
        #expect(nested["train_edges"] as? Int == a["train_edges"] as? Int)
        // A second process draws the same split too.
        let again = try Self.json("split warm seed=5")
        #expect(again.objects[1]["train_edges"] as? Int == a["train_edges"] as? Int)
        #expect(again.objects[1]["test_edges"] as? Int == a["test_edges"] as? Int)
    }

    @Test func officialU1Counts() throws {
        let r = try Self.json("split official u1")
        #expect(r.status == 0)
        let s = try #require(r.objects.last)
        #expect(s["kind"] as? String == "official u1")
        #expect(s["train_edges"] as? Int == 66103)
        #expect(s["test_edges"] as? Int == 16417)
    }

    @Test func findStarWars() throws {
        let r = try Self.json("find \"star wars\"")
        #expect(r.status == 0)
        let f = try #require(r.objects.last)
        #expect(f["command"] as? String == "find")
        #expect(f["matches"] as? Int == 1)
        let movies = try #require(f["movies"] as? [[String: Any]])
        #expect(movies.first?["movie"] as? Int == 50)
        #expect(movies.first?["title"] as? String == "Star Wars (1977)")
        #expect(movies.first?["ratings"] as? Int == 583)
        let table = try Recsh.run(["-c", "load ml-100k path=\"\(Self.data)\"; find \"star wars\""])
        #expect(table.status == 0)
        #expect(table.stdout.contains("Star Wars (1977)"))
    }

    @Test func failedLoadExitsOneAndKeepsTheData() throws {
        let r = try Self.json("load /nonexistent/recsh-data; info")
        #expect(r.status == 1)
        #expect(r.objects.count == 3)
        #expect((r.objects[1]["error"] as? String)?.hasPrefix("load: /nonexistent/recsh-data: no such file or directory") == true)
        #expect(r.objects[2]["users"] as? Int == 943)
        #expect(r.objects[2]["dataset"] as? String == "ml-100k")
    }

    @Test func userAndMovieProfiles() throws {
        let r = try Self.json("user 1 top=2; movie \"Toy Story (1995)\"")
        #expect(r.status == 0)
        #expect(r.objects[1]["occupation"] as? String == "technician")
        #expect((r.objects[1]["rated"] as? [Any])?.count == 2)
        #expect(r.objects[2]["movie"] as? Int == 1)
        #expect(r.objects[2]["ratings"] as? Int == 452)
    }
}
