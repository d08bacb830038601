#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One optimizer's arithmetic for one variable, as Keras 3's `update_step`: a pure rule over
/// the variable, its (already clipped) gradient and the variable's state slots.
///
/// `step` is Keras's `iterations + 1`: 1 on the first update. `learningRate` is the value of
/// the schedule at `iterations` (0 on the first update), as Keras evaluates it.
///
/// Rules take every argument (their defaults, and the names the file gives them, are the
/// catalog's, Spec's tables).
public protocol UpdateRule: AnyObject {
    /// The starting value of each state slot (one tensor per slot and variable).
    var slotInitialValues: [Float] { get }
    /// Called once per optimizer step before any variable is updated (Nadam's running product).
    func beginStep(_ step: Int)
    /// Updates the variable (or a range of it) in place. Every rule is elementwise, so a range
    /// gets exactly the bits the whole variable would.
    func update(_ v: Variable, learningRate: Float, step: Int)
}

extension UpdateRule {
    public func beginStep(_ step: Int) {}

    /// Updates `value` in place.
    public func update(value: Tensor, grad: Tensor, slots: [Tensor], learningRate: Float, step: Int) {
        update(Variable(value: value.data, grad: grad.data, slots: slots.map(\.data), count: value.count),
               learningRate: learningRate, step: step)
    }
}

/// A variable, or a range of one, as an update rule sees it: its values, its gradient and its
/// state slots, `count` elements each.
public struct Variable {
    public var value: UnsafeMutablePointer<Float>
    public var grad: UnsafeMutablePointer<Float>
    public var slots: [UnsafeMutablePointer<Float>]
    public var count: Int

    public init(value: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>, slots: [UnsafeMutablePointer<Float>], count: Int) {
        self.value = value
        self.grad = grad
        self.slots = slots
        self.count = count
    }
}

/// A rule with state beyond its slots (Nadam's running product), saved with a training run.
public protocol StatefulUpdateRule: UpdateRule {
    var ruleState: [Float] { get set }
}

/// A learning rate: a constant, or a Keras schedule evaluated at the optimizer's step count.
public enum LearningRate: Sendable, Equatable {
    case constant(Float)
    /// Keras `ExponentialDecay`: initial · rate^(step / decaySteps), the exponent floored when
    /// `staircase`.
    case exponentialDecay(initial: Float, decaySteps: Int, decayRate: Float, staircase: Bool)
    /// Keras `CosineDecay` (no warmup): initial · ((1 − α)·½(1 + cos(π·min(step, d)/d)) + α).
    case cosineDecay(initial: Float, decaySteps: Int, alpha: Float)

    /// The learning rate for the update that follows `step` completed updates.
    public func value(atStep step: Int) -> Float {
        switch self {
        case .constant(let lr):
            return lr
        case let .exponentialDecay(initial, decaySteps, decayRate, staircase):
            var p = Double(step) / Double(decaySteps)
            if staircase { p = p.rounded(.down) }
            return Float(Double(initial) * pow(Double(decayRate), p))
        case let .cosineDecay(initial, decaySteps, alpha):
            let done = Double(min(step, decaySteps)) / Double(decaySteps)
            let cosine = 0.5 * (1 + cos(Double.pi * done))
            return Float(Double(initial) * ((1 - Double(alpha)) * cosine + Double(alpha)))
        }
    }

    public var isSchedule: Bool {
        if case .constant = self { return false }
        return true
    }
}

/// Gradient clipping as Keras's optimizer arguments; each nil when unset.
public struct GradientClipping: Sendable, Equatable {
    /// `clipnorm`: each variable's gradient is scaled to L2 norm at most this, separately.
    public var clipnorm: Float?
    /// `clipvalue`: each gradient element is clipped to [−v, v].
    public var clipvalue: Float?
    /// `global_clipnorm`: all gradients scaled together so their joint L2 norm is at most this.
    public var globalClipnorm: Float?

    public init(clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?) {
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.globalClipnorm = globalClipnorm
    }
}

/// An optimizer's state between two parts of one training run.
public struct OptimizerState: Codable, Sendable, Equatable {
    public var iterations: Int
    /// The constant learning rate in force (nil for a schedule, which the step count decides).
    public var learningRate: Float?
    public var rule: [Float]
    /// Per parameter (in the model's order), its slots' values.
    public var slots: [[[Float]]]
}

