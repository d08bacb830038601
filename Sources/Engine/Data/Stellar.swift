#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Published analytic fits of single-star properties as functions of initial mass M (in solar
/// masses) and metallicity Z (the mass fraction of metals, 0.02 for the Sun in these papers):
/// the stellar-evolution data the first seed notebook sets out to emulate.
///
/// - Zero-age main-sequence luminosity and radius: Tout, Pols, Eggleton & Han 1996, MNRAS 281,
///   257, eqs. (1)–(3), coefficients from their Tables 1 and 2.
/// - Time to the base of the giant branch and main-sequence lifetime: Hurley, Pols & Tout
///   2000, MNRAS 315, 543, eqs. (4)–(7), coefficients a1–a10 from their Appendix A.
///
/// Both papers state their fits for 0.1 ≤ M ≤ 100 and 0.0001 ≤ Z ≤ 0.03, the range `valid`
/// names. Each coefficient is a polynomial in ζ = log10(Z / 0.02) whose terms are the rows
/// below, lowest power first. The same fits drive Hurley's SSE/BSE codes: SSE's own output for
/// M = 1, Z = 0.02 (L = 0.6977166, R = 0.8882495, t_MS = 11003.13 Myr, as recorded in AMUSE's
/// SSE tests) is what `StellarTests` checks against.
public enum StellarFits {
    /// Masses and metallicities the fits were made for.
    public static let validMass = 0.1...100.0
    public static let validMetallicity = 0.0001...0.03

    /// Tout et al. (1996) Table 1: α, β, γ, δ, ε, ζ, η of eq. (1), each as coefficients of
    /// 1, ζ, ζ², ζ³, ζ⁴.
    static let luminosity: [[Double]] = [
        [0.39704170, -0.32913574, 0.34776688, 0.37470851, 0.09011915],      // α
        [8.52762600, -24.41225973, 56.43597107, 37.06152575, 5.45624060],   // β
        [0.00025546, -0.00123461, -0.00023246, 0.00045519, 0.00016176],     // γ
        [5.43288900, -8.62157806, 13.44202049, 14.51584135, 3.39793084],    // δ
        [5.56357900, -10.32345224, 19.44322980, 18.97361347, 4.16903097],   // ε
        [0.78866060, -2.90870942, 6.54713531, 4.05606657, 0.53287322],      // ζ
        [0.00586685, -0.01704237, 0.03872348, 0.02570041, 0.00383376],      // η
    ]

    /// Tout et al. (1996) Table 2: θ, ι, κ, λ, μ, ν, ξ, ο, π of eq. (2).
    static let radius: [[Double]] = [
        [1.71535900, 0.62246212, -0.92557761, -1.16996966, -0.30631491],    // θ
        [6.59778800, -0.42450044, -12.13339427, -10.73509484, -2.51487077], // ι
        [10.08855000, -7.11727086, -31.67119479, -24.24848322, -5.33608972], // κ
        [1.01249500, 0.32699690, -0.00923418, -0.03876858, -0.00412750],    // λ
        [0.07490166, 0.02410413, 0.07233664, 0.03040467, 0.00197741],       // μ
        [0.01077422, 0, 0, 0, 0],                                           // ν
        [3.08223400, 0.94472050, -2.15200882, -2.49219496, -0.63848738],    // ξ
        [17.84778000, -7.45345690, -48.96066856, -40.05386135, -9.09331816], // ο
        [0.00022582, -0.00186899, 0.00388783, 0.00142402, -0.00007671],     // π
    ]

    /// Hurley et al. (2000) Appendix A: a1…a10 (α, β, γ, η; their μ term is 0 for these).
    static let lifetime: [[Double]] = [
        [1.593890e3, 2.053038e3, 1.231226e3, 2.327785e2],       // a1
        [2.706708e3, 1.483131e3, 5.772723e2, 7.411230e1],       // a2
        [1.466143e2, -1.048442e2, -6.795374e1, -1.391127e1],    // a3
        [4.141960e-2, 4.564888e-2, 2.958542e-2, 5.571483e-3],   // a4
        [3.426349e-1, 0, 0, 0],                                  // a5
        [1.949814e1, 1.758178, -6.008212, -4.470533],           // a6
        [4.903830, 0, 0, 0],                                     // a7
        [5.212154e-2, 3.166411e-2, -2.750074e-3, -2.271549e-3], // a8
        [1.312179, -3.294936e-1, 9.231860e-2, 2.610989e-2],     // a9
        [8.073972e-1, 0, 0, 0],                                  // a10
    ]

    /// ζ = log10(Z / 0.02).
    static func zeta(_ z: Double) -> Double { log10(z / 0.02) }

