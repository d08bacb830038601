import Foundation
import Testing
@testable import Runner

/// A search whose units run both libraries: oneDNN (two Conv2D) and OpenBLAS (Dense).
let convSpec = """
name: conv
seed: 5
data: {source: random, inputs: 64, samples: 160, test_fraction: 0.2}
model:
  input_shape: [64]
  layers:
    - Reshape: {target_shape: [8, 8, 1]}
    - Conv2D: {filters: $filters, kernel_size: 3, padding: same, activation: relu}
    - Conv2D: {filters: 8, kernel_size: 3, activation: relu}
    - Flatten: {}
    - Dense: {units: $units, activation: relu}
    - Dense: {units: 1}
compile: {loss: mean_squared_error, optimizer: {name: adam, learning_rate: 0.01}, metrics: [mae]}
fit: {epochs: 2, batch_size: 32}
search:
  trials: 3
  cv: 2
  space:
    filters: {choice: [8, 16]}
    units: {choice: [8, 32]}
"""

/// The journal's header (its first line) as JSON.
func journalHeader(_ folder: String, shard: String = "shard-0-of-1") -> [String: Any] {
    let text = (try? String(contentsOfFile: folder + "/journal/\(shard).jsonl", encoding: .utf8)) ?? ""
    let first = text.split(separator: "\n").first.map(String.init) ?? ""
    return (try? JSONSerialization.jsonObject(with: Data(first.utf8))) as? [String: Any] ?? [:]
}

/// Portable kernels: the same bits whatever OpenBLAS kernel or oneDNN ISA the environment asks
/// for. The environment is set only in the child processes (never in this one).
@Suite(.serialized) struct PortableKernelTests {
    let dir = freshFolder("kernels")

    init() { write(convSpec, "conv.yaml", in: dir) }

    @Test func theSameNumbersUnderEveryOpenBLASCoreAndOneDNNCap() throws {
        let variants: [(String, [String: String])] = [
            ("sandybridge", ["OPENBLAS_CORETYPE": "Sandybridge"]),
            ("haswell", ["OPENBLAS_CORETYPE": "Haswell"]),
            ("zen", ["OPENBLAS_CORETYPE": "Zen"]),
            ("zen-avx2", ["OPENBLAS_CORETYPE": "Zen", "DNNL_MAX_CPU_ISA": "AVX2"]),
        ]
        var reference: [String: [[String]]]?
        for (name, env) in variants {
            let r = try RunnerProcess.run(["conv.yaml", "--out", name, "--quiet"], in: dir, environment: env)
            #expect(r.status == 0, "\(name): \(r.err)")
            let header = journalHeader(dir + "/" + name)
            #expect(header["kernels"] as? String == "portable")
            #expect((header["openblas"] as? String)?.hasSuffix(" Haswell") == true, "\(name): \(header)")
            #expect((header["onednn"] as? String)?.hasSuffix(" avx2") == true, "\(name): \(header)")
            let files = resultFiles(dir + "/" + name)
            #expect(files["trials.csv"]?.count == 7 && files["leaderboard.csv"]?.count == 4)
            if let reference {
                #expect(files == reference, "\(name) differs from \(variants[0].0)")
            } else {
                reference = files
            }
        }
    }

    /// Native kernels follow the environment, and a different OpenBLAS kernel changes the last
    /// bits: what makes the test above able to fail.
    @Test func nativeKernelsAreTheEnvironmentsAndDiffer() throws {
        #expect(try RunnerProcess.run(["conv.yaml", "--out", "p", "--quiet"], in: dir).status == 0)
        let r = try RunnerProcess.run(["conv.yaml", "--out", "n", "--quiet", "--kernels", "native"], in: dir,
                                      environment: ["OPENBLAS_CORETYPE": "Sandybridge", "DNNL_MAX_CPU_ISA": "AVX2"])
        #expect(r.status == 0, "\(r.err)")
        let header = journalHeader(dir + "/n")
        #expect(header["kernels"] as? String == "native")
        #expect((header["openblas"] as? String)?.hasSuffix(" Sandybridge") == true, "\(header)")
        #expect((header["onednn"] as? String)?.hasSuffix(" avx2") == true, "\(header)")
        // On an AVX-512 machine oneDNN's own choice sums differently: what the test above rules out.
        let uncapped = try RunnerProcess.run(["conv.yaml", "--out", "u", "--quiet", "--kernels", "native"], in: dir)
        #expect(uncapped.status == 0, "\(uncapped.err)")
        if (journalHeader(dir + "/u")["onednn"] as? String)?.contains("avx512") == true {
            let native = withoutTiming(readCSV(dir + "/u/trials.csv")), portable = withoutTiming(readCSV(dir + "/p/trials.csv"))
            #expect(native.count == portable.count && native != portable, "AVX-512 kernels sum in another order")
        }
        let resolved = try String(contentsOfFile: dir + "/n/resolved.yaml", encoding: .utf8)
        #expect(resolved.contains("# kernels: native (x86_64, OpenBLAS"), "\(resolved)")
    }

