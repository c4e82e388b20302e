"""Speed of the sequence models: training tokens/s, sampling symbols/s, batched vs one stream,
the DilatedRNN's folded layers vs its per-step loop. Ratios are measured in this run.

Usage: ``.venv/bin/python benchmarks/bench_models.py`` (CPU; a CUDA device is used when present).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from midecay.models import ModelConfig, build_model, sample  # noqa: E402
from midecay.models.dilated import dilated_reference  # noqa: E402

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
VOCAB = 50
CONFIGS = {
    "rnn 1x256": ModelConfig("rnn", vocab_size=VOCAB, width=256, embedding=64),
    "lstm 1x256": ModelConfig("lstm", vocab_size=VOCAB, width=256, embedding=64),
    "gru 1x256": ModelConfig("gru", vocab_size=VOCAB, width=256, embedding=64),
    "transformer 2L d128": ModelConfig("transformer", vocab_size=VOCAB, width=128, heads=4, depth=2, context=256),
    "dilated gru 1,2,4,8,16 x64": ModelConfig("dilated", vocab_size=VOCAB, width=64, embedding=16, dilations=(1, 2, 4, 8, 16)),
}


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        if DEVICE == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if DEVICE == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best


def train_rate(config: ModelConfig, batch: int = 32, length: int = 128) -> float:
    model = build_model(config).to(DEVICE)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    codes = torch.randint(0, VOCAB, (batch, length + 1), device=DEVICE)

    def step():
        logits, _ = model(codes[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), codes[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()
    return batch * length / timed(step)


def main() -> int:
    print(f"torch {torch.__version__}, device {DEVICE}, threads {torch.get_num_threads()}")
    for name, config in CONFIGS.items():
        model = build_model(config).to(DEVICE)
        tokens_s = train_rate(config)
        # 320 steps: past the transformer's context of 256, so its window slides as in long runs.
        many = timed(lambda: sample(model, 256, 320, seed=0), repeat=1)
        one = timed(lambda: sample(model, 1, 320, seed=0), repeat=1)
        print(f"  {name:<28} train {tokens_s:>9,.0f} tokens/s   sample 256 streams {256 * 320 / many:>9,.0f} symbols/s, "
              f"1 stream {320 / one:>7,.0f} symbols/s  (batched {256 * one / many:5.0f}x)")
    dilated = build_model(CONFIGS["dilated gru 1,2,4,8,16 x64"]).to(DEVICE)
    codes = torch.randint(0, VOCAB, (16, 512), device=DEVICE)
    with torch.no_grad():
        fast = timed(lambda: dilated(codes))
        slow = timed(lambda: dilated_reference(dilated, codes), repeat=1)
    print(f"  DilatedRNN forward, 16 x 512: folded {fast * 1e3:.1f} ms vs per-step loop {slow * 1e3:.0f} ms "
          f"({slow / fast:.0f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
