import json
import subprocess
import sys

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

from gpt_demo import GPTDemoConfig, GPTDemoForCausalLM
from gpt_demo.convert import config_from_llama, from_llama, to_llama
from gpt_demo.masking import pad_batch

from .conftest import TINY, make_model

CONFIGS = {
    "gqa_tied": dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True),
    "mha_untied": dict(num_attention_heads=4, num_key_value_heads=4, tie_word_embeddings=False),
    "mqa_theta": dict(num_attention_heads=4, num_key_value_heads=1, rope_theta=500000.0),
    "odd_sizes": dict(vocab_size=97, hidden_size=48, intermediate_size=37, num_attention_heads=6,
                      num_key_value_heads=3, num_hidden_layers=3, rope_theta=1234.5, tie_word_embeddings=False),
    "biases": dict(attention_bias=True, mlp_bias=True),
    "explicit_head_dim": dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=2, head_dim=12),
}


def batch_with_left_padding(vocab=97):
    g = torch.Generator().manual_seed(0)
    seqs = [torch.randint(4, vocab, (n,), generator=g).tolist() for n in (9, 4, 7)]
    return pad_batch(seqs, pad_id=3, side="left")


@pytest.mark.parametrize("name", CONFIGS)
def test_logits_equal_llama_both_directions(name):
    model = make_model(**CONFIGS[name])
    llama = to_llama(model)
    assert isinstance(llama, LlamaForCausalLM)
    ids, mask = batch_with_left_padding()
    with torch.no_grad():
        ours = model(ids, attention_mask=mask).logits
        ref = llama(ids, attention_mask=mask).logits
        plain = model(ids).logits
        plain_ref = llama(ids).logits
    real = mask.bool()
    assert (ours[real] - ref[real]).abs().max() <= 1e-5
    assert (plain - plain_ref).abs().max() <= 1e-5
    # the other direction, from a Llama built by transformers itself
    back = from_llama(llama)
    with torch.no_grad():
        assert (back(ids).logits - plain_ref).abs().max() <= 1e-5


def test_from_llama_on_a_fresh_transformers_model():
    torch.manual_seed(1)
    cfg = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                      rope_parameters={"rope_type": "default", "rope_theta": 20000.0}, tie_word_embeddings=True)
    llama = LlamaForCausalLM(cfg).eval()
    model = from_llama(llama)
    assert model.config.rope_theta == 20000.0 and model.config.tie_word_embeddings
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    ids = torch.randint(0, 64, (2, 11))
    with torch.no_grad():
        assert (model(ids).logits - llama(ids).logits).abs().max() <= 1e-5
    # from a state dict plus config
    model2 = from_llama(llama.state_dict(), cfg)
    with torch.no_grad():
        assert torch.equal(model2(ids).logits, model(ids).logits)


