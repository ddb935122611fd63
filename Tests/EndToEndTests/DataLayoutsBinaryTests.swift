import Foundation
import Testing
import TestSupport

/// Every data layout through the binary: fixtures of ml-1m (with user
/// features), ml-10m (`::`, no users file), a CSV release with quoted
/// titles, a generic TSV with text ids, implicit rows, synthetic data and a
/// bad row; each loads, splits, trains the feature-free baselines and
/// answers `recommend` with the data set's own ids. Errors exit 1 with a reason.
@Suite(.serialized) struct DataLayoutsBinaryTests {
    static func write(_ files: [String: String]) throws -> String { try TestFiles.directory(text: files, tag: "recsh-layouts") }

    /// 12 users x 10 movies, each user rating 6 movies: enough for a warm split to hold test edges.
    static func grid(_ line: (Int, Int, Int, Int) -> String) -> String {
        var out = ""
        for u in 1...12 {
            for k in 0..<6 {
                let m = (u + k * 3) % 10 + 1
                out += line(u, m, 1 + (u + m) % 5, 978_300_000 + u * 10 + k) + "\n"
            }
        }
        return out
    }

    static let titles = (1...10).map { "\($0)::Movie \($0), The (199\($0 % 10))::\($0 % 2 == 0 ? "Drama" : "Comedy|Romance")" }

    static func fixtures() throws -> [String: String] {
        let ml1m = try write([
            "ml-1m/ratings.dat": grid { "\($0)::\($1)::\($2)::\($3)" },
            "ml-1m/movies.dat": titles.joined(separator: "\n") + "\n",
            "ml-1m/users.dat": (1...12).map { "\($0)::\($0 % 2 == 0 ? "F" : "M")::25::\($0 % 21)::12345" }.joined(separator: "\n") + "\n",
        ]) + "/ml-1m"
        let ml10m = try write([
            "ml-10M100K/ratings.dat": grid { "\($0)::\($1)::\(Double($2) - 0.5)::\($3)" },
            "ml-10M100K/movies.dat": titles.joined(separator: "\n") + "\n",
        ])
        let csv = try write([
            "ml-25m/ratings.csv": "userId,movieId,rating,timestamp\n" + grid { "\($0),\($1),\($2).0,\($3)" },
            "ml-25m/movies.csv": "movieId,title,genres\n" + (1...10).map {
                "\($0),\"Movie \($0), \"\"Quoted\"\" (2001)\",Drama|Comedy"
            }.joined(separator: "\n") + "\n",
        ]) + "/ml-25m"
        let generic = try write([
            "books.tsv": "reader\tisbn\tstars\n" + grid { "r\($0)\tisbn-\($1)\t\($2)\t\($3)" },
            "titles.csv": "id,title\n" + (1...10).map { "isbn-\($0),\"Book \($0), Vol. 1\"" }.joined(separator: "\n") + "\n",
        ])
        let implicit = try write(["clicks.csv": grid { u, m, _, _ in "user\(u),item\(m)" }])
        let bad = try write([
            "ml-latest-small/ratings.csv": "userId,movieId,rating,timestamp\n" + grid { "\($0),\($1),\($2).0,\($3)" }
                + "1,99,4.0,1\n",
            "ml-latest-small/movies.csv": "movieId,title,genres\n" + (1...10).map { "\($0),M \($0) (2000),Drama" }
                .joined(separator: "\n") + "\n",
        ]) + "/ml-latest-small"
        return ["ml1m": ml1m, "ml10m": ml10m, "csv": csv, "generic": generic + "/books.tsv",
                "titles": generic + "/titles.csv", "implicit": implicit + "/clicks.csv", "bad": bad]
    }

    func run(_ commands: String) throws -> Recsh.Run {
        try Recsh.run(["--format", "json", "-c", commands])
    }

