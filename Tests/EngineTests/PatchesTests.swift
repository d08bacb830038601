import CWide
import Testing
@testable import Engine

@Suite struct PatchesTests {
    /// The C fill of a one-channel patch matrix against the Swift fill, bit for bit, on ragged
    /// shapes: odd sizes, both paddings, strides 1 to 3, kernels from 1x1 to 5x3 (rows of 1 to 15
    /// values, so the 16-value stores straddle rows and end in a partial one), inputs with signed
    /// zeros and a NaN; padded cells must come out +0. With AVX-512 the C loop must really run.
    @Test func wideFillMatchesTheSwiftFill() throws {
        var rng = RandomGenerator(seed: 9)
        let values: [Float] = [-1, -0.0, 0, 0.5, 3, .nan, 7, -2]
        var cases = 0
        for padding in Padding.allCases { for kernel in [(1, 1), (3, 3), (2, 3), (5, 3), (3, 5)] { for strides in [(1, 1), (2, 1), (3, 2)] {
            for (n, h, w) in [(2, 7, 5), (1, 28, 28), (3, 4, 9)] {
                guard let g = WindowGeometry(batch: n, height: h, width: w, channels: 1, kernel: kernel, strides: strides,
                                             padding: padding) else { continue }
                let x = (0..<g.inputCount).map { _ in values[Int(rng.next() % 8)] }
                let count = n * g.outHeight * g.outWidth * kernel.0 * kernel.1
                var swift = [Float](repeating: 9, count: count), wide = [Float](repeating: .infinity, count: count + 16)
                Patches.fill(g, x, into: &swift, wide: false)
                var cg = Pooling.cWindow(g)
                let ran = cwide_patches_gray(&cg, x, &wide)
                #expect(ran == cwide_avx512(), "the C fill runs exactly on AVX-512")
                if !ran { continue }
                cases += 1
                let label = "N\(n) \(h)x\(w), k \(kernel) s \(strides) \(padding)"
                #expect(Array(wide[..<count]).map(\.bitPattern) == swift.map(\.bitPattern), "\(label)")
                #expect(wide[count...].allSatisfy { $0 == .infinity }, "nothing written past the matrix: \(label)")
            }
        } } }
        if cwide_avx512() { #expect(cases > 50) }
        var cg = Pooling.cWindow(WindowGeometry(batch: 1, height: 5, width: 5, channels: 3, kernel: (3, 3), strides: (1, 1),
                                                padding: .same)!)
        var p = [Float](repeating: 0, count: 1)
        #expect(!cwide_patches_gray(&cg, [Float](repeating: 0, count: 75), &p), "three channels stay with Swift")
    }
}