def test_rope_scaling_is_refused_by_name():
    cfg = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=1, num_attention_heads=4,
                      rope_parameters={"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0})
    with pytest.raises(ValueError, match="linear"):
        config_from_llama(cfg)


def test_loss_ignores_minus_100_and_equals_llama():
    model = make_model()
    llama = to_llama(model)
    ids, mask = pad_batch([[5, 6, 7, 8, 9, 10], [11, 12, 13]], pad_id=3, side="right")
    labels = ids.masked_fill(mask == 0, -100)
    with torch.no_grad():
        out = model(ids, attention_mask=mask, labels=labels)
        ref = llama(ids, attention_mask=mask, labels=labels)
        logits = out.logits[:, :-1]
        target = labels[:, 1:]
        keep = target != -100
        manual = torch.nn.functional.cross_entropy(logits[keep], target[keep])
    assert torch.allclose(out.loss, manual, atol=1e-6)
    assert torch.allclose(out.loss, ref.loss, atol=1e-5)


def test_cached_equals_uncached():
    model = make_model()
    ids = torch.randint(4, 101, (2, 12), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        full = model(ids, use_cache=False).logits  # (2, 12, V)
        out = model(ids[:, :5], use_cache=True)
        steps = [out.logits]
        cache = out.cache
        for t in range(5, 12):
            out = model(ids[:, t:t + 1], cache=cache, use_cache=True)
            steps.append(out.logits)
        # a chunk of several tokens on top of a cache (needs the shifted causal mask)
        out_chunk = model(ids[:, :5], use_cache=True)
        chunk = model(ids[:, 5:], cache=out_chunk.cache, use_cache=True).logits
    assert (torch.cat(steps, 1) - full).abs().max() <= 1e-5
    assert (chunk - full[:, 5:]).abs().max() <= 1e-5
    prompt = ids[:1, :6]
    a = model.generate(prompt, max_new_tokens=20, do_sample=False, use_cache=True, pad_token_id=3, eos_token_id=None)
    b = model.generate(prompt, max_new_tokens=20, do_sample=False, use_cache=False, pad_token_id=3, eos_token_id=None)
    assert torch.equal(a, b)


def test_left_padded_batch_generates_like_each_prompt_alone():
    model = make_model()
    prompts = [[5, 17, 42, 8, 99, 13, 14], [7, 30], [60, 61, 62, 63]]
    greedy = dict(max_new_tokens=15, do_sample=False, pad_token_id=3, eos_token_id=None)
    alone = [model.generate(torch.tensor([p]), **greedy)[0, len(p):] for p in prompts]
    ids, mask = pad_batch(prompts, pad_id=3, side="left")
    out = model.generate(ids, attention_mask=mask, **greedy)[:, ids.shape[1]:]
    for row, expected in zip(out, alone):
        assert torch.equal(row, expected)


def test_logits_to_keep_and_inputs_embeds():
    model = make_model()
    ids = torch.randint(4, 101, (2, 9))
    with torch.no_grad():
        full = model(ids).logits
        last = model(ids, logits_to_keep=1).logits
        via_embeds = model(inputs_embeds=model.model.embed_tokens(ids)).logits
    assert last.shape == (2, 1, 101)
    assert torch.allclose(last[:, 0], full[:, -1], atol=1e-6)
    assert torch.allclose(via_embeds, full, atol=1e-6)


def test_output_attentions_matches_fused_path_and_masks_pads():
    model = make_model()
    ids, mask = batch_with_left_padding()
    with torch.no_grad():
        fused = model(ids, attention_mask=mask).logits
        out = model(ids, attention_mask=mask, output_attentions=True, output_hidden_states=True)
    real = mask.bool()
    assert (out.logits[real] - fused[real]).abs().max() <= 1e-5
    assert len(out.attentions) == 2 and out.attentions[0].shape == (3, 4, 9, 9)
    assert len(out.hidden_states) == 3
    w = out.attentions[0]
    assert torch.allclose(w.sum(-1), torch.ones_like(w.sum(-1)), atol=1e-5)
    # a real query gives zero weight to pads and to future tokens
    row = 1  # 5 pads, then 4 tokens
    assert w[row, :, 5:, :5].abs().max() == 0
    assert torch.triu(w[row, 0, 5:, 5:], diagonal=1).abs().max() == 0


def test_gradient_checkpointing_gives_the_same_gradients():
    ids = torch.randint(4, 101, (2, 10))
    grads = []
    for checkpointing in (False, True):
        model = make_model().train()
        if checkpointing:
            model.activation_checkpointing_enable()
            assert model.model.layers[0].gradient_checkpointing
        model(ids, labels=ids).loss.backward()
        grads.append(model.model.layers[0].self_attn.q_proj.weight.grad.clone())
    assert torch.allclose(grads[0], grads[1], atol=1e-6)


def test_save_and_reload_in_a_fresh_process(tmp_path):
    for tie in (True, False):
        model = make_model(tie_word_embeddings=tie)
        path = tmp_path / f"tie_{tie}"
        model.save_pretrained(path)
        ids = torch.randint(4, 101, (1, 8), generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            expected = model(ids).logits
        torch.save(ids, tmp_path / "ids.pt")
        script = (
            "import sys, torch, gpt_demo\n"
            "from transformers import AutoModelForCausalLM\n"
            f"m = AutoModelForCausalLM.from_pretrained(r'{path}').eval()\n"
            f"ids = torch.load(r'{tmp_path / 'ids.pt'}', weights_only=True)\n"
            "with torch.no_grad(): logits = m(ids).logits\n"
            f"torch.save(logits, r'{tmp_path / 'out.pt'}')\n"
            "print(type(m).__name__, m.lm_head.weight.data_ptr() == m.model.embed_tokens.weight.data_ptr())\n"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["GPTDemoForCausalLM", str(tie)]
        assert torch.equal(torch.load(tmp_path / "out.pt", weights_only=True), expected)
        assert json.loads((path / "config.json").read_text())["model_type"] == "gpt_demo"
    assert isinstance(AutoConfig.from_pretrained(path), GPTDemoConfig)
    assert isinstance(AutoModelForCausalLM.from_pretrained(path), GPTDemoForCausalLM)


def test_past_key_values_alias_still_works():
    model = make_model()
    ids = torch.randint(4, 101, (1, 6))
    with torch.no_grad():
        out = model(ids[:, :5], use_cache=True)
        a = model(ids[:, 5:], past_key_values=out.cache, use_cache=True).logits
        b = model(ids).logits[:, -1:]
    assert torch.allclose(a, b, atol=1e-5)


@pytest.mark.parametrize(
    "overrides, field",
    [
        (dict(hidden_size=30, num_attention_heads=4), "hidden_size"),
        (dict(num_attention_heads=4, num_key_value_heads=3), "num_key_value_heads"),
        (dict(num_hidden_layers=0), "num_hidden_layers"),
        (dict(vocab_size=-5), "vocab_size"),
        (dict(hidden_size=0), "hidden_size"),
        (dict(intermediate_size=2.5), "intermediate_size"),
        (dict(max_position_embeddings=0), "max_position_embeddings"),
        (dict(rms_norm_eps=0.0), "rms_norm_eps"),
        (dict(rope_theta=-1.0), "rope_theta"),
        (dict(head_dim=7), "head_dim"),
        (dict(pad_token_id=500), "pad_token_id"),
        (dict(hidden_act="gelu"), "hidden_act"),
        (dict(rope_parameters={"rope_type": "yarn", "factor": 4.0}), "rope_type"),
    ],
)
def test_impossible_config_raises_value_error_naming_the_field(overrides, field):
    with pytest.raises(ValueError, match=field) as info:
        GPTDemoConfig(**{**TINY, **overrides})
    assert "must be" in str(info.value)


def test_sequence_longer_than_max_positions_is_refused():
    model = make_model(max_position_embeddings=16)
    with pytest.raises(ValueError, match="max_position_embeddings"):
        model(torch.randint(4, 101, (1, 17)))


def test_registered_with_auto_classes():
    config = AutoConfig.for_model("gpt_demo", **TINY)
    assert isinstance(config, GPTDemoConfig)
    assert isinstance(AutoModelForCausalLM.from_config(config), GPTDemoForCausalLM)
