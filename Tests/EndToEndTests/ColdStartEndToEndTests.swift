import Foundation
import Testing
import TestSupport

/// Cold users through the binary: `eval` on `split cold` says how each model
/// scored its users, `newuser` and `recommend` say which method ranked the
/// user, and `whatif` notes follow what the model is.
@Suite(.serialized, .enabled(if: ModelE2E.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct ColdStartEndToEndTests {
    static let load = "load ml-100k path=\"\(ModelE2E.data)\""

    @Test func evalOnAColdSplitCountsMethods() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "\(Self.load); split cold seed=1; train ease; train pop; train gcn epochs=1 hidden=8 dim=4; eval"])
        #expect(r.status == 0, "\(r.stderr)")
        let results = try #require(r.objects.last?["results"] as? [[String: Any]])
        let byModel = Dictionary(uniqueKeysWithValues: results.map { ($0["model"] as! String, $0) })
        let users = try #require(byModel["ease"]?["users"] as? Int)
        #expect(byModel["ease"]?["cold_users"] as? Int == users)
        #expect(byModel["ease"]?["method"] as? [String: Int] == ["popularity": users])
        #expect(byModel["gcn"]?["method"] as? [String: Int] == ["features": users])
        #expect(byModel["pop"]?["method"] as? [String: Int] == ["popularity": users])
        // EASE falls back to popularity: the same figures as pop, said so, not movies 1-10.
        #expect(byModel["ease"]?["ndcg"] as? Double == byModel["pop"]?["ndcg"] as? Double)
        #expect(r.stderr.contains("ease: \(users) users by popularity"))
    }

    @Test func trainingOnColdValidationUsersSaysWhoScoredThem() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "\(Self.load); split cold seed=1; train mf epochs=2 dim=8; train gcn epochs=1 hidden=8 dim=4"])
        #expect(r.status == 0, "\(r.stderr)")
        let mf = r.objects[r.objects.count - 2], gcn = r.objects[r.objects.count - 1]
        // MF has no vector for a user without edges: its epochs scored untrained rows, and the note says so.
        let note = try #require(mf["input_note"] as? String, "\(mf)")
        #expect(note.contains("of the") && note.contains("validation users have no train edges and mf cannot score them"))
        // The feature GCN scores them from their features: no such note.
        #expect((gcn["input_note"] as? String)?.contains("cannot score them") != true)
    }

    @Test func newuserWithoutLikesSaysHowItRanked() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "\(Self.load); split warm; train ease; newuser age=25 gender=F occupation=student model=ease; "
                                   + "newuser likes=50,181 model=ease"])
        #expect(r.status == 0, "\(r.stderr)")
        let lonely = r.objects[r.objects.count - 2]
        #expect(lonely["method"] as? String == "popularity" && lonely["cold_users"] as? String == "popularity")
        let items = try #require(lonely["items"] as? [[String: Any]])
        #expect(items.map { $0["movie"] as! Int } != Array(1...10))
        #expect(items.allSatisfy { ($0["score"] as! Double) > 0 })
        #expect(items.first?["movie"] as? Int == 50)  // Star Wars, the most liked movie in train
        #expect(r.objects.last?["method"] as? String == "likes")
    }

    @Test func whatifNotesFollowTheModel() throws {
        let state = "\(Self.load); split warm; train pop; train lightgcn epochs=1 dim=8"
        let first = try Recsh.run(["--format", "json", "-c", "\(state); recommend 1 model=pop k=1"])
        let top = try #require((first.objects.last?["items"] as? [[String: Any]])?.first?["movie"] as? Int, "\(first.stderr)")
        let r = try Recsh.run(["--format", "json", "-c",
                               "\(state); whatif user 1 likes \(top) model=pop; whatif user 1 likes \(top) model=lightgcn"])
        #expect(r.status == 0, "\(r.stderr)")
        let pop = r.objects[r.objects.count - 2], gnn = r.objects[r.objects.count - 1]
        #expect(pop["edits"] as? String == "global" && gnn["edits"] as? String == "propagates")
        #expect(r.stderr.contains("pop is global"))
        #expect(r.stderr.contains("lightgcn is a graph model: the edit propagates"))
        #expect(!r.stderr.contains("own edges only"))
        // Pop's top movie leaves user 1's list because they now like it, and says so.
        #expect(pop["now_liked"] as? [Int] == [top])
        #expect(pop["left"] as? [Int] == [top])
    }
}
