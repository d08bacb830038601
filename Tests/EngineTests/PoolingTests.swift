import CWide
import Testing
@testable import Engine

@Suite struct PoolingTests {
    func pool(_ layer: some Layer, _ side: Int) throws -> [Float] {
        let l = try built(layer, [side, side, 1])
        return l.forward(Tensor(shape: [1, side, side, 1], values: (1...(side * side)).map(Float.init)), training: false).array
    }

    /// Inputs 1…16 on a 4x4 grid and 1…9 on a 3x3 grid (row-major), worked out by hand.
    @Test func knownValues() throws {
        #expect(try pool(MaxPooling2D.keras(), 4) == [6, 8, 14, 16])
        #expect(try pool(AveragePooling2D.keras(poolSize: 2), 4) == [3.5, 5.5, 11.5, 13.5])   // (1+2+5+6)/4, …
        // 3x3, pool 2, stride 2, same: out 2x2, total padding (2−1)·2 + 2 − 3 = 1 at the bottom/right.
        #expect(try pool(MaxPooling2D.keras(poolSize: 2, padding: .same), 3) == [5, 6, 8, 9])
        // Same average pooling divides by the real cells: (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1.
        #expect(try pool(AveragePooling2D.keras(poolSize: 2, padding: .same), 3) == [3, 4.5, 7.5, 9])
        // Pool 3, stride 1, same on 3x3: one padded ring; corner (1+2+4+5)/4 = 3, centre 45/9 = 5,
        // top edge (1+2+3+4+5+6)/6 = 3.5.
        let avg = try pool(AveragePooling2D.keras(poolSize: 3, strides: 1, padding: .same), 3)
        #expect(avg[0] == 3 && avg[1] == 3.5 && avg[4] == 5)
        #expect(try pool(MaxPooling2D.keras(poolSize: 3, strides: 1, padding: .same), 3) == [5, 6, 6, 8, 9, 9, 8, 9, 9])
        #expect(try pool(MaxPooling2D.keras(poolSize: 2, strides: 1), 3) == [5, 6, 8, 9])
    }

    @Test func maxBackwardRoutesToTheMaximum() throws {
        let l = try built(MaxPooling2D.keras(), [2, 2, 2])
        // Channel 0 peaks at cell 3, channel 1 at cell 0.
        _ = l.forward(Tensor(shape: [1, 2, 2, 2], values: [1, 9, 2, 3, 3, 4, 7, 5]), training: true)
        #expect(l.backward(Tensor(shape: [1, 1, 1, 2], values: [10, 20])).array == [0, 20, 0, 0, 0, 0, 10, 0])
    }

    /// The fast backward pass (the maximum's cell marked by the forward pass, tiling windows
    /// written directly) against the plain-loop reference (strict-> scan, zero then scatter), on inputs
    /// full of ties, signed zeros and a NaN, with and without the folded ReLU; 20 channels take
    /// the 16-lane loop and the scalar tail.
    @Test func maxBackwardMatchesTheReference() throws {
        var rng = RandomGenerator(seed: 3)
        let values: [Float] = [-1, -0.0, 0, 0.5, 1, 1, 2, .nan]
        for c in Self.cases + [((2, 2), (2, 2), .same), ((1, 1), nil, .valid)] {
            for relu in [false, true] {
                let shape = [3, 5, 7, 20]
                let strides = c.strides ?? c.pool
                let g = WindowGeometry(batch: 3, height: 5, width: 7, channels: 20, kernel: c.pool, strides: strides,
                                       padding: c.padding)!
                let x = Tensor(shape: shape, values: (0..<(3 * 5 * 7 * 20)).map { _ in values[Int(rng.next() % 8)] })
                let y = Tensor(shape: [3, g.outHeight, g.outWidth, 20])
                let plain = Tensor(shape: y.shape)
                Pooling.maxForward(g, x: x.data, y: plain.data)
                var argmax = [Float](repeating: 0, count: y.count)
                Pooling.maxForward(g, x: x.data, y: y.data, argmax: &argmax)
                #expect(y.array.map(\.bitPattern) == plain.array.map(\.bitPattern), "marking changes no maximum \(c)")
                let dy = Tensor(shape: y.shape, values: (0..<y.count).map { Float($0 % 13) + 1 })
                let fast = Tensor(shape: shape), slow = Tensor(shape: shape)
                fast.fill(.nan)   // every cell must be written
                Pooling.maxBackward(g, argmax: argmax, y: y.data, dy: dy.data, dx: fast.data, relu: relu)
                Pooling.maxBackwardReference(g, x: x.data, dy: dy.data, dx: slow.data, relu: relu)
                #expect(fast.array.map(\.bitPattern) == slow.array.map(\.bitPattern), "\(c) relu \(relu)")
            }
        }
    }

