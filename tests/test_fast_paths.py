"""The fast inference path (gpt_demo/fast.py) computes what the plain modules compute.

Every test compares the fast path with the plain one (``fast.disabled()``) and, where it can, with transformers'
LlamaForCausalLM holding the same weights. Tests marked ``cuda`` need a GPU (bench/gpu_check.sh runs them) and
skip elsewhere.
"""

import contextlib

import pytest
import torch
from transformers import DynamicCache, StaticCache
from transformers.generation.streamers import BaseStreamer

from gpt_demo import fast
from gpt_demo.convert import to_llama
from gpt_demo.fast import GPTDemoCache, PreallocatedLayer
from gpt_demo.masking import pad_batch

from .conftest import make_model
from .test_model import CONFIGS

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.fixture
def spy(monkeypatch):
    """Counts the calls of fast.decoder_stack, so a test can tell which path ran."""
    calls = []
    original = fast.decoder_stack

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(fast, "decoder_stack", counting)
    return calls


def left_padded(vocab=97, lengths=(9, 4, 7), seed=0):
    g = torch.Generator().manual_seed(seed)
    seqs = [torch.randint(4, vocab, (n,), generator=g).tolist() for n in lengths]
    return pad_batch(seqs, pad_id=3, side="left")


GREEDY = dict(max_new_tokens=12, do_sample=False, pad_token_id=3, eos_token_id=None)


@pytest.mark.parametrize("name", CONFIGS)
def test_forward_logits_equal_plain_and_llama(name, spy):
    model = make_model(**CONFIGS[name])
    llama = to_llama(model)
    ids, mask = left_padded()
    real = mask.bool()
    with torch.no_grad():
        ours = model(ids, attention_mask=mask).logits
        assert spy, "the fast path should run under no_grad"
        with fast.disabled():
            plain = model(ids, attention_mask=mask).logits
        ref = llama(ids, attention_mask=mask).logits
    assert torch.equal(ours, plain)  # the same operations in the same order: the same bits
    assert (ours[real] - ref[real]).abs().max() <= 1e-5


def test_positions_outside_the_rotary_table_fall_back():
    model = make_model()  # max_position_embeddings 128: the fast path's cos/sin table has 128 rows
    ids, _ = left_padded(lengths=(6,))
    for positions in (torch.arange(200, 206)[None], torch.arange(-3, 3)[None], torch.arange(5, 11)[None]):
        with torch.no_grad():
            a = model(ids, position_ids=positions).logits
            with fast.disabled():
                b = model(ids, position_ids=positions).logits
        assert torch.equal(a, b)


@pytest.mark.parametrize("name", ["gqa_tied", "odd_sizes", "biases"])
def test_cached_decoding_step_by_step_equals_plain(name):
    model = make_model(**CONFIGS[name])
    ids, mask = left_padded()
    logits = {}
    for fast_on in (True, False):
        cache = GPTDemoCache(model.config, max_cache_len=4) if fast_on else DynamicCache(config=model.config)
        steps, m, x = [], mask, ids
        with torch.no_grad(), (contextlib.nullcontext() if fast_on else fast.disabled()):
            for _ in range(6):  # prefill, then one token at a time; capacity 4 forces the buffers to grow
                out = model(x, attention_mask=m, cache=cache)
                steps.append(out.logits[:, -1])
                x = out.logits[:, -1:].argmax(-1)
                m = torch.cat([m, torch.ones_like(x)], dim=-1)
        assert cache.get_seq_length() == ids.shape[1] + 5
        logits[fast_on] = torch.stack(steps)
    assert (logits[True] - logits[False]).abs().max() <= 1e-5