    @Test func resumeRefusesAJournalOfOtherKernels() throws {
        let env = ["OPENBLAS_CORETYPE": "Sandybridge"]
        #expect(try RunnerProcess.run(["conv.yaml", "--out", "r", "--trials", "1", "--quiet", "--kernels", "native"], in: dir, environment: env).status == 0)
        let r = try RunnerProcess.run(["conv.yaml", "--out", "r", "--trials", "2", "--quiet"], in: dir)
        #expect(r.status == 2)
        #expect(r.err.contains("native kernels: x86_64, OpenBLAS") && r.err.contains(" Sandybridge"), "\(r.err)")
        #expect(r.err.contains("portable kernels: x86_64, OpenBLAS") && r.err.contains(" Haswell"), "\(r.err)")
        #expect(r.err.contains("--mix-kernels"), "\(r.err)")
        #expect(readCSV(dir + "/r/trials.csv").count == 3, "nothing added")
    }

    @Test func mergeRefusesAJournalOfOtherKernelsUnlessTold() throws {
        let native = try RunnerProcess.run(["conv.yaml", "--out", "m", "--shard", "0/2", "--quiet", "--kernels", "native"], in: dir,
                                           environment: ["OPENBLAS_CORETYPE": "Sandybridge"])
        #expect(native.status == 0, "\(native.err)")
        // The second shard sees the first's journal: refused, then told to mix.
        let refused = try RunnerProcess.run(["conv.yaml", "--out", "m", "--shard", "1/2", "--quiet"], in: dir)
        #expect(refused.status == 2, "\(refused.err)")
        #expect(try RunnerProcess.run(["conv.yaml", "--out", "m", "--shard", "1/2", "--quiet", "--mix-kernels"], in: dir).status == 0)
        let m = try RunnerProcess.run(["merge", "m", "--quiet"], in: dir)
        #expect(m.status == 2)
        #expect(m.err.contains("shard-1-of-2.jsonl was computed with portable kernels") && m.err.contains(" Sandybridge"), "\(m.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m/leaderboard.csv"))
        let mixed = try RunnerProcess.run(["merge", "m", "--mix-kernels", "--no-refit"], in: dir)
        #expect(mixed.status == 0, "\(mixed.err)")
        #expect(mixed.err.contains("2 different kernels") || mixed.out.contains("2 different kernels"), "\(mixed.err)")
        let board = readCSV(dir + "/m/leaderboard.csv"), trials = readCSV(dir + "/m/trials.csv")
        #expect(board.first?.last == "kernels" && trials.first?.last == "kernels")
        #expect(board.dropFirst().allSatisfy { $0.last?.contains(" Sandybridge") == true && $0.last?.contains(" Haswell") == true }, "\(board)")
        #expect(Set(trials.dropFirst().compactMap { $0.last }).count == 2, "each unit names its own kernels")
    }
}

