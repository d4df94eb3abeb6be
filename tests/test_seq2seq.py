"""dlcourse.seq2seq, the encoder–decoder of L3.08 (and L3.09): the vocabulary's specials, the
masked loss, the packed encoder against a step loop, beam search against greedy decoding and an
exhaustive search, BLEU against nltk."""
from __future__ import annotations

import math
import random

import pytest
import torch
import torch.nn.functional as F

from dlcourse import seq2seq
from dlcourse.seq2seq import BOS, EOS, PAD


def test_vocab_specials_batch_and_decode():
    v = seq2seq.Vocab(["ab", "ca"])
    assert v.chars[:3] == ["<pad>", "<s>", "</s>"] and v.chars[3:] == ["a", "b", "c"]
    batch = v.batch(["abc", "a"])
    assert batch.tolist() == [[3, 4, 5, EOS], [3, EOS, PAD, PAD]]
    assert [v.decode(row) for row in batch] == ["abc", "a"]
    assert v.decode([BOS, 3, EOS, 4]) == "a"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        v.encode("abz")


def test_sequence_loss_ignores_padding():
    logits = torch.randn(2, 4, 7)
    tgt = torch.tensor([[3, 4, EOS, PAD], [5, EOS, PAD, PAD]])
    keep = tgt != PAD
    expected = F.cross_entropy(logits[keep], tgt[keep])
    assert torch.allclose(seq2seq.sequence_loss(logits, tgt), expected)


def test_encode_skips_the_padding():
    torch.manual_seed(0)
    m = seq2seq.Seq2Seq(9, 6, emb=4, hidden=5).double()
    src = torch.tensor([[3, 4, 5, EOS], [6, EOS, PAD, PAD]])
    both = m.encode(src)[0]
    for i, n in enumerate([4, 2]):
        alone = m.encode(src[i:i + 1, :n])[0]
        assert torch.allclose(both[i:i + 1], alone, atol=1e-12)


def test_teacher_forcing_ratio_one_is_the_forward_pass():
    torch.manual_seed(0)
    m = seq2seq.Seq2Seq(9, 6, emb=4, hidden=5).double()
    src, tgt = torch.randint(3, 9, (3, 5)), torch.randint(3, 6, (3, 4))
    forced = seq2seq.logits_with_ratio(m, src, tgt, 1.0)
    assert torch.allclose(forced, m(src, tgt))
    stepwise = seq2seq.logits_with_ratio(m, src, tgt, 0.999999999)   # the step loop, all truth
    assert torch.allclose(stepwise, forced, atol=1e-12)


def _exhaustive(step, state, max_len, alpha):
    out = []

    def extend(tokens, log_p, h):
        if len(tokens) == max_len:
            out.append((tokens, log_p / len(tokens) ** alpha))
            return
        lp, h2 = step(torch.tensor([tokens[-1] if tokens else BOS]), h)
        for v in range(lp.shape[1]):
            total = log_p + lp[0, v].item()
            if v == EOS:
                out.append((tokens, total / (len(tokens) + 1) ** alpha))
            else:
                extend(tokens + [v], total, h2)

    extend([], 0.0, state)
    return max(out, key=lambda o: o[1])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_beam_search_greedy_and_exhaustive(seed):
    torch.manual_seed(seed)
    m = seq2seq.Seq2Seq(9, 5, emb=4, hidden=6).double()
    src = torch.randint(3, 9, (4, 6))
    greedy = seq2seq.greedy(m, src, max_len=5)
    for i in range(len(src)):
        state, step = seq2seq.model_step(m, src[i])
        assert seq2seq.beam_search(step, state, 1, 5)[0][0] == greedy[i]
        for alpha in (0.0, 0.7, 1.0):
            best, score = _exhaustive(step, state, 4, alpha)
            found = seq2seq.beam_search(step, state, 10_000, 4, alpha=alpha)[0]
            assert found[0] == best and found[2] == pytest.approx(score, abs=1e-12)


def test_beam_search_trace_links_parents():
    torch.manual_seed(0)
    m = seq2seq.Seq2Seq(9, 6, emb=4, hidden=6).double()
    state, step = seq2seq.model_step(m, torch.tensor([3, 4, 5, EOS]))
    trace = []
    finished = seq2seq.beam_search(step, state, 3, 6, trace=trace)
    assert all(parent is None for _, _, parent, _ in trace[0])
    for before, kept in zip(trace, trace[1:]):
        for seq, _, parent, _ in kept:
            assert not before[parent][3] and before[parent][0] == seq[:-1]
    assert len(finished) == 3


def test_bleu_matches_nltk_on_candidates_of_four_tokens_or_more():
    nltk_bleu = pytest.importorskip("nltk.translate.bleu_score")
    rng = random.Random(0)
    for _ in range(5):
        refs = [[rng.choice("abcde") for _ in range(rng.randint(4, 12))] for _ in range(40)]
        cands = [[rng.choice("abcde") for _ in range(rng.randint(4, 12))] for _ in range(40)]
        ours = seq2seq.bleu(refs, cands)
        assert ours == pytest.approx(nltk_bleu.corpus_bleu([[r] for r in refs], cands), abs=1e-12)
    assert seq2seq.bleu([list("abcdef")], [list("abcdef")]) == pytest.approx(1.0)
    # every n-gram of 'abcd' is in the reference; only the brevity penalty exp(1 − 8/4) is left
    assert seq2seq.bleu([list("abcdefgh")], [list("abcd")]) == pytest.approx(math.exp(-1))
    assert seq2seq.bleu([list("abcd")], [list("wxyz")]) == 0.0