def test_generate_uses_the_preallocated_cache_and_equals_plain_and_llama():
    model = make_model()
    llama = to_llama(model)
    ids, mask = left_padded()
    out = model.generate(ids, attention_mask=mask, return_dict_in_generate=True, **GREEDY)
    assert isinstance(out.cache, GPTDemoCache)
    with fast.disabled():
        plain = model.generate(ids, attention_mask=mask, return_dict_in_generate=True, **GREEDY)
    assert type(plain.cache) is DynamicCache
    ref = llama.generate(ids, attention_mask=mask, **GREEDY)
    assert torch.equal(out.sequences, plain.sequences)
    assert torch.equal(out.sequences, ref)
    # the cache handed back continues correctly: one more step equals the plain path's
    nxt = out.sequences[:, -1:]
    m = torch.cat([mask, torch.ones(3, GREEDY["max_new_tokens"] - 1, dtype=mask.dtype)], -1)
    m = torch.cat([m, torch.ones_like(nxt)], -1)
    with torch.no_grad():
        a = model(nxt, attention_mask=m, cache=out.cache).logits
        with fast.disabled():
            b = model(nxt, attention_mask=m, cache=plain.cache).logits
    assert (a - b).abs().max() <= 1e-5


def test_left_padded_batch_generates_like_each_prompt_alone():
    model = make_model()
    prompts = [[5, 6, 7, 8, 9, 10, 11], [12, 13], [14, 15, 16, 17]]
    ids, mask = pad_batch(prompts, pad_id=3, side="left")
    alone = [model.generate(torch.tensor([p]), **GREEDY)[0, len(p):] for p in prompts]
    out = model.generate(ids, attention_mask=mask, **GREEDY)[:, ids.shape[1]:]
    for row, ref in zip(out, alone):
        assert torch.equal(row, ref)


def test_user_cache_is_respected_and_use_cache_false_works():
    model = make_model()
    ids, _ = left_padded(lengths=(6,))
    ref = model.generate(ids, **GREEDY)
    mine = DynamicCache(config=model.config)
    out = model.generate(ids, cache=mine, return_dict_in_generate=True, **GREEDY)
    assert out.cache is mine and type(mine) is DynamicCache
    assert torch.equal(out.sequences, ref)
    assert torch.equal(model.generate(ids, use_cache=False, **GREEDY), ref)


def test_fixed_size_caches_are_refused_by_name():
    """A StaticCache hands back all its slots, written or not; the model's masks cover only the real positions,
    so rather than attend to empty slots (wrong logits, silently) it refuses the cache and says which it takes."""
    model = make_model()
    ids, _ = left_padded(lengths=(6,))
    with torch.no_grad(), pytest.raises(ValueError, match="DynamicCache.*not StaticCache"):
        model(ids, cache=StaticCache(config=model.config, max_cache_len=32))
    with pytest.raises(ValueError, match="not StaticCache"):
        model.generate(ids, cache_implementation="static", **GREEDY)


def test_sampling_with_a_seed_equals_plain():
    model = make_model()
    ids, mask = left_padded()
    kw = dict(max_new_tokens=15, do_sample=True, top_k=20, top_p=0.9, temperature=0.8, pad_token_id=3,
              eos_token_id=None)
    torch.manual_seed(123)
    a = model.generate(ids, attention_mask=mask, **kw)
    torch.manual_seed(123)
    with fast.disabled():
        b = model.generate(ids, attention_mask=mask, **kw)
    assert torch.equal(a, b)


def test_eos_and_streamer():
    model = make_model()
    ids, _ = left_padded(lengths=(5,))
    free = model.generate(ids, **GREEDY)[0, 5:]
    eos = int(free[3])  # make the 4th generated token the end-of-sequence token
    stop = free.tolist().index(eos) + 1  # it may come even earlier

    class Collect(BaseStreamer):
        def __init__(self):
            self.seen = []

        def put(self, value):
            self.seen.append(value.flatten().tolist())

        def end(self):
            self.seen.append("end")

    streams, outs = [], []
    for fast_on in (True, False):
        s = Collect()
        with contextlib.nullcontext() if fast_on else fast.disabled():
            outs.append(model.generate(ids, max_new_tokens=12, do_sample=False, pad_token_id=3, eos_token_id=eos,
                                       streamer=s))
        streams.append(s.seen)
    assert torch.equal(outs[0], outs[1]) and streams[0] == streams[1]
    assert outs[0].shape[1] == 5 + stop and int(outs[0][0, -1]) == eos  # stopped at eos


