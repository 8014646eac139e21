"""The model shapes the benchmarks time (GPTDemoConfig overrides), shared by every script in bench/."""

CONFIGS = {
    # the default GPTDemoConfig
    "default": dict(),
    # the bundled checkpoint's shape (scripts/build_bundled_checkpoint.sh): 6 layers, grouped-query attention
    "bundled": dict(vocab_size=4096, hidden_size=256, intermediate_size=688, num_hidden_layers=6,
                    num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                    tie_word_embeddings=True),
    # llama2.c's "stories15M": dim 288, 6 layers, 6 heads, vocab 32000, context 256
    "stories15M": dict(vocab_size=32000, hidden_size=288, intermediate_size=768, num_hidden_layers=6,
                       num_attention_heads=6, num_key_value_heads=6, max_position_embeddings=256,
                       tie_word_embeddings=True),
}
