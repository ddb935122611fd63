import Foundation
import TestSupport
import GraphRec
@testable import RecShell

/// The real ml-100k for the data-command tests, and tiny MovieLens
/// directories the tests write (the data itself is never committed).
enum DataCommandFixtures {
    /// `RECSH_TEST_DATA`, else `../shared/data/ml-100k` beside the package root.
    static let realDirectory = ShellTestData.directory

    /// The real data set, loaded once for the tests that only look things up.
    static let real: Result<Dataset, Error> = Result { try MovieLensLoader.load(directory: realDirectory) }

    /// A harness whose session already holds the real data set (as `load` leaves it).
    static func loadedHarness(format: OutputFormat = .json) throws -> Harness {
        let d = try real.get()
        let h = Harness(format: format)
        h.shell.session.dataset = d
        h.shell.session.graph = d.graph(edges: d.positives)
        return h
    }

    /// Writes `files` (name -> bytes) into a new temp directory and returns its path.
    static func directory(_ files: [String: [UInt8]]) throws -> String { try TestFiles.directory(files, tag: "recsh-data") }

    static func latin1(_ s: String) -> [UInt8] {
        s.unicodeScalars.map { precondition($0.value < 256); return UInt8($0.value) }
    }

    /// ml-1m: 3 users, 3 movies (one Latin-1 title), 5 ratings, 4 of them >= 3.
    static let ml1m: [String: [UInt8]] = [
        "ratings.dat": Array(("1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n"
                              + "2::30::1::978300275\n3::30::5::978824291\n").utf8),
        "movies.dat": latin1("10::Toy Story (1995)::Animation|Children's|Comedy\n"
                             + "20::Jumanji (1995)::Adventure|Children's|Fantasy\n"
                             + "30::Cité des enfants perdus, La (1995)::Adventure|Sci-Fi\n"),
        "users.dat": Array("1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n".utf8),
    ]

    /// ml-latest: 2 users (ids 5, 7), 4 movies, 4 half-star ratings, 2 of them >= 3.
    static let mlLatest: [String: [UInt8]] = [
        "ratings.csv": Array(("userId,movieId,rating,timestamp\n7,1,4.0,964982703\n7,3,2.5,964981247\n"
                              + "5,2,0.5,964982224\n5,1,3.5,964983815\n").utf8),
        "movies.csv": Array(("movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children\n"
                             + "2,\"American President, The (1995)\",Comedy|Drama|Romance\n"
                             + "3,\"\"\"Great Performances\"\" Cats (1998)\",(no genres listed)\n"
                             + "4,Amélie (2001),Comedy|Romance\n").utf8),
    ]
}
