import Foundation
import Testing

/// The seed notebooks' demos, run from `experiments/` as a student would: each prints its result.
@Suite struct SeedDemoTests {
    let out = freshFolder("demos")

    func run(_ name: String) throws -> RunnerProcess.Result {
        let r = try RunnerProcess.run(["experiments/\(name).yaml", "--out", out + "/" + name], in: RunnerProcess.root.path)
        #expect(r.status == 0, "\(r.err)")
        return r
    }

    /// The numbers in the printed line that starts with `prefix`, between its last [ and ].
    func printed(_ r: RunnerProcess.Result, _ prefix: String) -> [Double] {
        guard let line = r.out.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
              let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]") else { return [] }
        return line[line.index(after: open)..<close].split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    @Test func linearFitPrintsWeightHalfAndBiasPointEight() throws {
        let r = try run("linear_fit")
        #expect(abs((printed(r, "dense/kernel").first ?? 0) - 0.5) < 0.01, "\(r.out)")
        #expect(abs((printed(r, "dense/bias").first ?? 0) - 0.8) < 0.01, "\(r.out)")
    }

    @Test func theFourInputNeuronRecoversItsWeights() throws {
        let r = try run("linear_fit_multi")
        let kernel = printed(r, "dense/kernel"), bias = printed(r, "dense/bias")
        #expect(kernel.count == 4, "\(r.out)")
        for (w, expected) in zip(kernel, [0.5, 0.8, -0.4, -0.2]) { #expect(abs(w - expected) < 0.02, "\(r.out)") }
        #expect(abs((bias.first ?? 0) - 0.3) < 0.02, "\(r.out)")
    }

    @Test func thePerceptronSaysOneForTheNewInput() throws {
        let r = try run("perceptron")
        #expect((printed(r, "predict [1, 0, 0]").first ?? 0) > 0.9, "\(r.out)")
        #expect(r.out.contains("class 1"))
    }

    @Test func theStellarEmulatorReachesR2OfPoint99() throws {
        // Two trials of 20 epochs instead of six of 60, to keep the suite fast.
        let r = try RunnerProcess.run(["experiments/stellar_emulator.yaml", "--out", out + "/stellar",
                                       "--set", "search.trials=2", "--set", "fit.epochs=20"], in: RunnerProcess.root.path)
        #expect(r.status == 0, "\(r.err)")
        let scores = readCSV(out + "/stellar/test.csv")
        let r2 = scores.first.flatMap { $0.firstIndex(of: "test_r2") }.flatMap { Double(scores[1][$0]) }
        #expect((r2 ?? 0) >= 0.99, "\(scores)")
        // Tout et al. (1996): log10 L(1 M☉, Z = 0.02) = log10 0.6977 = −0.156.
        #expect(abs((printed(r, "predict [0, -1.69897]").first ?? 0) + 0.156) < 0.05, "\(r.out)")
    }

    @Test func theFunction2DNetFollowsTheFunction() throws {
        let r = try run("function2d")
        // f(0.2, 0.2) = exp(-0.4) · 0.4 = 0.2681
        #expect(abs((printed(r, "predict [0.2, 0.2]").first ?? 0) - 0.2681) < 0.03, "\(r.out)")
    }
}
