import Foundation
import Testing
import TestSupport

/// Every model kind on data sets the feature GNNs were not built around: an
/// ml-latest layout with movie genres but no user features, and one with no
/// features at all. Each trains for one epoch and the process exits normally
/// (a signal would leave a status other than 0).
@Suite(.serialized) struct FeaturelessDataEndToEndTests {
    /// 30 users, 20 movies, about 450 ratings in ml-latest's CSV layout.
    static func latestDirectory(genres: Bool) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("recsh-featureless-\(genres)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let names = ["Action", "Comedy", "Drama", "Horror"]
        var movies = "movieId,title,genres\n"
        for m in 1...20 {
            let g = genres ? names[m % 4] + (m % 3 == 0 ? "|" + names[(m + 1) % 4] : "") : "(no genres listed)"
            movies += "\(m),\"Movie \(m), The (19\(70 + m))\",\(g)\n"
        }
        var ratings = "userId,movieId,rating,timestamp\n"
        for u in 1...30 {
            for m in 1...20 where (u * 7 + m * 3) % 4 != 0 {
                ratings += "\(u),\(m),\(Double(1 + (u + m) % 5)),\(1_000_000 + u * 100 + m)\n"
            }
        }
        try Data(movies.utf8).write(to: dir.appendingPathComponent("movies.csv"))
        try Data(ratings.utf8).write(to: dir.appendingPathComponent("ratings.csv"))
        return dir.path
    }

    static let trainings = [
        "gcn epochs=1", "gcn ids=on epochs=1", "gcn features=off epochs=1", "gcn preset=best epochs=1",
        "gcn preset=cold epochs=1", "gat feature-bias=on epochs=1",
        "gat epochs=1", "gat ids=on epochs=1", "gat features=off epochs=1", "lightgcn epochs=1", "mf epochs=1",
        "als iterations=1 factors=4", "svd factors=4", "pop", "itemknn", "ease",
    ]

    func trainEveryKind(genres: Bool) throws {
        let dir = try Self.latestDirectory(genres: genres)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for train in Self.trainings {
            let r = try Recsh.run(["--format", "json", "-c", "load \"\(dir)\"; split warm; train \(train); eval"])
            #expect(r.status == 0, "train \(train): status \(r.status)\n\(r.stdout)\n\(r.stderr)")
            let objects = r.objects
            #expect(objects.count == 4 && objects.allSatisfy { $0["ok"] as? Bool == true }, "train \(train): \(r.stdout)")
            guard objects.count == 4, let options = objects[2]["options"] as? [String: Any] else { continue }
            let kind = train.split(separator: " ")[0]
            if kind == "gcn" || kind == "gat" {
                // No user features: users can only be told apart by ID embeddings, and the result says so.
                #expect(Self.isOn(options["ids"]), "train \(train): \(options)")
                #expect(Self.isOn(options["features"]) == (genres && !train.contains("features=off")), "train \(train): \(options)")
                #expect((objects[2]["input_note"] as? String)?.contains("users: ID embeddings") == true, "train \(train)")
            }
            if train.contains("feature-bias=on") || train.contains("preset=cold") {
                // Nothing to weight per user feature: the option reads off and the result says why.
                #expect(!Self.isOn(options["feature_bias"]), "train \(train): \(options)")
                #expect((objects[2]["input_note"] as? String)?.contains("no user features") == true, "train \(train)")
            }
        }
    }

    static func isOn(_ value: Any?) -> Bool { (value as? Bool) == true || (value as? String) == "on" }

    @Test func movieGenresWithoutUserFeatures() throws { try trainEveryKind(genres: true) }

    @Test func noFeaturesAtAll() throws { try trainEveryKind(genres: false) }

    @Test func infoSaysWhatTheGNNsUse() throws {
        let dir = try Self.latestDirectory(genres: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Recsh.run(["--format", "json", "-c", "load \"\(dir)\"; info"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let input = try #require(r.objects.last?["gnn_input"] as? String)
        #expect(input.contains("users: ID embeddings (no user features)"), "\(input)")
        #expect(input.contains("movies: 4 features + ID embeddings"), "\(input)")
    }

    /// `features=off` on ML-100K trains ID embeddings, and says so: the options are what was trained.
    @Test(.enabled(if: ModelE2E.available, "needs ML-100K (RECSH_TEST_DATA)"))
    func featuresOffReportsIDs() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split warm; train gcn features=off epochs=1 hidden=8 dim=8"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let options = try #require(r.objects.last?["options"] as? [String: Any])
        #expect(Self.isOn(options["ids"]) && !Self.isOn(options["features"]), "\(options)")
    }
}
