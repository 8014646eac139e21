import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

from gpt_demo.sampling import generate, generate_stream, nucleus, sample_next, top_k_filter, top_p_filter

from .conftest import make_model


def random_logits(seed, shape=(4, 50), ties=False):
    g = torch.Generator().manual_seed(seed)
    if ties:  # few distinct values: many exactly equal logits
        return torch.randint(0, 4, shape, generator=g).float()
    return torch.randn(shape, generator=g) * 3


@pytest.mark.parametrize("top_p", [1e-6, 0.05, 0.3, 0.5, 0.9, 0.95, 0.999, 1.0])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("min_keep", [1, 3])
def test_top_p_equals_transformers(top_p, ties, min_keep):
    for seed in range(5):
        logits = random_logits(seed, ties=ties)
        ours = top_p_filter(logits, top_p, min_tokens_to_keep=min_keep)
        ref = TopPLogitsWarper(top_p, min_tokens_to_keep=min_keep)(None, logits)
        assert torch.equal(ours, ref)


def test_top_p_one_keeps_everything_and_tiny_keeps_the_best():
    logits = random_logits(0)
    assert torch.isfinite(top_p_filter(logits, 1.0)).all()
    tiny = top_p_filter(logits, 1e-9)
    assert (torch.isfinite(tiny).sum(-1) == 1).all()
    assert torch.equal(tiny.argmax(-1), logits.argmax(-1))


@pytest.mark.parametrize("k", [1, 5, 49, 50, 80])
def test_top_k_equals_transformers(k):
    for ties in (False, True):
        logits = random_logits(1, ties=ties)
        assert torch.equal(top_k_filter(logits, k), TopKLogitsWarper(k)(None, logits))


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(-8, 8, allow_nan=False), min_size=2, max_size=40),
    p1=st.floats(0.01, 1.0),
    p2=st.floats(0.01, 1.0),
)
@example(values=[5.960464477539063e-08, 0.0, 0.0], p1=0.5, p2=0.5)  # log() ties two of three unequal probabilities
def test_nucleus_never_shrinks_when_top_p_grows(values, p1, p2):
    probs = torch.tensor(values).softmax(-1)
    lo, hi = sorted((p1, p2))
    small, big = set(nucleus(probs, lo).tolist()), set(nucleus(probs, hi).tolist())
    assert small <= big
    # the nucleus holds at least top_p of the probability (up to float rounding), most likely first
    kept = nucleus(probs, hi)
    assert probs[kept].sum() >= hi - 1e-5
    assert torch.all(probs[kept][:-1] >= probs[kept][1:])
    # and it is exactly what top_p_filter keeps -- where the two inputs order the tokens the same way: log() can
    # round two probabilities 1 ulp apart to one value (a tie either side may keep), and softmax(log(p)) moves a
    # cumulative sum lying within rounding of 1 - top_p across the cut
    logp = probs.log()
    cumulative = probs.sort().values.cumsum(0)
    if len(set(logp.tolist())) == len(values) and bool(((cumulative - (1 - hi)).abs() > 1e-5).all()):
        filtered = top_p_filter(logp[None], hi)[0]
        assert set(torch.nonzero(torch.isfinite(filtered)).flatten().tolist()) == big


def test_sample_next_greedy_and_inside_nucleus():
    logits = random_logits(2)
    assert torch.equal(sample_next(logits, temperature=0), logits.argmax(-1))
    g = torch.Generator().manual_seed(0)
    for _ in range(50):
        token = sample_next(logits[:1], temperature=1.0, top_p=0.5, generator=g)
        assert token.item() in nucleus(logits[0].softmax(-1), 0.5).tolist()


def test_sampling_chain_equals_transformers_warpers():
    logits = random_logits(3)
    t, k, p = 0.7, 10, 0.8
    ref = TopPLogitsWarper(p)(None, TopKLogitsWarper(k)(None, TemperatureLogitsWarper(t)(None, logits)))
    torch.manual_seed(0)
    ours = sample_next(logits, temperature=t, top_k=k, top_p=p)
    torch.manual_seed(0)
    theirs = torch.multinomial(ref.softmax(-1), 1).squeeze(-1)
    assert torch.equal(ours, theirs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(top_p=0.0), "top_p"),
        (dict(top_p=1.5), "top_p"),
        (dict(top_p=-0.1), "top_p"),
        (dict(temperature=-1.0), "temperature"),
        (dict(top_k=-2), "top_k"),
    ],
)
def test_bad_sampling_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample_next(random_logits(0), **kwargs)


def test_didactic_loop_equals_generate_greedy():
    model = make_model()
    prompt = torch.tensor([[5, 17, 42, 8, 99]])
    ours = generate(model, prompt, max_new_tokens=20, temperature=0)
    ref = model.generate(prompt, max_new_tokens=20, do_sample=False, eos_token_id=None, pad_token_id=3)
    assert torch.equal(ours, ref)


def test_didactic_loop_equals_generate_sampling_same_seed():
    model = make_model()
    prompt = torch.tensor([[5, 17, 42, 8, 99]])
    torch.manual_seed(123)
    ours = generate(model, prompt, max_new_tokens=15, temperature=0.8, top_k=20, top_p=0.9)
    torch.manual_seed(123)
    ref = model.generate(prompt, max_new_tokens=15, do_sample=True, temperature=0.8, top_k=20, top_p=0.9,
                         eos_token_id=None, pad_token_id=3)
    assert torch.equal(ours, ref)


def test_didactic_loop_left_padded_batch_and_eos():
    model = make_model()
    prompts = [[5, 17, 42, 8, 99], [7, 7, 30]]
    alone = [generate(model, torch.tensor([p]), max_new_tokens=12, temperature=0)[0, len(p):] for p in prompts]
    from gpt_demo.masking import pad_batch

    ids, mask = pad_batch(prompts, 3, side="left")
    batch = generate(model, ids, max_new_tokens=12, temperature=0, attention_mask=mask)[:, ids.shape[1]:]
    for row, expected in zip(batch, alone):
        assert torch.equal(row, expected)
    # stopping at EOS: make the first generated token the EOS id
    eos = alone[0][0].item()
    steps = list(generate_stream(model, torch.tensor([prompts[0]]), max_new_tokens=12, temperature=0,
                                 eos_token_id=eos))
    assert len(steps) == 1 and steps[0][0].item() == eos


def test_didactic_loop_uses_the_preallocated_cache_with_the_same_results(monkeypatch):
    from gpt_demo import fast

    model = make_model()
    prompt = torch.tensor([[5, 17, 42, 8, 99], [3, 3, 7, 7, 30]])
    mask = (prompt != 3).long()  # the second row is left-padded
    made = []
    real = fast.GPTDemoCache
    monkeypatch.setattr(fast, "GPTDemoCache", lambda *a, **k: made.append(k) or real(*a, **k))
    steps = list(generate_stream(model, prompt, max_new_tokens=10, temperature=0, attention_mask=mask))
    assert made == [{"max_cache_len": 5 + 10}]  # one buffer for the whole run
    with fast.disabled():  # DynamicCache and the plain modules
        plain = list(generate_stream(model, prompt, max_new_tokens=10, temperature=0, attention_mask=mask))
    assert len(made) == 1 and len(steps) == len(plain) == 10
    for (tokens, logits), (plain_tokens, plain_logits) in zip(steps, plain):
        assert torch.equal(tokens, plain_tokens)
        assert torch.allclose(logits, plain_logits, atol=1e-5)
