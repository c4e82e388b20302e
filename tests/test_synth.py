"""Generators with exact MI: formulas against brute-force enumeration, estimates against formulas."""

import itertools
import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal

import midecay
from midecay.synth import (
    gaussian_mi_from_samples,
    gaussian_sign,
    hmm,
    hmm_mi,
    ising_chain,
    ising_transition_matrix,
    linear_rnn_decay,
    linear_rnn_mi,
    linear_rnn_sample,
    markov,
    markov_mi,
    random_linear_rnn,
    repetitive,
    sign_mi,
    stationary_distribution,
)


def mi_of_joint(joint: np.ndarray) -> float:  # written again on purpose: the check must not reuse the code it checks
    joint = joint / joint.sum()
    indep = np.outer(joint.sum(1), joint.sum(0))
    nz = joint > 0
    return float((joint[nz] * np.log(joint[nz] / indep[nz])).sum())


# ---------------------------------------------------------------- exact formulas by enumeration
def test_markov_and_hmm_formulas_match_path_enumeration():
    """Hypothesis: summing the probability of every hidden path of length d+1 gives the same
    joint of (x_0, x_d) as pi E^T P^d E, for d = 1 … 4."""
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=3)
    E = rng.dirichlet(np.ones(2), size=3)
    pi = stationary_distribution(P)
    for d in range(1, 5):
        joint_states = np.zeros((3, 3))
        joint_emit = np.zeros((2, 2))
        for path in itertools.product(range(3), repeat=d + 1):
            prob = pi[path[0]] * np.prod([P[a, b] for a, b in zip(path[:-1], path[1:])])
            joint_states[path[0], path[-1]] += prob
            joint_emit += prob * np.outer(E[path[0]], E[path[-1]])
        assert markov_mi(P, [d])[0] == pytest.approx(mi_of_joint(joint_states), abs=1e-12)
        assert hmm_mi(P, E, [d])[0] == pytest.approx(mi_of_joint(joint_emit), abs=1e-12)


@pytest.mark.parametrize("p", [0.5, 0.8, 0.95])
@pytest.mark.parametrize("d", [1, 2, 3, 6])
def test_repetitive_formula_matches_enumeration(p, d):
    """Hypothesis: over all 2^7 block sequences of 14 symbols, pairs pooled over an even number of
    first positions (both phases equally often) have exactly the HMM formula's MI; for d > 1 it is
    the same constant."""
    n_blocks = 7
    first_positions = 2 * n_blocks - d - (d % 2)  # an even count: both phases equally often
    joint = np.zeros((2, 2))
    for blocks in itertools.product([0, 1], repeat=n_blocks):
        prob = np.prod([p if b == 0 else 1 - p for b in blocks])
        seq = [s for b in blocks for s in ((0, 1) if b == 0 else (1, 0))]
        for t in range(first_positions):
            joint[seq[t], seq[t + d]] += prob
    expected = repetitive(p, 4, seed=0).expected_mi([d])[0]
    assert expected == pytest.approx(mi_of_joint(joint), abs=1e-12)
    if d > 1:
        assert expected == pytest.approx(repetitive(p, 4, seed=0).expected_mi([2])[0], abs=1e-12)
        assert (expected > 1e-6) == (p != 0.5)