def test_beam_search_reorders_the_preallocated_cache():
    model = make_model()
    ids, mask = left_padded()
    kw = dict(max_new_tokens=8, num_beams=3, do_sample=False, pad_token_id=3, eos_token_id=None)
    a = model.generate(ids, attention_mask=mask, **kw)
    with fast.disabled():
        b = model.generate(ids, attention_mask=mask, **kw)
    assert torch.equal(a, b)


@pytest.mark.parametrize("kw", [
    dict(prompt_lookup_num_tokens=3),  # assisted decoding: the cache is cropped when guesses are rejected
    dict(do_sample=True, num_return_sequences=3, top_k=10),  # rows expanded before the cache exists
    dict(cache_implementation="dynamic"),
])
def test_other_generate_modes_equal_plain(kw):
    model = make_model()
    ids = torch.tensor([[5, 6, 7, 5, 6, 7, 5, 6]])  # repetitive, so prompt lookup finds candidates
    base = dict(max_new_tokens=10, pad_token_id=3, eos_token_id=None, do_sample=False)
    torch.manual_seed(7)
    a = model.generate(ids, **{**base, **kw})
    torch.manual_seed(7)
    with fast.disabled():
        b = model.generate(ids, **{**base, **kw})
    assert torch.equal(a, b)


def test_preallocated_layer_grows_crops_and_reorders():
    layer = PreallocatedLayer(capacity=3)
    k = torch.arange(2 * 1 * 5 * 2, dtype=torch.float32).view(2, 1, 5, 2)
    keys, _ = layer.update(k[:, :, :2], k[:, :, :2])
    assert keys.shape == (2, 1, 2, 2) and layer._key_buffer.shape[-2] == 3
    buffer = layer._key_buffer
    keys, values = layer.update(k[:, :, 2:3], k[:, :, 2:3])
    assert layer._key_buffer is buffer  # written in place
    keys, values = layer.update(k[:, :, 3:], k[:, :, 3:])  # past capacity: grows, keeps the old ones
    assert torch.equal(keys, k) and torch.equal(values, k) and layer.get_seq_length() == 5
    layer.crop(-2)
    assert layer.get_seq_length() == 3
    keys, _ = layer.update(k[:, :, 3:4], k[:, :, 3:4])
    assert torch.equal(keys, k[:, :, :4])
    layer.reorder_cache(torch.tensor([1, 0]))
    keys, _ = layer.update(k[:, :, 4:], k[:, :, 4:])
    assert torch.equal(keys[:, :, :4], k[[1, 0], :, :4]) and torch.equal(keys[:, :, 4:], k[:, :, 4:])
    layer.reset()
    assert layer.get_seq_length() == 0


def test_lora_layers_take_the_plain_path(spy):
    peft = pytest.importorskip("peft")
    model = make_model()
    ids, mask = left_padded()
    with torch.no_grad():
        base = model(ids, attention_mask=mask).logits
    calls_before = len(spy)
    wrapped = peft.get_peft_model(model, peft.LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    with torch.no_grad():
        for name, p in wrapped.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)  # LoRA starts as a no-op (B = 0): make it change the output
        adapted = wrapped(input_ids=ids, attention_mask=mask).logits
        assert len(spy) == calls_before  # a lora.Linear in the layers sends the forward down the plain path
        with fast.disabled():
            plain = wrapped(input_ids=ids, attention_mask=mask).logits
        gen = wrapped.generate(input_ids=ids, attention_mask=mask, **GREEDY)
        with fast.disabled():
            gen_plain = wrapped.generate(input_ids=ids, attention_mask=mask, **GREEDY)
    assert torch.equal(adapted, plain)
    assert (adapted - base).abs().max() > 1e-3  # the adapter is really applied
    assert torch.equal(gen, gen_plain)
    merged = wrapped.merge_and_unload()  # plain Linear layers again, with the merged weights
    with torch.no_grad():
        after = merged(ids, attention_mask=mask).logits
    assert len(spy) > calls_before
    assert (after - adapted).abs().max() <= 1e-4


