import Foundation
import Testing
@testable import Engine

@Suite struct ActivationTests {
    static let differentiable: [Activation] = [.linear, .relu, .leakyRelu(alpha: 0.2), .leakyRelu(alpha: 0.3), .elu(alpha: 1), .elu(alpha: 0.5),
                                               .selu, .gelu, .swish, .sigmoid, .hardSigmoid, .tanh, .softplus,
                                               .softsign, .softmax]

    @Test(arguments: differentiable)
    func gradient(_ activation: Activation) throws {
        let layer = try built(ActivationLayer(activation: activation), [5])
        let report = gradientCheck(layer, input: awayFromZero([3, 5]))
        #expect(report.passed, "\(activation): \(report)")
    }

    func apply(_ a: Activation, _ v: [Float]) -> [Float] {
        let t = Tensor(shape: [1, v.count], values: v)
        a.forward(t.data, rows: 1, cols: v.count, output: t.data)
        return t.array
    }

    /// Values from the definitions (closed forms), not from this code.
    @Test func knownValues() {
        func close(_ a: [Float], _ b: [Double], _ tol: Float = 1e-6) -> Bool {
            zip(a, b).allSatisfy { abs($0 - Float($1)) <= tol * max(1, abs(Float($1))) }
        }
        #expect(apply(.relu, [-1, 0, 2]) == [0, 0, 2])
        #expect(apply(.leakyRelu(alpha: 0.2), [-1, 2]) == [-0.2, 2])                       // Keras activation slope 0.2
        #expect(close(apply(.elu(alpha: 1), [-1, 1]), [exp(-1.0) - 1, 1]))
        #expect(close(apply(.selu, [-1, 1]), [1.0507009873554805 * 1.6732632423543772 * (exp(-1.0) - 1), 1.0507009873554805]))
        #expect(close(apply(.gelu, [1, -1]), [0.8413447460685429, -0.15865525393145707]))  // Φ(1), −Φ(−1)
        #expect(close(apply(.swish, [1]), [1 / (1 + exp(-1.0))]))
        #expect(apply(.hardSigmoid, [-4, -3, 0, 1, 3, 4]) == [0, 0, 0.5, Float(4) / 6, 1, 1])  // relu6(x+3)/6
        #expect(close(apply(.softplus, [0, 100, -100]), [log(2.0), 100, exp(-100.0)]))
        #expect(apply(.softsign, [1, -3]) == [0.5, -0.75])
        #expect(apply(.binary, [-0.1, 0, 0.1]) == [0, 1, 1])
        #expect(close(apply(.sigmoid, [0, -100, 100]), [0.5, 0, 1]))
        #expect(close(apply(.tanh, [0.5]), [tanh(0.5)]))
    }

    @Test func softmaxOfLargeLogits() {
        // e^0, e^1, e^2 over their sum: the max shift keeps exp finite.
        let s = exp(0.0) + exp(1.0) + exp(2.0)
        let y = apply(.softmax, [1000, 1001, 1002])
        #expect(y.allSatisfy { $0.isFinite })
        for (a, b) in zip(y, [exp(0.0) / s, exp(1.0) / s, exp(2.0) / s]) { #expect(abs(Double(a) - b) < 1e-6) }
        let t = Tensor(shape: [2, 3], values: [1000, 1001, 1002, -1000, -1000, -1000])
        Activation.softmax.forward(t.data, rows: 2, cols: 3, output: t.data)
        #expect(abs(t.array[3...].reduce(0, +) - 1) < 1e-6)
    }

    @Test func onlyBinaryIsNotDifferentiable() {
        #expect(!Activation.binary.isDifferentiable && Activation.relu.isDifferentiable)
    }

    @Test func gradientCheckCatchesBrokenBackward() throws {
        let inner = try built(ActivationLayer(activation: .tanh), [5])
        let report = gradientCheck(BrokenBackward(inner), input: awayFromZero([3, 5]))
        #expect(!report.passed, "a doubled gradient entry must fail: \(report)")
        let dense = try built(Dense.keras(units: 3, activation: .sigmoid), [4])
        #expect(!gradientCheck(BrokenBackward(dense), input: awayFromZero([2, 4])).passed)
    }
}