    /// Each row of `table` evaluated as a polynomial in ζ (Horner's rule).
    static func coefficients(_ table: [[Double]], _ zeta: Double) -> [Double] {
        table.map { row in row.reversed().reduce(0) { $0 * zeta + $1 } }
    }

    /// Zero-age main-sequence luminosity in solar luminosities, Tout et al. (1996) eq. (1):
    /// (α M^5.5 + β M^11) / (γ + M^3 + δ M^5 + ε M^7 + ζ M^8 + η M^9.5).
    public static func zamsLuminosity(mass m: Double, metallicity z: Double) -> Double {
        let c = coefficients(luminosity, zeta(z))
        let (alpha, beta, gamma, delta, epsilon, zetaL, eta) = (c[0], c[1], c[2], c[3], c[4], c[5], c[6])
        return (alpha * pow(m, 5.5) + beta * pow(m, 11))
            / (gamma + pow(m, 3) + delta * pow(m, 5) + epsilon * pow(m, 7) + zetaL * pow(m, 8) + eta * pow(m, 9.5))
    }

    /// Zero-age main-sequence radius in solar radii, Tout et al. (1996) eq. (2):
    /// (θ M^2.5 + ι M^6.5 + κ M^11 + λ M^19 + μ M^19.5) / (ν + ξ M^2 + ο M^8.5 + M^18.5 + π M^19.5).
    public static func zamsRadius(mass m: Double, metallicity z: Double) -> Double {
        let c = coefficients(radius, zeta(z))
        let (theta, iota, kappa, lambda, mu, nu, xi, omicron, pi) = (c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8])
        return (theta * pow(m, 2.5) + iota * pow(m, 6.5) + kappa * pow(m, 11) + lambda * pow(m, 19) + mu * pow(m, 19.5))
            / (nu + xi * pow(m, 2) + omicron * pow(m, 8.5) + pow(m, 18.5) + pi * pow(m, 19.5))
    }

    /// Time to the base of the giant branch in Myr, Hurley et al. (2000) eq. (4):
    /// (a1 + a2 M^4 + a3 M^5.5 + M^7) / (a4 M^2 + a5 M^7).
    public static func baseOfGiantBranchTime(mass m: Double, metallicity z: Double) -> Double {
        let a = coefficients(lifetime, zeta(z))
        return (a[0] + a[1] * pow(m, 4) + a[2] * pow(m, 5.5) + pow(m, 7)) / (a[3] * pow(m, 2) + a[4] * pow(m, 7))
    }

    /// Main-sequence lifetime in Myr, Hurley et al. (2000) eqs. (5)–(7):
    /// t_MS = max(t_hook, x·t_BGB) with t_hook = μ·t_BGB,
    /// μ = max(0.5, 1 − 0.01·max(a6 / M^a7, a8 + a9 / M^a10)) and
    /// x = max(0.95, min(0.95 − 0.03(ζ + 0.30103), 0.99)).
    public static func mainSequenceLifetime(mass m: Double, metallicity z: Double) -> Double {
        let zeta = zeta(z)
        let a = coefficients(lifetime, zeta)
        let tBGB = baseOfGiantBranchTime(mass: m, metallicity: z)
        let mu = max(0.5, 1 - 0.01 * max(a[5] / pow(m, a[6]), a[7] + a[8] / pow(m, a[9])))
        let x = max(0.95, min(0.95 - 0.03 * (zeta + 0.30103), 0.99))
        return max(mu * tBGB, x * tBGB)
    }
}

/// What the `stellar` source predicts: log10 of a star's property (the file's names are
/// Spec's `StellarQuantityKind`).
public enum StellarQuantity: Sendable, Equatable, CaseIterable {
    /// log10(L_ZAMS / L☉), Tout et al. (1996).
    case logLuminosity
    /// log10(R_ZAMS / R☉), Tout et al. (1996).
    case logRadius
    /// log10(t_MS / Myr), Hurley et al. (2000).
    case logLifetime
    /// All three, in that order (three outputs).
    case all

    /// The target values for one star.
    func values(mass m: Double, metallicity z: Double) -> [Double] {
        switch self {
        case .logLuminosity: [log10(StellarFits.zamsLuminosity(mass: m, metallicity: z))]
        case .logRadius: [log10(StellarFits.zamsRadius(mass: m, metallicity: z))]
        case .logLifetime: [log10(StellarFits.mainSequenceLifetime(mass: m, metallicity: z))]
        case .all: [StellarQuantity.logLuminosity, .logRadius, .logLifetime].flatMap { $0.values(mass: m, metallicity: z) }
        }
    }

    var outputs: Int { self == .all ? 3 : 1 }
}
