import Foundation
import Testing
import TestSupport

/// `recommend USER why` by groups of likes, through the binary: the unit is
/// said, the groups are ranked by lead, the first-to-fifth figure in the JSON
/// and in the note is the ratio of the listed first and fifth contributors,
/// and single likes stay in `because` and behind by=like.
@Suite(.serialized, .enabled(if: ModelE2E.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct WhyGroupsEndToEndTests {
    static let setup = "load ml-100k path=\"\(ModelE2E.data)\"; split warm seed=0; train ease; "

    /// The first_fifth object of `rec`, checked against its top item's listed contributors.
    static func checkFirstFifth(_ rec: [String: Any], key: String, stderr: String) throws {
        let items = try #require(rec["items"] as? [[String: Any]])
        let listed = try #require(items.first?[key] as? [[String: Any]])
        try #require(listed.count == 5)
        let leads = listed.compactMap { $0["lead_delta"] as? Double }
        #expect(leads.count == 5 && leads == leads.sorted(by: >))
        let spread = try #require(rec["first_fifth"] as? [String: Any])
        let first = try #require(spread["first"] as? Double), fifth = try #require(spread["fifth"] as? Double)
        #expect(abs(first - leads[0]) <= 1e-6 * max(1, abs(first)) && abs(fifth - leads[4]) <= 1e-6 * max(1, abs(fifth)))
        if first > 0 && fifth > 0 {
            let ratio = try #require(spread["ratio"] as? Double)
            #expect(abs(ratio - first / fifth) <= 1e-6 * ratio)
            #expect(stderr.contains(String(format: "%.1fx apart", ratio)), "\(stderr)")
        } else {
            #expect(spread["ratio"] is NSNull)
        }
    }

    @Test func genreGroupsAreTheDefaultUnitAndTheRatioIsReportedAsListed() throws {
        let r = try Recsh.run(["--format", "json", "-c", Self.setup + "recommend 1 k=5 why top=5"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let rec = try #require(r.objects.last)
        #expect(rec["unit"] as? String == "genre" && rec["why"] as? String == "leave_one_out")
        try Self.checkFirstFifth(rec, key: "because_groups", stderr: r.stderr)
        #expect(r.stderr.contains("unit: all your likes of one genre, removed together"))
        let items = try #require(rec["items"] as? [[String: Any]])
        for item in items {
            let groups = try #require(item["because_groups"] as? [[String: Any]])
            let singles = try #require(item["because"] as? [[String: Any]])
            #expect(groups.count == 5 && singles.count == 5)
            for g in groups {
                let movies = try #require(g["movies"] as? [Int])
                let strongest = try #require((g["strongest"] as? [String: Any])?["movie"] as? Int)
                #expect(g["size"] as? Int == movies.count && movies.contains(strongest))
                #expect(g["name"] is String && g["delta"] is Double)
            }
        }
    }

    @Test func singleLikesByLikeAndClustersPartitionTheLikes() throws {
        let r = try Recsh.run(["--format", "json", "-c", Self.setup
                               + "recommend 1 k=3 why top=5 by=like; recommend 1 k=3 why top=100 by=cluster"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let recs = r.objects.filter { $0["command"] as? String == "recommend" }
        try #require(recs.count == 2)
        #expect(recs[0]["unit"] as? String == "like")
        #expect((recs[0]["items"] as? [[String: Any]])?.allSatisfy { $0["because_groups"] == nil } == true)
        try Self.checkFirstFifth(recs[0], key: "because", stderr: r.stderr)
        #expect(recs[1]["unit"] as? String == "cluster")
        // Every like is in exactly one cluster: the groups' members are the user's train likes, once each.
        let groups = try #require((recs[1]["items"] as? [[String: Any]])?.first?["because_groups"] as? [[String: Any]])
        let members = groups.flatMap { ($0["movies"] as? [Int]) ?? [] }
        #expect(groups.count >= 2 && groups.count <= 10 && Set(members).count == members.count)
        #expect(r.stderr.contains("the user's \(members.count) likes are clustered into \(groups.count) groups"), "\(r.stderr)")
    }

    @Test func anUnknownUnitIsRefusedByName() throws {
        let r = try Recsh.run(["--format", "json", "-c", Self.setup + "recommend 1 why by=decade"])
        #expect(r.status == 1)
        let error = r.objects.last?["error"] as? String ?? ""
        #expect(error.contains("by=decade") && error.contains("genre|cluster|like"), "\(r.stdout)")
    }

    @Test func dataWithoutGenresIsExplainedByClustersAndSaysSo() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load synthetic users=200 movies=150 ratings=4000 features=off; split warm; train ease; recommend 1 why"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let rec = try #require(r.objects.first { $0["command"] as? String == "recommend" })
        #expect(rec["unit"] as? String == "cluster")
        let groups = (rec["items"] as? [[String: Any]])?.first?["because_groups"] as? [[String: Any]] ?? []
        #expect(!groups.isEmpty)
        #expect(r.stderr.contains("by=genre: the user's likes have no genre"), "\(r.stderr)")
    }
}