/// A Keras optimizer: an update rule with its per-variable state, a learning rate (or
/// schedule), gradient clipping and decoupled weight decay.
///
/// One call to `apply(to:)` is one Keras `optimizer.apply(grads)`: clip the gradients, decay
/// the weights by lr·weight_decay (AdamW's rule, available to every optimizer as in Keras 3),
/// then run the rule on each trainable variable, then count the step.
public final class Optimizer {
    public let rule: UpdateRule
    public var learningRate: LearningRate
    public var clipping: GradientClipping
    /// Keras 3's `weight_decay` (AdamW's default 0.004); 0 for none.
    public var weightDecay: Float
    /// Keras's `iterations`: completed updates.
    public private(set) var iterations = 0

    private var slots: [ObjectIdentifier: [Tensor]] = [:]
    /// Keeps each parameter alive so its ObjectIdentifier cannot be reused by another.
    private var tracked: [Parameter] = []

    /// Every argument is given: their defaults are the catalog's (`weightDecay` 0 is none).
    public init(rule: UpdateRule, learningRate: LearningRate, clipping: GradientClipping, weightDecay: Float) {
        self.rule = rule
        self.learningRate = learningRate
        self.clipping = clipping
        self.weightDecay = weightDecay
    }

    /// The learning rate the next update will use.
    public var currentLearningRate: Float { learningRate.value(atStep: iterations) }

    /// One optimizer step over `parameters`, whose `grad` holds the batch's gradient
    /// (regularization included). Non-trainable parameters are left alone. The gradients
    /// are clipped in place.
    public func apply(to parameters: [Parameter]) {
        let lr = currentLearningRate
        let step = iterations + 1
        if let g = clipping.globalClipnorm { clipGlobalNorm(parameters, to: g) }
        rule.beginStep(step)
        for p in parameters where p.trainable {
            if let c = clipping.clipnorm { clipNorm(p.grad, to: c) }
            if let v = clipping.clipvalue { clipValue(p.grad, to: v) }
            if weightDecay > 0 {
                // Keras 3 `_apply_weight_decay`: w ← w − w·wd·lr, before the update step.
                let f = weightDecay * lr, w = p.value.data
                for i in 0..<p.count { w[i] -= w[i] * f }
            }
            rule.update(value: p.value, grad: p.grad, slots: slotTensors(for: p), learningRate: lr, step: step)
        }
        iterations += 1
    }

    /// Whether a step may update each variable by ranges, as soon as a range of its gradient is
    /// final (`beginStep`, `update(_:range:)`, `endStep`): no clipping (which needs whole
    /// gradients) and no weight decay.
    public var updatesByRange: Bool {
        clipping.clipnorm == nil && clipping.clipvalue == nil && clipping.globalClipnorm == nil && weightDecay == 0
    }

    private var stepLearningRate: Float = 0

    /// Starts a step taken by ranges (`updatesByRange` must hold): the same learning rate, step
    /// count and rule state as `apply(to:)`, and every trainable parameter's slots made now, so
    /// that `update(_:range:)` may run on several threads at once.
    public func beginStep(_ parameters: [Parameter]) {
        precondition(updatesByRange, "Optimizer.beginStep with clipping or weight decay")
        stepLearningRate = currentLearningRate
        rule.beginStep(iterations + 1)
        for p in parameters where p.trainable { _ = slotTensors(for: p) }
    }

    /// Runs the rule on `range` of `p` (trainable, its gradient there final). Disjoint ranges may
    /// be updated at once from different threads; each gets the bits `apply(to:)` would give it.
    public func update(_ p: Parameter, range: Range<Int>) {
        let slots = slots[ObjectIdentifier(p)]!, o = range.lowerBound
        rule.update(Variable(value: p.value.data + o, grad: p.grad.data + o, slots: slots.map { $0.data + o }, count: range.count),
                    learningRate: stepLearningRate, step: iterations + 1)
    }

    /// Ends a step begun by `beginStep`, after updating `rest` (the parameters whose gradients
    /// were not handed over by ranges) whole.
    public func endStep(rest: [Parameter]) {
        for p in rest where p.trainable { update(p, range: 0..<p.count) }
        iterations += 1
    }