extension PortableKernelTests {
    @Test func slurmPassesTheKernelOptionsToBothScripts() throws {
        let r = try RunnerProcess.run(["slurm", "conv.yaml", "--array", "2", "--out", "cluster", "--kernels", "native", "--mix-kernels"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let array = try String(contentsOfFile: dir + "/cluster/slurm/array.sbatch", encoding: .utf8)
        let merge = try String(contentsOfFile: dir + "/cluster/slurm/merge.sbatch", encoding: .utf8)
        #expect(array.contains(" --kernels native --mix-kernels"), "\(array)")
        #expect(merge.contains(" --kernels native --mix-kernels"), "\(merge)")
    }
}

/// `runner verify`: a fresh run re-executes bit for bit; a changed journal value is named.
@Suite(.serialized) struct VerifyTests {
    let dir = freshFolder("verify")

    init() { write(tinySpec, "tiny.yaml", in: dir) }

    func digest(_ out: String) -> String? {
        out.split(separator: "\n").first { $0.hasPrefix("sha256 ") }.map { String($0.split(separator: " ")[1]) }
    }

    @Test func passesOnAFreshRunAndNamesTheUnitAfterAJournalValueChanges() throws {
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "v", "--quiet", "--jobs", "1"], in: dir).status == 0)
        let ok = try RunnerProcess.run(["verify", "v", "--units", "0"], in: dir)
        #expect(ok.status == 0, "\(ok.out)\(ok.err)")
        #expect(ok.out.contains("all 12 re-executed units match the journal bit for bit"), "\(ok.out)")
        let first = try #require(digest(ok.out))
        #expect(first.count == 64)

        // The same file and seed in another folder, with other --jobs: the same digest.
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "w", "--quiet", "--jobs", "2"], in: dir).status == 0)
        let other = try RunnerProcess.run(["verify", "w", "--units", "1", "--seed", "7", "--quiet"], in: dir)
        #expect(other.status == 0 && digest(other.out) == first, "\(other.out)")

        // One value of trial 1 fold 2 moved by one ulp.
        let path = dir + "/v/journal/shard-0-of-1.jsonl"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        func object(_ line: String) -> [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] }
        let i = try #require(lines.firstIndex { object($0)?["trial"] as? Int == 1 && object($0)?["fold"] as? Int == 2 })
        var record = try #require(object(lines[i]))
        var metrics = try #require(record["metrics"] as? [String: Double])
        let loss = try #require(metrics["loss"])
        metrics["loss"] = loss.nextUp
        record["metrics"] = metrics
        lines[i] = String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let bad = try RunnerProcess.run(["verify", "v", "--units", "0"], in: dir)
        #expect(bad.status == 1)
        #expect(bad.out.contains("trial 1 fold 2: 1 value differs:"), "\(bad.out)")
        #expect(bad.out.contains("test_loss: journal \(NumberText.exact(loss.nextUp))"), "\(bad.out)")
        #expect(bad.err.contains("1 of 12 re-executed units differ"), "\(bad.err)")
        #expect(digest(bad.out) != nil && digest(bad.out) != first, "the digest covers every journaled value")
    }

    @Test func aFolderThatIsNotARunIsBadInput() throws {
        let empty = freshFolder("not-a-run")
        let r = try RunnerProcess.run(["verify", empty], in: dir)
        #expect(r.status == 2)
        #expect(r.err.contains("no journaled unit"), "\(r.err)")
        #expect(try RunnerProcess.run(["verify", dir + "/nowhere"], in: dir).status == 2)
    }

    @Test func theDrawDependsOnTheSeedAlone() throws {
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "d", "--quiet"], in: dir).status == 0)
        func drawn(_ seed: String) throws -> [String] {
            let r = try RunnerProcess.run(["verify", "d", "--units", "3", "--seed", seed], in: dir)
            #expect(r.status == 0, "\(r.err)")
            return r.out.split(separator: "\n").filter { $0.hasPrefix("trial ") }.map { String($0.prefix { $0 != ":" }) }
        }
        let a = try drawn("1"), b = try drawn("1"), c = try drawn("2")
        #expect(a.count == 3 && a == b)
        #expect(a != c || a.count < 3, "another seed draws other units (here, with 12 to choose from)")
    }
}

@Suite struct SHA256Tests {
    func hex(_ text: String) -> String {
        var s = SHA256()
        s.update(text)
        return s.hexDigest()
    }

    /// FIPS 180-4's examples, and a message across the 56-byte padding boundary.
    @Test func knownDigests() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