def test_hooks_and_outputs_that_need_the_modules_take_the_plain_path(spy):
    model = make_model()
    ids, _ = left_padded(lengths=(6,))
    seen = []
    handle = model.model.layers[1].mlp.down_proj.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    with torch.no_grad():
        model(ids)
    handle.remove()
    assert seen == [(1, 6, 32)] and not spy
    with torch.no_grad():
        out = model(ids, output_attentions=True, output_hidden_states=True)
    assert len(out.attentions) == 2 and len(out.hidden_states) == 3 and not spy
    with torch.no_grad():
        model(ids)
    assert spy  # nothing special: the fast path


def test_training_and_gradients_are_unaffected(spy):
    model = make_model()
    model.train()
    ids, mask = left_padded()
    labels = ids.masked_fill(mask == 0, -100)
    grads = []
    for fast_on in (True, False):
        model.zero_grad()
        with (torch.enable_grad() if fast_on else fast.disabled()):
            loss = model(ids, attention_mask=mask, labels=labels).loss
            loss.backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters()})
    assert not spy  # with autograd on, the plain modules run
    for n in grads[0]:
        assert torch.equal(grads[0][n], grads[1][n]), n


def test_weights_changed_in_place_are_seen():
    """The fast path reads the live parameters (no copies), so an optimizer step or a merge is never stale."""
    model = make_model()
    ids, _ = left_padded(lengths=(6,))
    with torch.no_grad():
        before = model(ids).logits
        model.model.layers[0].self_attn.q_proj.weight.data.mul_(2.0)  # through .data: no version bump
        after = model(ids).logits
        with fast.disabled():
            plain = model(ids).logits
    assert not torch.equal(before, after) and torch.equal(after, plain)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_precision_on_cpu_equals_plain(dtype):
    model = make_model().to(dtype)
    ids, mask = left_padded()
    with torch.no_grad():
        a = model(ids, attention_mask=mask).logits
        with fast.disabled():
            b = model(ids, attention_mask=mask).logits
    assert torch.equal(a, b)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
def test_rms_norm_is_the_module_bit_for_bit(dtype):
    """fast.rms_norm computes mean(x^2) as sum then division by a ready fp32 count, and adds eps as an fp32
    tensor; that must be the module's arithmetic exactly, over widths, row counts and magnitudes."""
    from gpt_demo.modeling_gpt_demo import GPTDemoRMSNorm

    g = torch.Generator().manual_seed(0)
    for width, rows, scale, eps in [(288, 1, 1.0, 1e-5), (256, 8, 30.0, 1e-6), (64, 129, 1e-3, 1e-5),
                                    (4096, 3, 5.0, 1e-5), (1000, 17, 1e-2, 1e-2)]:
        norm = GPTDemoRMSNorm(width, eps)
        with torch.no_grad():
            norm.weight.normal_(generator=g)
        norm = norm.to(dtype)
        x = (torch.randn(rows, width, generator=g) * scale).to(dtype)
        with torch.no_grad():
            assert torch.equal(fast.rms_norm(x, norm.weight, eps), norm(x)), (width, rows, scale)