    /// Everything a continued run needs: the step count, the learning rate (which
    /// ReduceLROnPlateau may have lowered), the rule's own state, and each of `parameters`'
    /// slots (empty for a parameter never updated).
    public func state(for parameters: [Parameter]) -> OptimizerState {
        let lr: Float? = if case .constant(let v) = learningRate { v } else { nil }
        return OptimizerState(iterations: iterations, learningRate: lr, rule: (rule as? StatefulUpdateRule)?.ruleState ?? [],
                              slots: parameters.map { p in slots[ObjectIdentifier(p)]?.map(\.array) ?? [] })
    }

    /// Puts back a state taken by `state(for:)` for the same parameters of a model built alike.
    public func restore(_ state: OptimizerState, for parameters: [Parameter]) {
        reset()
        iterations = state.iterations
        if let lr = state.learningRate { learningRate = .constant(lr) }
        if let r = rule as? StatefulUpdateRule { r.ruleState = state.rule }
        for (p, values) in zip(parameters, state.slots) where !values.isEmpty {
            for (t, v) in zip(slotTensors(for: p), values) { t.copy(from: v) }
        }
    }

    /// Clears the state and the step count (a fresh optimizer with the same settings).
    public func reset() {
        slots = [:]
        tracked = []
        iterations = 0
    }

    /// The state slots of `p`, created at first use.
    public func slotTensors(for p: Parameter) -> [Tensor] {
        let id = ObjectIdentifier(p)
        if let s = slots[id] { return s }
        let s = rule.slotInitialValues.map { v -> Tensor in
            let t = Tensor(shape: p.shape)
            t.fill(v)
            return t
        }
        slots[id] = s
        tracked.append(p)
        return s
    }

    // MARK: - Clipping (Keras 3 `clip_by_norm`, `clip_by_global_norm`, `clip`)

    /// g ← g · c / max(‖g‖, c).
    private func clipNorm(_ g: Tensor, to c: Float) {
        let d = g.data
        var sum: Float = 0
        for i in 0..<g.count { sum += d[i] * d[i] }
        let norm = sum.squareRoot()
        guard norm > c else { return }
        let f = c / norm
        for i in 0..<g.count { d[i] *= f }
    }

    private func clipValue(_ g: Tensor, to v: Float) {
        let d = g.data
        for i in 0..<g.count { d[i] = min(max(d[i], -v), v) }
    }

    /// Every trainable gradient scaled by c / max(global norm, c).
    private func clipGlobalNorm(_ parameters: [Parameter], to c: Float) {
        var sum: Float = 0
        for p in parameters where p.trainable {
            let d = p.grad.data
            for i in 0..<p.count { sum += d[i] * d[i] }
        }
        let norm = sum.squareRoot()
        guard norm > c else { return }
        let f = c / norm
        for p in parameters where p.trainable {
            let d = p.grad.data
            for i in 0..<p.count { d[i] *= f }
        }
    }
}

/// Keras's L1/L2 weight regularizers, read from each parameter's `l1` and `l2`.
public enum Regularization {
    /// Σ over parameters of l1·Σ|w| + l2·Σw²: Keras adds it to the loss it reports.
    public static func penalty(_ parameters: [Parameter]) -> Float {
        var total = 0.0
        for p in parameters where p.trainable && (p.l1 != 0 || p.l2 != 0) {
            let w = p.value.data
            var a = 0.0, s = 0.0
            for i in 0..<p.count { a += Double(abs(w[i])); s += Double(w[i] * w[i]) }
            total += Double(p.l1) * a + Double(p.l2) * s
        }
        return Float(total)
    }

    /// Adds the penalty's gradient l1·sign(w) + 2·l2·w into each parameter's `grad`.
    public static func addGradient(_ parameters: [Parameter]) {
        for p in parameters where p.trainable && (p.l1 != 0 || p.l2 != 0) {
            let w = p.value.data, g = p.grad.data
            let l1 = p.l1, l2 = 2 * p.l2
            for i in 0..<p.count {
                let s: Float = w[i] > 0 ? 1 : (w[i] < 0 ? -1 : 0)
                g[i] += l1 * s + l2 * w[i]
            }
        }
    }
}
