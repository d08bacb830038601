import Foundation
import Synchronization
import Testing
@testable import Engine

/// The batch's chunks and the engine's own threads: chunked layers compute what the plain
/// loops compute, and the same bits whether their chunks run on one thread or several.
@Suite struct ThreadsTests {
    @Test func chunksDependOnTheBatchSizeAlone() {
        #expect(Threads.chunks(of: 1) == [0..<1])
        #expect(Threads.chunks(of: 31) == [0..<31])
        #expect(Threads.chunks(of: 32) == [0..<16, 16..<32])
        #expect(Threads.chunks(of: 50) == [0..<17, 17..<34, 34..<50])
        #expect(Threads.chunks(of: 64) == [0..<16, 16..<32, 32..<48, 48..<64])
        #expect(Threads.chunks(of: 1000).count == 8)
        for n in [1, 7, 16, 33, 100, 257, 1000] {
            let c = Threads.chunks(of: n)
            #expect(c.first?.lowerBound == 0 && c.last?.upperBound == n, "n \(n)")
            #expect(zip(c, c.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "n \(n)")
            #expect((c.map(\.count).max() ?? 0) - (c.map(\.count).min() ?? 0) <= 1, "n \(n)")
        }
    }

    @Test func forEachRunsEveryIndexOnceAndRestoresTheBudget() {
        let saved = Threads.budget
        defer { Threads.budget = saved }
        for budget in [1, 2, 4] {
            Threads.budget = budget
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: 37)
            hits.initialize(repeating: 0, count: 37)
            defer { hits.deallocate() }
            var nestedBudgets = [Int](repeating: 0, count: 37)
            nestedBudgets.withUnsafeMutableBufferPointer { nb in
                let p = nb.baseAddress!
                Threads.forEach(37) { i in hits[i] += 1; p[i] = Threads.budget }
            }
            #expect((0..<37).allSatisfy { hits[$0] == 1 }, "budget \(budget)")
            #expect(nestedBudgets.allSatisfy { $0 == 1 }, "bodies run with a budget of 1")
            #expect(Threads.budget == budget)
        }
    }

    /// Subnormal floats: `set` turns flushing on for its thread, and `forEach`'s bodies run
    /// under the caller's setting whichever thread takes them (a chunk's bits must not depend
    /// on the thread), on 1 thread and on 2, flushing on and off.
    /// A group's worker gets the cores its finished neighbours lend (`SpareCores`), in its own
    /// parallel passes only (their bodies still have one thread), and loses them with the group.
    @Test func spareCoresGoToTheWorkersLeft() {
        let spare = SpareCores()
        spare.start(); spare.start(); spare.start()
        let seen = Mutex<[Int]>([])
        let thread = Thread {
            Threads.set(1, sharing: spare)
            var now = [Threads.threadsNow]
            spare.finish(lending: 1)
            now.append(Threads.threadsNow)           // two working, one core lent: 1 + 1/2
            spare.finish(lending: 1)
            now.append(Threads.threadsNow)           // one working, two lent: 1 + 2
            let inside = Mutex<Set<Int>>([])
            Threads.forEach(16) { _ in _ = inside.withLock { $0.insert(Threads.threadsNow) } }
            now.append(contentsOf: inside.withLock { $0 }.sorted())
            now.append(Threads.threadsNow)           // the group back after the pass
            spare.finish(lending: 1)
            now.append(Threads.threadsNow)           // nobody working: nothing to share
            seen.withLock { $0 = now }
        }
        thread.start()
        while seen.withLock({ $0.isEmpty }) { usleep(1000) }
        #expect(seen.withLock { $0 } == [1, 1, 3, 1, 3, 1])
        #expect(Threads.threadsNow == Threads.budget, "other threads are not in the group")
    }

    @Test func forEachCarriesTheCallersSubnormalMode() {
        let savedBudget = Threads.budget, savedFlush = Threads.flushesSubnormals
        defer { Threads.budget = savedBudget; Threads.flushesSubnormals = savedFlush }
        // Half the smallest normal float, computed at run time: 0 when flushed.
        let half: [Float] = [Float.leastNormalMagnitude, 0.5]
        for flush in [true, false, true] {
            for budget in [1, 2] {
                Threads.budget = budget
                Threads.flushesSubnormals = flush
                var seen = [Float](repeating: -1, count: 64), modes = [Bool](repeating: !flush, count: 64)
                seen.withUnsafeMutableBufferPointer { s in
                    modes.withUnsafeMutableBufferPointer { m in
                        let s = s.baseAddress!, m = m.baseAddress!
                        Threads.forEach(64) { i in
                            m[i] = Threads.flushesSubnormals
                            s[i] = half[0] * half[1]
                            usleep(200)  // lets the second thread take some of them
                        }
                    }
                }
                #expect(modes.allSatisfy { $0 == flush }, "flush \(flush), budget \(budget)")
                #expect(seen.allSatisfy { ($0 == 0) == flush && $0 >= 0 }, "flush \(flush), budget \(budget)")
                #expect(Threads.flushesSubnormals == flush)
            }
        }
        // A thread that `set` prepares for the engine flushes.
        let prepared = Mutex(false), done = DispatchSemaphore(value: 0)
        Thread {
            Threads.flushesSubnormals = false
            Threads.set(2)
            prepared.withLock { $0 = Threads.flushesSubnormals }
            done.signal()
        }.start()
        done.wait()
        #expect(prepared.withLock { $0 })
    }

    /// A conv + pool model's forward and backward on a 50-sample batch (3 chunks): against the
    /// plain loops, and bit for bit the same on 1 and 2 threads.
    @Test func chunkedConvAndPoolMatchReferenceAndIgnoreThreads() throws {
        func step(threads: Int) throws -> (y: [Float], dx: [Float], dk: [Float], db: [Float], conv: Conv2D, x: Tensor, dyPool: Tensor) {
            let saved = Threads.budget
            Threads.budget = threads
            defer { Threads.budget = saved }
            let conv = Conv2D.keras(filters: 12, kernelSize: 3, padding: .same, activation: .relu)
            let pool = MaxPooling2D.keras(poolSize: 2)
            var rng = RandomGenerator(seed: 5)
            try conv.build(inputShape: [9, 9, 3], rng: &rng)
            try pool.build(inputShape: conv.outputShape, rng: &rng)
            let x = randomTensor([50, 9, 9, 3], seed: 11)
            let y = pool.forward(conv.forward(x, training: true), training: true)
            let dy = randomTensor(y.shape, seed: 12)
            conv.kernel.grad.fill(0); conv.bias!.grad.fill(0)
            let dx = conv.backward(pool.backward(dy))
            return (y.array, dx.array, conv.kernel.grad.array, conv.bias!.grad.array, conv, x, dy)
        }
        let one = try step(threads: 1), two = try step(threads: 2)
        #expect(one.y == two.y)
        #expect(one.dx == two.dx)
        #expect(one.dk == two.dk)
        #expect(one.db == two.db)

        // The reference: plain-loop convolution, ReLU, and a scalar max pool over the whole batch.
        let g = WindowGeometry(batch: 50, height: 9, width: 9, channels: 3, kernel: (3, 3), strides: (1, 1), padding: .same)!
        let z = Tensor(shape: [50, 9, 9, 12])
        ConvolutionReference.forward(g, filters: 12, x: one.x.data, weights: one.conv.kernel.value.data,
                                     bias: one.conv.bias!.value.data, y: z.data)
        let a = z.array.map { max($0, 0) }
        var pooled = [Float](), dA = [Float](repeating: 0, count: a.count)
        var k = 0
        for n in 0..<50 { for oh in 0..<4 { for ow in 0..<4 { for c in 0..<12 {
            var best = -Float.infinity, at = 0
            for i in 0..<2 { for j in 0..<2 {
                let idx = ((n * 9 + oh * 2 + i) * 9 + ow * 2 + j) * 12 + c
                if a[idx] > best { best = a[idx]; at = idx }
            } }
            pooled.append(best)
            dA[at] += one.dyPool.array[k]
            k += 1
        } } } }
        #expect(maxAbsDiff(one.y, pooled) < 1e-4)
        let dz = Tensor(shape: [50, 9, 9, 12], values: zip(dA, a).map { $1 > 0 ? $0 : 0 })
        let dk = Tensor(shape: [3, 3, 3, 12]), db = Tensor(shape: [12]), dx = Tensor(shape: [50, 9, 9, 3])
        ConvolutionReference.backwardWeights(g, filters: 12, x: one.x.data, dy: dz.data, dw: dk.data, db: db.data)
        ConvolutionReference.backwardData(g, filters: 12, dy: dz.data, weights: one.conv.kernel.value.data, dx: dx.data)
        #expect(maxAbsDiff(one.dk, dk.array) < 1e-3)
        #expect(maxAbsDiff(one.db, db.array) < 1e-3)
        #expect(maxAbsDiff(one.dx, dx.array) < 1e-4)
    }

    /// The vectorized ReLU passes against their scalar definitions, on lengths around 16.
    @Test func vectorReluMatchesScalar() {
        for n in [0, 1, 15, 16, 17, 33, 100] {
            let z = randomTensor([max(n, 1)], seed: UInt64(n) + 1), dy = randomTensor([max(n, 1)], seed: UInt64(n) + 99)
            if n > 2 { z[1] = 0; z[2] = -0.0 }
            let y = Tensor(shape: [max(n, 1)]), dz = Tensor(shape: [max(n, 1)])
            Vector.relu(z.data, y.data, n)
            Vector.reluBackward(dy.data, y.data, dz.data, n)
            for i in 0..<n {
                #expect(y[i] == max(z[i], 0))
                #expect(dz[i] == (y[i] > 0 ? dy[i] : 0))
            }
        }
    }

    /// A Dense layer on a 70-sample batch (4 chunks): the same bits on 1 and 2 threads, and the
    /// gradients of the plain products.
    @Test func chunkedDenseMatchesReferenceAndIgnoresThreads() throws {
        func step(threads: Int) throws -> (y: [Float], dx: [Float], dk: [Float], db: [Float], dense: Dense, x: Tensor, dy: Tensor) {
            let saved = Threads.budget
            Threads.budget = threads
            defer { Threads.budget = saved }
            let dense = Dense.keras(units: 9, activation: .tanh)
            var rng = RandomGenerator(seed: 3)
            try dense.build(inputShape: [13], rng: &rng)
            let x = randomTensor([70, 13], seed: 4), dy = randomTensor([70, 9], seed: 5)
            let y = dense.forward(x, training: true).array
            dense.kernel.grad.fill(0); dense.bias!.grad.fill(0)
            let dx = dense.backward(dy).array
            return (y, dx, dense.kernel.grad.array, dense.bias!.grad.array, dense, x, dy)
        }
        let one = try step(threads: 1), two = try step(threads: 2)
        #expect(one.y == two.y && one.dx == two.dx && one.dk == two.dk && one.db == two.db)
        let w = one.dense.kernel.value.array, b = one.dense.bias!.value.array, x = one.x.array, dy = one.dy.array
        var y = [Float](repeating: 0, count: 70 * 9), dk = [Double](repeating: 0, count: 13 * 9)
        var db = [Double](repeating: 0, count: 9), dx = [Double](repeating: 0, count: 70 * 13)
        for i in 0..<70 { for j in 0..<9 {
            var z = Double(b[j])
            for k in 0..<13 { z += Double(x[i * 13 + k]) * Double(w[k * 9 + j]) }
            y[i * 9 + j] = Float(tanh(z))
            let dz = Double(dy[i * 9 + j]) * (1 - tanh(z) * tanh(z))
            db[j] += dz
            for k in 0..<13 { dk[k * 9 + j] += Double(x[i * 13 + k]) * dz; dx[i * 13 + k] += dz * Double(w[k * 9 + j]) }
        } }
        #expect(maxAbsDiff(one.y, y) < 1e-5)
        #expect(maxAbsDiff(one.dk, dk.map(Float.init)) < 1e-3)
        #expect(maxAbsDiff(one.db, db.map(Float.init)) < 1e-4)
        #expect(maxAbsDiff(one.dx, dx.map(Float.init)) < 1e-4)
    }

    /// ReLU then max pooling: the pooling's backward with the ReLU folded in gives the same bits
    /// as the two backward passes.
    @Test func reluFoldedIntoPoolingIsExact() throws {
        func grads(folded: Bool) throws -> [Float] {
            let conv = Conv2D.keras(filters: 8, kernelSize: 3, activation: .relu)
            let pool = MaxPooling2D.keras(poolSize: 3, strides: 2, padding: .same)   // overlapping windows
            var rng = RandomGenerator(seed: 8)
            try conv.build(inputShape: [10, 10, 2], rng: &rng)
            try pool.build(inputShape: conv.outputShape, rng: &rng)
            conv.backwardSkipsActivation = folded
            pool.backwardAppliesReLU = folded
            let x = randomTensor([20, 10, 10, 2], seed: 9)
            let y = pool.forward(conv.forward(x, training: true), training: true)
            conv.kernel.grad.fill(0); conv.bias!.grad.fill(0)
            let dx = conv.backward(pool.backward(randomTensor(y.shape, seed: 10)))
            return conv.kernel.grad.array + conv.bias!.grad.array + dx.array
        }
        #expect(try grads(folded: true) == grads(folded: false))
    }

    /// `Sequential` runs conv → pool → conv → pool → flatten chunk by chunk through all five
    /// layers (one segment); layer by layer through the same layers gives the same bits, on 1
    /// and 2 threads, forward and backward, including the chunks' kernel gradients.
    @Test func segmentedModelMatchesLayerByLayer() throws {
        func model() throws -> Sequential {
            let m = Sequential([Conv2D.keras(filters: 6, kernelSize: 3, padding: .same, activation: .relu), MaxPooling2D.keras(poolSize: 2),
                                Conv2D.keras(filters: 8, kernelSize: 3, activation: .tanh), MaxPooling2D.keras(poolSize: 2), Flatten(),
                                Dense.keras(units: 5)])
            try m.build(inputShape: [13, 13, 2], seed: 3)
            return m
        }
        let x = randomTensor([50, 13, 13, 2], seed: 21)
        func run(segmented: Bool, threads: Int) throws -> [[Float]] {
            let saved = Threads.budget
            Threads.budget = threads
            defer { Threads.budget = saved }
            let m = try model()
            var y = x
            if segmented { y = m.forward(x, training: true) } else { for l in m.layers { y = l.forward(y, training: true) } }
            let dy = randomTensor(y.shape, seed: 22)
            m.zeroGradients()
            var d = dy
            if segmented { d = m.backward(dy) } else { for l in m.layers.reversed() { d = l.backward(d) } }
            return [y.array, d.array] + m.parameters.map(\.grad.array)
        }
        let reference = try run(segmented: false, threads: 1)
        #expect(reference[2].contains { $0 != 0 }, "the first kernel's gradient is not all zero")
        for threads in [1, 2] {
            #expect(try run(segmented: true, threads: threads) == reference, "threads \(threads)")
            let plain = try run(segmented: false, threads: threads)
            for (i, (a, b)) in zip(plain, reference).enumerated() where a != b {
                Issue.record("threads \(threads): array \(i) differs at \(zip(a, b).enumerated().filter { $0.1.0 != $0.1.1 }.count) places")
            }
        }
    }
    /// Flatten → Dense → Dense → Dense (the race's MLP, smaller) runs as one segment: forward
    /// chunk by chunk through all four layers, backward chunk by chunk and then every Dense's
    /// weight-gradient slices in one meeting. The same bits as layer by layer, on 1 and 2
    /// threads, over three steps on a ragged batch (75 samples: 4 chunks of 19, 19, 19, 18) with
    /// the first Dense skipping its input gradient on the last two (its zeros kept, not rewritten).
    @Test func denseChainMatchesLayerByLayer() throws {
        func model() throws -> Sequential {
            let m = Sequential([Flatten(), Dense.keras(units: 70, activation: .relu), Dense.keras(units: 66, activation: .relu),
                                Dense.keras(units: 10, activation: .softmax)])
            try m.build(inputShape: [9, 11], seed: 5)
            return m
        }
        func run(segmented: Bool, threads: Int) throws -> [[Float]] {
            let saved = Threads.budget
            Threads.budget = threads
            defer { Threads.budget = saved }
            let m = try model()
            var out: [[Float]] = []
            for step in 0..<3 {
                (m.layers[1] as! Dense).computesInputGradient = step == 0
                let x = randomTensor([75, 9, 11], seed: UInt64(30 + step))
                var y = x
                if segmented { y = m.forward(x, training: true) } else { for l in m.layers { y = l.forward(y, training: true) } }
                let dy = randomTensor(y.shape, seed: UInt64(40 + step))
                m.zeroGradients()
                var d = dy
                if segmented { d = m.backward(dy) } else { for l in m.layers.reversed() { d = l.backward(d) } }
                out += [y.array, d.array] + m.parameters.map(\.grad.array)
                for p in m.parameters { for i in 0..<p.count { p.value[i] -= 0.1 * p.grad[i] } }
            }
            return out
        }
        let reference = try run(segmented: false, threads: 1)
        #expect(reference[1].contains { $0 != 0 }, "the first step's input gradient is computed")
        #expect(reference[9].allSatisfy { $0 == 0 } && reference[17].allSatisfy { $0 == 0 }, "later steps: zeros")
        for threads in [1, 2] {
            #expect(try run(segmented: true, threads: threads) == reference, "segmented, threads \(threads)")
            #expect(try run(segmented: false, threads: threads) == reference, "layer by layer, threads \(threads)")
        }
    }
}
