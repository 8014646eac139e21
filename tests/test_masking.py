import pytest
import torch

from gpt_demo.masking import attention_bias, causal_mask, combined_mask, pad_batch, padding_mask, position_ids

SEQS = [[5, 6, 7], [8], [9, 10, 11, 12, 13]]
PAD = 3


def test_pad_batch_right():
    ids, mask = pad_batch(SEQS, PAD, side="right")
    assert ids.tolist() == [[5, 6, 7, 3, 3], [8, 3, 3, 3, 3], [9, 10, 11, 12, 13]]
    assert mask.tolist() == [[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]]
    assert torch.equal(mask.bool(), padding_mask(ids, PAD))


def test_pad_batch_left():
    ids, mask = pad_batch(SEQS, PAD, side="left")
    assert ids.tolist() == [[3, 3, 5, 6, 7], [3, 3, 3, 3, 8], [9, 10, 11, 12, 13]]
    assert torch.equal(mask.bool(), padding_mask(ids, PAD))


def test_pad_batch_max_length_cuts_the_right_end():
    ids, _ = pad_batch(SEQS, PAD, side="right", max_length=2)
    assert ids.tolist() == [[5, 6], [8, 3], [9, 10]]
    ids, _ = pad_batch(SEQS, PAD, side="left", max_length=2)
    assert ids.tolist() == [[6, 7], [3, 8], [12, 13]]  # left padding keeps the end, next to the prediction


@pytest.mark.parametrize(
    "kwargs, message",
    [(dict(side="middle"), "side"), (dict(max_length=0), "max_length")],
)
def test_pad_batch_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pad_batch(SEQS, PAD, **kwargs)
    with pytest.raises(ValueError, match="at least one"):
        pad_batch([], PAD)


def test_causal_mask_is_lower_triangle_and_shifts_with_cache():
    assert torch.equal(causal_mask(4), torch.tril(torch.ones(4, 4, dtype=torch.bool)))
    # two new queries after three cached keys: query 0 is absolute position 3
    assert causal_mask(2, 5).tolist() == [[True, True, True, True, False], [True, True, True, True, True]]


def test_attention_bias_blocks_exactly_pads_and_future():
    ids, mask = pad_batch(SEQS, PAD, side="left")
    allowed = combined_mask(mask, ids.shape[1])  # (B, 1, T, T)
    bias = attention_bias(allowed, torch.float32)
    B, T = ids.shape
    for b in range(B):
        for i in range(T):
            for j in range(T):
                expect_open = j <= i and bool(mask[b, j])
                value = bias[b, 0, i, j].item()
                assert (value == 0.0) == expect_open
                if not expect_open:
                    assert value == torch.finfo(torch.float32).min


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_fully_masked_row_gives_no_nan(dtype):
    # Row 1 is all padding at the first positions: those queries see no real key at all.
    _, mask = pad_batch(SEQS, PAD, side="left")
    bias = attention_bias(combined_mask(mask, mask.shape[1]), dtype)
    scores = torch.randn(bias.shape, dtype=dtype) + bias
    weights = scores.float().softmax(-1)
    assert not torch.isnan(weights).any()
    # and the same scores with -inf would give NaN: the reason attention_bias avoids it
    inf_scores = torch.where(combined_mask(mask, mask.shape[1]), 0.0, float("-inf"))
    assert torch.isnan(inf_scores.softmax(-1)).any()


def test_position_ids_skip_left_pads():
    _, mask = pad_batch(SEQS, PAD, side="left")
    assert position_ids(mask).tolist() == [[0, 0, 0, 1, 2], [0, 0, 0, 0, 0], [0, 1, 2, 3, 4]]
    _, mask = pad_batch(SEQS, PAD, side="right")
    assert position_ids(mask)[0].tolist() == [0, 1, 2, 0, 0]