@pytest.mark.parametrize("beta", [0.2, 0.7])
def test_ising_formula_matches_boltzmann_enumeration(beta):
    """Hypothesis: the open chain's Boltzmann law over all 2^10 configurations gives the same joint of
    (s_2, s_{2+d}) as the Markov chain P(s'|s) ∝ exp(beta J s s')."""
    n, J = 10, 1.3
    joint = {d: np.zeros((2, 2)) for d in (1, 2, 5)}
    for spins in itertools.product([-1, 1], repeat=n):
        w = math.exp(beta * J * sum(a * b for a, b in zip(spins[:-1], spins[1:])))
        for d in joint:
            joint[d][(spins[2] + 1) // 2, (spins[2 + d] + 1) // 2] += w
    P = ising_transition_matrix(beta, J)
    for d, jd in joint.items():
        assert markov_mi(P, [d])[0] == pytest.approx(mi_of_joint(jd), abs=1e-12)
    assert sorted(np.abs(np.linalg.eigvals(P)))[0] == pytest.approx(math.tanh(beta * J))


@pytest.mark.parametrize("rho", [0.05, 0.4, 0.9, -0.3])
def test_sign_mi_matches_gaussian_orthant_probabilities(rho):
    """Hypothesis: P(z1 > 0, z2 > 0) from the bivariate normal CDF gives the sign pair's joint, and
    its MI equals the closed form 2 p_s ln(4 p_s) + 2 p_d ln(4 p_d)."""
    p_pp = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([0, 0])
    joint = np.array([[p_pp, 0.5 - p_pp], [0.5 - p_pp, p_pp]])
    assert p_pp == pytest.approx(0.25 + math.asin(rho) / (2 * math.pi), abs=1e-6)
    assert float(sign_mi(rho)) == pytest.approx(mi_of_joint(joint), abs=1e-6)
    if abs(rho) <= 0.05:  # the small-correlation law I ~ 2 rho^2 / pi^2
        assert float(sign_mi(rho)) == pytest.approx(2 * rho**2 / math.pi**2, rel=0.01)


# ---------------------------------------------------------------- estimates against exact curves
def assert_within_stderr(symbols, synthetic, lags, z_max=4.0, seed=0):
    curve = midecay.mi_curve(symbols, lags, seed=seed)
    exact = synthetic.expected_mi(lags)
    z = (curve.mi - exact) / np.maximum(curve.stderr, 1e-12)
    assert np.all(np.abs(z) < z_max), np.c_[lags, curve.mi, exact, z]
    return curve, exact


def test_hmm_estimate_agrees_with_exact():
    P = np.array([[0.97, 0.02, 0.01], [0.03, 0.95, 0.02], [0.01, 0.04, 0.95]])
    E = np.array([[0.7, 0.2, 0.1, 0.0], [0.1, 0.6, 0.2, 0.1], [0.0, 0.1, 0.3, 0.6]])
    s = hmm(P, E, 400_000, seed=1)
    assert_within_stderr(s.symbols, s, midecay.log_lags(1, 300, 12))


def test_repetitive_estimate_is_flat_and_exact():
    s = repetitive(0.8, 200_000, seed=2)
    curve, exact = assert_within_stderr(s.symbols, s, [1, 2, 3, 10, 101, 1000])
    assert np.ptp(exact[1:]) < 1e-12 and exact[1] > 0.05


def test_ising_estimate_agrees_with_exact():
    s = ising_chain(0.8, 1.0, 300_000, seed=3)
    assert_within_stderr(s.symbols, s, [1, 2, 4, 8, 16, 32])


@pytest.mark.parametrize("alpha", [0.3, 1.0])
def test_gaussian_sign_power_law_estimate_agrees_with_exact(alpha):
    """Hypothesis: sampled sequences have I(d) = 0.1 d^-alpha at every d (exact inversion), within errors."""
    s = gaussian_sign(4000, 512, alpha=alpha, seed=4)
    lags = midecay.log_lags(1, 400, 10)
    np.testing.assert_allclose(s.expected_mi(lags), 0.1 * lags.astype(float) ** -alpha, rtol=1e-10)
    assert_within_stderr(s.symbols, s, lags)


def test_gaussian_sign_user_rho_and_cholesky_fallback():
    """Hypothesis: a smooth Gaussian-shaped correlation defeats circulant embedding at length 64
    (negative embedded eigenvalues) but its Toeplitz covariance is PSD: Cholesky takes over, exactly."""
    d = np.arange(1, 64)
    rho = 0.99 * np.exp(-((d / 40.0) ** 2))
    s = gaussian_sign(3000, 64, rho=rho, seed=5)
    assert s.symbols.n_segments == 3000
    assert_within_stderr(s.symbols, s, [1, 5, 20, 50])


def test_gaussian_sign_generates_the_paper_training_set_quickly():
    """10,000 sequences of length 512 (the binary training set): shape and balance only here;
    timing is reported by the benchmark, not asserted."""
    s = gaussian_sign(10_000, 512, alpha=0.5, seed=6)
    assert s.symbols.n_symbols == 10_000 * 512 and s.symbols.n_segments == 10_000
    assert abs(s.symbols.codes.mean() - 0.5) < 0.01


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(alpha=0.5, scale=0.7), "ln 2"),
        (dict(rho=np.r_[0.9, -0.9, np.zeros(6)]), "not realisable"),
        (dict(alpha=0.5, rho=np.zeros(8)), "exactly one"),
        (dict(rho=np.zeros(3)), "8 values"),
    ],
)
def test_gaussian_sign_refuses_unrealisable_targets(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gaussian_sign(10, 9, seed=0, **kwargs)


# ---------------------------------------------------------------- linear RNN theory
@pytest.mark.parametrize("n_h, n_x", [(1, 1), (4, 2)])
def test_linear_rnn_exact_mi_matches_long_simulation(n_h, n_x):
    """Hypothesis: the Lyapunov-based exact I(d) equals the Gaussian MI of a 400k-step simulation's
    empirical covariances (tolerance: a few sampling standard errors, ~1/sqrt(N) relative)."""
    W_hh, W_xh, W_hx = random_linear_rnn(n_h, n_x, 0.85, seed=7 + n_h)
    lags = [1, 2, 4, 8]
    exact = linear_rnn_mi(W_hh, W_xh, W_hx, 0.7, lags)
    x = linear_rnn_sample(W_hh, W_xh, W_hx, 0.7, 400_000, seed=8)
    sim = gaussian_mi_from_samples(x, lags)
    np.testing.assert_allclose(sim, exact, atol=3e-3 * n_x, rtol=0.05)


def test_linear_rnn_decays_at_the_predicted_rate():
    """Hypothesis: I(d+1)/I(d) -> r^2 for large d, r the spectral radius of A."""
    W_hh, W_xh, W_hx = random_linear_rnn(3, 2, 0.9, seed=11)
    decay = linear_rnn_decay(W_hh, W_xh, W_hx)
    mi = linear_rnn_mi(W_hh, W_xh, W_hx, 1.0, [200, 201])
    assert mi[1] / mi[0] == pytest.approx(decay.spectral_radius**2, rel=1e-3)
    assert decay.correlation_length == pytest.approx(-1 / (2 * math.log(0.9)), rel=1e-6)


def test_linear_rnn_refuses_unstable_network():
    with pytest.raises(ValueError, match="memorises its initial condition"):
        linear_rnn_mi([[0.9]], [[1.0]], [[0.2]], 1.0, [1])


# ---------------------------------------------------------------- seeds
@pytest.mark.parametrize(
    "make",
    [
        lambda seed: markov(np.array([[0.9, 0.1], [0.2, 0.8]]), 5000, seed=seed),
        lambda seed: hmm(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([[0.7, 0.3], [0.1, 0.9]]), 5000, seed=seed),
        lambda seed: repetitive(0.7, 5000, seed=seed),
        lambda seed: ising_chain(0.5, 1.0, 5000, seed=seed),
        lambda seed: gaussian_sign(20, 256, alpha=0.5, seed=seed),
    ],
)
def test_same_seed_same_bytes(make):
    a, b, c = make(42), make(42), make(43)
    assert a.symbols.codes.tobytes() == b.symbols.codes.tobytes()
    assert a.symbols.codes.tobytes() != c.symbols.codes.tobytes()
    gen_a = make(np.random.default_rng(5))
    gen_b = make(np.random.default_rng(5))
    assert gen_a.symbols.codes.tobytes() == gen_b.symbols.codes.tobytes()
