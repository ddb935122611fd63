import Foundation
import Testing
import TestSupport

/// `whatif` on a graph over the large-graph threshold (200,000 train edges)
/// through the binary: a GCN and LightGCN answer from the edit's receptive
/// field, say so, and leave other users' lists uncounted (null), not zero.
@Suite(.serialized) struct WhatIfAtScaleEndToEndTests {
    static let load = "load synthetic users=3000 movies=500 ratings=500000 seed=1; split warm seed=0"

    @Test func graphModelsAnswerFromTheReceptiveField() throws {
        let first = try Recsh.run(["--format", "json", "-c", "\(Self.load); user 1 top=1000"])
        #expect(first.status == 0, "\(first.stderr)")
        let rated = try #require(first.objects.last?["rated"] as? [[String: Any]])
        let trainMovies = rated.filter { $0["edge"] as? String == "train" }.compactMap { $0["movie"] as? Int }
        let train = try #require(trainMovies.first, "\(rated.prefix(3))")
        let kept = Set(trainMovies.dropFirst())
        let r = try Recsh.run(["--format", "json", "-c",
                               "\(Self.load); train gcn epochs=1 hidden=8 dim=4 as g; train lightgcn epochs=1 dim=8 as l; "
                               + "whatif user 1 drops \(train) model=g k=5; whatif user 1 drops \(train) model=l k=5"])
        #expect(r.status == 0, "\(r.stderr)")
        let answers = r.objects.filter { $0["command"] as? String == "whatif" }
        #expect(answers.count == 2)
        for answer in answers {
            #expect(answer["users_affected"] is NSNull && answer["users_reordered"] is NSNull, "\(answer)")
            let field = try #require(answer["receptive_field"] as? [String: Any], "\(answer)")
            let recomputed = try #require(field["recomputed"] as? [Int])
            #expect(recomputed.count == 2 && recomputed.allSatisfy { $0 > 0 && $0 < 3500 })
            #expect((answer["after"] as? [[String: Any]])?.count == 5)
            // Liked movies stay excluded; the dropped one may come back.
            let before = (answer["before"] as? [[String: Any]] ?? []).compactMap { $0["movie"] as? Int }
            let after = (answer["after"] as? [[String: Any]] ?? []).compactMap { $0["movie"] as? Int }
            #expect(before.count == 5 && !before.contains(train) && kept.isDisjoint(with: before + after))
        }
    }
}
