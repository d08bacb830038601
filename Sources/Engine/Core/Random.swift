/// The project's one random generator: xoshiro256** (Blackman and Vigna, 2018), seeded by
/// SplitMix64. Integer arithmetic only, so the stream is the same on every platform and
/// every build. Initialization, shuffling, dropout, data synthesis and the search all draw
/// from it; nothing in the project uses the system generator.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    /// An independent stream for a purpose and an index (a trial, a fold, a layer):
    /// the same (seed, stream, index) always gives the same generator, whatever else ran before.
    public init(seed: UInt64, stream: String, index: Int = 0) {
        // FNV-1a over the stream name, mixed with the index, then into the seed.
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        h = (h ^ UInt64(bitPattern: Int64(index))) &* 0x0000_0100_0000_01B3
        var g = RandomGenerator(seed: seed ^ h)
        self = RandomGenerator(seed: g.next())
    }

    /// The generator's position: its four words, to save and continue the stream later.
    public var state: [UInt64] { [s.0, s.1, s.2, s.3] }

    /// A generator at a position taken from `state`.
    public init(state: [UInt64]) {
        precondition(state.count == 4, "RandomGenerator(state:) takes four words")
        s = (state[0], state[1], state[2], state[3])
    }

    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = Self.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * nextDouble() }

    /// Uniform integer in [0, n), without modulo bias (Lemire's method).
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Standard normal by the Box-Muller transform (one of the pair; the other is dropped so
    /// that each call consumes exactly two draws).
    public mutating func normal() -> Double {
        let u1 = 1.0 - nextDouble()   // (0, 1]
        let u2 = nextDouble()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }

    /// Fisher-Yates shuffle driven by this generator (the standard library's `shuffle(using:)`
    /// does not promise a fixed algorithm across versions).
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { a.swapAt(i, j) }
        }
    }

    /// 0..<n in a random order.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