def test_decode_step_inputs_equal_transformers_own(monkeypatch):
    """GPTDemo's short prepare_inputs_for_generation builds, for every step, what GenerationMixin's would
    (values compared, not strides), and generate() gives the same tokens with either."""
    from transformers import GenerationMixin

    model = make_model()
    ids, mask = left_padded()
    short_steps = []
    ours = type(model).prepare_inputs_for_generation

    def both(self, input_ids, **kwargs):
        a = ours(self, input_ids, **kwargs)
        b = GenerationMixin.prepare_inputs_for_generation(self, input_ids, **kwargs)
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], torch.Tensor):
                assert torch.equal(a[key], b[key]), key
            else:
                assert a[key] is b[key] or a[key] == b[key], key
        # the short path slices the ids without copying them (transformers' clones them)
        short_steps.append(a["input_ids"].untyped_storage().data_ptr() == input_ids.untyped_storage().data_ptr())
        return a

    both.__wrapped__ = ours  # generate() reads the accepted arguments from the signature
    for kwargs in [dict(attention_mask=mask), dict(), dict(attention_mask=mask, do_sample=True, top_p=0.9)]:
        monkeypatch.setattr(type(model), "prepare_inputs_for_generation", both)
        torch.manual_seed(0)
        out = model.generate(ids, **{**GREEDY, **kwargs})
        monkeypatch.setattr(type(model), "prepare_inputs_for_generation", GenerationMixin.prepare_inputs_for_generation)
        torch.manual_seed(0)
        ref = model.generate(ids, **{**GREEDY, **kwargs})
        assert torch.equal(out, ref)
    assert sum(short_steps) == 3 * (GREEDY["max_new_tokens"] - 1)  # every decode step took the short path


# ----------------------------------------------------------------------------------------------- CUDA only


@cuda
@needs_cuda
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_cuda_half_generation_equals_plain_and_llama_logits(dtype):
    model = make_model().to("cuda", dtype)
    llama = to_llama(make_model()).to("cuda", dtype)
    ids, mask = (t.cuda() for t in left_padded())
    real = mask.bool()
    with torch.no_grad():
        ours = model(ids, attention_mask=mask).logits.float()
        ref = llama(ids, attention_mask=mask).logits.float()
        with fast.disabled():
            plain = model(ids, attention_mask=mask).logits.float()
    assert (ours - plain).abs().max() <= 1e-2
    assert (ours[real] - ref[real]).abs().max() <= 5e-2  # different kernels: only half-precision agreement
    out = model.generate(ids, attention_mask=mask, **GREEDY)
    with fast.disabled():
        out_plain = model.generate(ids, attention_mask=mask, **GREEDY)
    assert out.shape == (3, ids.shape[1] + GREEDY["max_new_tokens"])
    assert (out == out_plain).float().mean() >= 0.9  # rounding may flip a late near-tie, not the bulk


@cuda
@needs_cuda
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_cuda_half_left_padding_invariance(dtype):
    model = make_model().to("cuda", dtype)
    prompts = [[5, 6, 7, 8, 9, 10, 11], [12, 13], [14, 15, 16, 17]]
    ids, mask = pad_batch(prompts, pad_id=3, side="left")
    with torch.no_grad():
        batch = model(ids.cuda(), attention_mask=mask.cuda()).logits[:, -1].float()
        for row, p in enumerate(prompts):
            alone = model(torch.tensor([p], device="cuda")).logits[0, -1].float()
            assert (batch[row] - alone).abs().max() <= 5e-2
            assert int(batch[row].argmax()) == int(alone.argmax())


@cuda
@needs_cuda
def test_cuda_precision_library_functions():
    precision = pytest.importorskip("gpt_demo.precision")
    assert precision.dtype_problem("cuda", "bf16") is None or torch.cuda.get_device_capability()[0] < 8
    assert precision.dtype_problem("cuda", "fp16") is None
    assert precision.device_facts()["gpus"]
    rows = precision.compare_precisions(make_model(), [5, 6, 7, 8], dtypes=("fp16", "bf16"), device="cuda",
                                        new_tokens=6)
    by = {r["dtype"]: r for r in rows}
    assert "error" not in by["fp32"] and "error" not in by["fp16"]
    assert abs(by["fp16"]["weight_mb"] * 2 - by["fp32"]["weight_mb"]) <= 0.01 * by["fp32"]["weight_mb"]
    assert by["fp16"]["max_logit_diff"] < 0.1