    @Test func everyLayoutLoadsSplitsTrainsAndRecommends() throws {
        let f = try Self.fixtures()
        let cases: [(load: String, user: String, userFeatures: Int, movieFeatures: Int, textIDs: Bool)] = [
            ("load \(f["ml1m"]!)", "1", 24, 18, false),
            ("load \(f["ml10m"]!)", "1", 0, 18, false),
            ("load \(f["csv"]!)", "1", 0, 2, false),
            ("load \(f["generic"]!) user=reader item=isbn rating=stars titles=\(f["titles"]!)", "r1", 0, 0, true),
            ("load \(f["implicit"]!)", "user1", 0, 0, true),
            ("load synthetic users=60 movies=50 ratings=900 seed=2", "1", 24, 18, false),
            ("load synthetic users=60 movies=50 ratings=900 features=off", "1", 0, 0, false),
        ]
        for c in cases {
            let r = try run("\(c.load); split warm; train pop; train ease; train itemknn; recommend \(c.user) k=3; user \(c.user)")
            #expect(r.status == 0, "\(c.load): \(r.stdout) \(r.stderr)")
            #expect(r.objects.count == 7 && r.objects.allSatisfy { $0["ok"] as? Bool == true }, "\(c.load): \(r.stdout)")
            guard r.objects.count == 7 else { continue }
            let load = r.objects[0]
            #expect(load["user_features"] as? Int == c.userFeatures, "\(c.load)")
            #expect(load["movie_features"] as? Int == c.movieFeatures, "\(c.load)")
            let recommend = r.objects[5]
            let items = recommend["items"] as? [[String: Any]] ?? []
            #expect(items.count == 3, "\(c.load)")
            if c.textIDs {
                #expect(recommend["user"] as? String == c.user, "\(c.load)")
                #expect(items.allSatisfy { $0["movie"] is String }, "\(c.load)")
            } else {
                #expect(recommend["user"] as? Int == Int(c.user), "\(c.load)")
                #expect(items.allSatisfy { $0["movie"] is Int }, "\(c.load)")
            }
        }
    }

    @Test func quotedTitlesAndTextIdsComeBackAsWritten() throws {
        let f = try Self.fixtures()
        let r = try run("load \(f["csv"]!); movie 3; load \(f["generic"]!) item=isbn titles=\(f["titles"]!); movie isbn-4; user r2")
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.objects[1]["title"] as? String == "Movie 3, \"Quoted\" (2001)")
        #expect(r.objects[3]["movie"] as? String == "isbn-4" && r.objects[3]["title"] as? String == "Book 4, Vol. 1")
        #expect(r.objects[4]["user"] as? String == "r2")
        #expect(r.objects[2]["user_ids"] as? String == "text")
    }

    @Test func implicitRowsAreAllPositives() throws {
        let f = try Self.fixtures()
        let r = try run("load \(f["implicit"]!) min-rating=4; info")
        #expect(r.status == 0)
        #expect(r.objects[0]["implicit"] as? Bool == true && r.objects[0]["positive_edges"] as? Int == 72)
        let table = try Recsh.run(["-c", "load \(f["implicit"]!) min-rating=4"])
        #expect(table.status == 0 && table.stdout.contains("min-rating does not apply"), "\(table.stdout)")
    }

    @Test func aBadRowIsAnErrorUnlessSkipped() throws {
        let f = try Self.fixtures()
        let strict = try run("load \(f["bad"]!)")
        #expect(strict.status == 1)
        let error = strict.objects.first?["error"] as? String ?? ""
        #expect(error.contains("ratings.csv line 74: unknown movie id 99"), "\(error)")

        let skip = try run("load \(f["bad"]!) bad-lines=skip")
        #expect(skip.status == 0, "\(skip.stdout)")
        let load = try #require(skip.objects.first)
        #expect(load["skipped_lines"] as? Int == 1 && load["ratings"] as? Int == 72)
        let skipped = load["skipped"] as? [[String: Any]] ?? []
        #expect(skipped.first?["line"] as? Int == 74)
    }

    @Test func nonsenseIsRefusedWithExitOne() throws {
        let f = try Self.fixtures()
        let cases: [(String, String)] = [
            ("load \(f["generic"]!) item=nosuch", "item=nosuch: no such column"),
            ("load \(f["ml1m"]!) user=2", "option 'user=' does not apply"),
            ("load synthetic users=10", "needs users=, movies= and ratings="),
            ("load synthetic users=10 movies=4 ratings=1000", "do not fit"),
            ("load synthetic-1m users=5", "the shape is fixed"),
            ("load ml-1m path=/nonexistent/recsh", "no such directory"),
            ("load \(f["generic"]!) sep=", "separator"),
        ]
        for (command, expected) in cases {
            let r = try run(command)
            #expect(r.status == 1, "\(command)")
            let error = r.objects.first?["error"] as? String ?? ""
            #expect(error.contains(expected), "\(command): \(error)")
        }
    }
}