    /// The C loops (AVX-512's 16 lanes, AVX2's 8) against the Swift loops, bit for bit, on ragged
    /// shapes: odd sizes, valid and same padding, strides below, equal to and above the pool,
    /// channel counts with and without a tail, inputs full of ties, signed zeros and NaNs, with
    /// and without the folded ReLU; each width this CPU has must really run.
    @Test func wideLoopsMatchTheSwiftLoops() throws {
        var rng = RandomGenerator(seed: 5)
        let values: [Float] = [-1, -0.0, 0, 0.5, 1, 1, 2, .nan]
        let shapes: [(n: Int, h: Int, w: Int, c: Int)] = [(2, 5, 7, 20), (1, 9, 4, 3), (3, 6, 6, 32), (2, 7, 5, 37), (1, 3, 3, 64)]
        let cases = Self.cases + [((2, 2), (2, 2), .same), ((1, 1), nil, .valid), ((3, 3), (1, 1), .same),
                                  ((2, 2), (3, 3), .valid), ((3, 1), (3, 2), .same), ((2, 2), (1, 1), .valid)]
        let lanes = [8, 16].filter { $0 <= Pooling.wideLanes }
        if cwide_avx512() { #expect(lanes == [8, 16], "an AVX-512 CPU runs both widths") }
        for width in lanes { for s in shapes { for c in cases {
            let strides = c.strides ?? c.pool
            guard let g = WindowGeometry(batch: s.n, height: s.h, width: s.w, channels: s.c, kernel: c.pool,
                                         strides: strides, padding: c.padding) else { continue }
            let x = (0..<g.inputCount).map { _ in values[Int(rng.next() % 8)] }
            let outCount = s.n * g.outHeight * g.outWidth * s.c
            var y0 = [Float](repeating: 0, count: outCount), a0 = y0, y1 = y0, a1 = y0, yPlain = y0
            Pooling.maxForward(g, x: x, y: &y0, argmax: &a0, lanes: 0)
            var cg = Pooling.cWindow(g)
            #expect(cwide_maxpool_forward(Int32(width), &cg, x, false, &y1, false, &a1), "\(width) lanes ran")
            #expect(cwide_maxpool_forward(Int32(width), &cg, x, false, &yPlain, false, nil))
            let label = "\(width) lanes, \(s), \(c)"
            #expect(y1.map(\.bitPattern) == y0.map(\.bitPattern), "y \(label)")
            #expect(yPlain.map(\.bitPattern) == y0.map(\.bitPattern), "y without argmax \(label)")
            #expect(a1 == a0, "argmax \(label)")
            let dy = (0..<outCount).map { Float($0 % 13) - 4 }
            for relu in [false, true] {
                var slow = [Float](repeating: 0, count: g.inputCount)
                var swift = [Float](repeating: .nan, count: g.inputCount), wide = swift
                Pooling.maxBackward(g, argmax: a0, y: y0, dy: dy, dx: &swift, relu: relu, lanes: 0)
                Pooling.maxBackward(g, argmax: a1, y: y1, dy: dy, dx: &wide, relu: relu, lanes: width)
                Pooling.maxBackwardReference(g, x: x, dy: dy, dx: &slow, relu: relu)
                #expect(wide.map(\.bitPattern) == swift.map(\.bitPattern), "dx \(label) relu \(relu)")
                #expect(wide.map(\.bitPattern) == slow.map(\.bitPattern), "dx vs reference \(label) relu \(relu)")
            }
        } } }
    }

    /// Pooling that reads or writes oneDNN's blocked layout (either side, both, neither) gives
    /// the NHWC loops' values at the blocked places, bit for bit, in every width this CPU has and
    /// the Swift loop: y and argmax, and dx (over NaN, so every cell must be written) with and
    /// without the folded ReLU, on ragged shapes, tiling and overlapping windows, ties and NaNs.
    @Test func blockedLayoutsMatchNHWC() throws {
        var rng = RandomGenerator(seed: 9)
        let values: [Float] = [-1, -0.0, 0, 0.5, 1, 1, 2, .nan]
        let shapes: [(n: Int, h: Int, w: Int, c: Int)] = [(2, 5, 7, 32), (3, 6, 6, 16), (1, 9, 4, 48)]
        let cases = Self.cases + [((3, 3), (1, 1), .same), ((2, 2), (1, 1), .valid)]
        for width in [0, 8, 16].filter({ $0 <= Pooling.wideLanes }) { for s in shapes { for c in cases {
            guard let g = WindowGeometry(batch: s.n, height: s.h, width: s.w, channels: s.c, kernel: c.pool,
                                         strides: c.strides ?? c.pool, padding: c.padding) else { continue }
            let x = (0..<g.inputCount).map { _ in values[Int(rng.next() % 8)] }
            let outCount = s.n * g.outHeight * g.outWidth * s.c
            var y = [Float](repeating: 0, count: outCount), a = y
            Pooling.maxForward(g, x: x, y: &y, argmax: &a, lanes: width)
            let dy = (0..<outCount).map { Float($0 % 13) - 4 }
            func blocked(_ v: [Float], _ h: Int, _ w: Int) -> [Float] {
                var b = v
                Blocked.fromNHWC(v, into: &b, batch: s.n, height: h, width: w, channels: s.c)
                return b
            }
            func nhwc(_ v: [Float], _ h: Int, _ w: Int) -> [Float] {
                var b = v
                Blocked.toNHWC(v, into: &b, batch: s.n, height: h, width: w, channels: s.c)
                return b
            }
            for (xb, yb) in [(true, false), (false, true), (true, true)] {
                let label = "\(width) lanes, \(s), \(c), x blocked \(xb), y blocked \(yb)"
                let xin = xb ? blocked(x, s.h, s.w) : x
                var yo = [Float](repeating: 0, count: outCount), ao = yo
                Pooling.maxForward(g, x: xin, y: &yo, argmax: &ao, xBlocked: xb, yBlocked: yb, lanes: width)
                let yn = yb ? nhwc(yo, g.outHeight, g.outWidth) : yo, an = yb ? nhwc(ao, g.outHeight, g.outWidth) : ao
                #expect(yn.map(\.bitPattern) == y.map(\.bitPattern), "y \(label)")
                #expect(an == a, "argmax \(label)")
                for relu in [false, true] {
                    var dx = [Float](repeating: 0, count: g.inputCount), dxo = [Float](repeating: .nan, count: g.inputCount)
                    Pooling.maxBackward(g, argmax: a, y: y, dy: dy, dx: &dx, relu: relu, lanes: width)
                    Pooling.maxBackward(g, argmax: ao, y: yo, dy: yb ? blocked(dy, g.outHeight, g.outWidth) : dy, dx: &dxo,
                                        relu: relu, xBlocked: xb, yBlocked: yb, lanes: width)
                    let dxn = xb ? nhwc(dxo, s.h, s.w) : dxo
                    #expect(dxn.map(\.bitPattern) == dx.map(\.bitPattern), "dx \(label) relu \(relu)")
                }
            }
        } } }
    }

    static let cases: [(pool: (Int, Int), strides: (Int, Int)?, padding: Padding)] = [
        ((2, 2), nil, .valid), ((2, 2), nil, .same), ((3, 3), (2, 2), .same), ((3, 3), (2, 2), .valid),
        ((2, 3), (1, 2), .valid), ((3, 2), (2, 1), .same),
    ]

    @Test func maxGradient() throws {
        for c in Self.cases {
            let l = try built(MaxPooling2D.keras(poolSize: c.pool, strides: c.strides, padding: c.padding), [5, 6, 2])
            // A permutation: no ties, and neighbouring values 2/239 apart, more than the step h = 1e-3 away.
            let r = gradientCheck(l, input: permutationTensor([2, 5, 6, 2]), h: 1e-3)
            #expect(r.passed, "\(c): \(r)")
        }
    }

    @Test func averageGradient() throws {
        for c in Self.cases {
            let l = try built(AveragePooling2D.keras(poolSize: c.pool, strides: c.strides, padding: c.padding), [5, 6, 2])
            let r = gradientCheck(l, input: permutationTensor([2, 5, 6, 2]))
            #expect(r.passed, "\(c): \(r)")
        }
    }

    @Test func globalAverage() throws {
        let l = try built(GlobalAveragePooling2D(), [2, 2, 2])
        #expect(l.outputShape == [2])
        let y = l.forward(Tensor(shape: [1, 2, 2, 2], values: [1, 10, 2, 20, 3, 30, 4, 40]), training: false)
        #expect(y.array == [2.5, 25])
        #expect(gradientCheck(l, input: randomTensor([3, 2, 2, 2])).passed)
    }

    @Test func impossibleShapesThrow() {
        #expect(throws: ShapeError.self) { try built(MaxPooling2D.keras(), [10]) }
        #expect(throws: ShapeError.self) { try built(MaxPooling2D.keras(poolSize: 3), [2, 2, 1]) }
        #expect(throws: ShapeError.self) { try built(AveragePooling2D.keras(poolSize: 2), [1, 5, 1]) }
        #expect(throws: ShapeError.self) { try built(GlobalAveragePooling2D(), [4, 4]) }
        #expect(throws: Never.self) { try built(MaxPooling2D.keras(poolSize: 3, padding: .same), [2, 2, 1]) }
    }
}
