# ruff: noqa: E501  (Hangul counts double in line width; these are prose strings)
"""Korean and English strings of the app.

Two kinds:

- ``UI``: static labels and explanations, handed to ``gr.I18n``; the browser picks Korean or English from its
  language (anything that is not Korean falls back to English). Keys are ``area_name``. These strings go through
  the frontend's ICU message formatter, so they must not contain curly braces.
- ``MESSAGES``: text built on the server (errors, warnings, results with numbers), formatted with ``str.format``
  and translated with ``msg(key, lang, ...)``; ``lang`` comes from the request's Accept-Language header
  (``lang_of``), the same signal the browser uses.

Explanations are written for this project (not copied from the course notes), and correct the notes' mistakes:
a higher top_p keeps MORE tokens; LoRA is a trainable low-rank update beside frozen weights, not compression;
the pad id is whatever the tokenizer defines; ``torch.where`` broadcasts its three arguments.
"""

from __future__ import annotations

LANGS = ("ko", "en")

# Tab titles: Korean first, then English, in both languages (learners know both names).
TAB_TITLES = {
    "tokenizer": "토큰화 · Tokenizer",
    "masking": "패딩 · 마스크 · Padding & masks",
    "generate": "생성 · Generation (top-p)",
    "checkpoints": "체크포인트 · LoRA",
    "precision": "정밀도 · 장치 · Precision & device",
}

UI: dict[str, dict[str, str]] = {"ko": {}, "en": {}}


def _add(key: str, ko: str, en: str) -> None:
    if "{" in ko + en or "}" in ko + en:
        raise ValueError(f"i18n string {key!r} contains a curly brace (the frontend would read it as a placeholder)")
    UI["ko"][key] = ko
    UI["en"][key] = en


# --- the page ------------------------------------------------------------------------------------------------
_add("app_intro",
     "# gpt_demo · GPT 속을 직접 들여다보기\n"
     "작은 한국어·영어 GPT를 실제로 실행하면서 토큰화, 패딩과 마스크, top-p 생성, 체크포인트와 LoRA, 정밀도를 "
     "확인합니다. 모든 결과는 미리 준비된 값이 아니라 라이브러리 `gpt_demo`가 지금 계산한 값입니다.",
     "# gpt_demo · look inside a GPT\n"
     "Run a small Korean and English GPT and watch tokenization, padding and masks, top-p generation, checkpoints "
     "and LoRA, and precision at work. Every result is computed now by the `gpt_demo` library, nothing is canned.")
_add("code_label", "실행되는 코드", "The code that runs")
_add("json_label", "결과 (JSON)", "Result (JSON)")

# --- tab 1: tokenizer ----------------------------------------------------------------------------------------
_add("tok_explain",
     "**SentencePiece**는 띄어쓰기로 나누지 않은 원문에서 바로 부분 단어(subword) 사전을 배웁니다 (BPE 또는 unigram). "
     "공백은 `▁` 기호로 바뀌어 조각의 일부가 되므로, 토큰을 다시 이어 붙이면 원문이 그대로 복원됩니다 "
     "(decode(encode(text)) == text). 사전에 없는 드문 글자는 `<unk>`가 되지 않고 UTF-8 바이트 조각(`<0xEB>` 같은)으로 "
     "쪼개집니다: 이것이 **byte fallback**입니다. 한글 한 글자는 3바이트이므로 바이트 조각 3개가 됩니다. "
     "아래 칩의 숫자가 모델이 실제로 보는 토큰 id입니다.",
     "**SentencePiece** learns a subword vocabulary (BPE or unigram) directly from raw text, without splitting on "
     "spaces first. A space becomes the symbol `▁` inside the pieces, so joining the tokens gives the original text "
     "back exactly (decode(encode(text)) == text). A rare character that is not in the vocabulary does not become "
     "`<unk>`: it is spelled as UTF-8 byte pieces such as `<0xEB>`; this is **byte fallback**. A Hangul syllable is "
     "3 bytes, so it becomes 3 byte pieces. The numbers on the chips are the token ids the model actually sees.")
_add("tok_text", "텍스트", "Text")
_add("tok_run", "토큰화하기", "Tokenize")
_add("tok_chips", "토큰: 조각과 id (점선 = 바이트 조각)", "Tokens: pieces and ids (dashed = byte pieces)")
_add("tok_stats", "개수와 복원 확인", "Counts and round trip")
_add("tok_train_title",
     "### 나만의 토크나이저 학습하기\n붙여 넣은 글로 작은 SentencePiece 모델을 학습하고, 위의 텍스트를 체크포인트의 "
     "토크나이저와 나란히 비교합니다. 사전이 작을수록 토큰이 잘게 쪼개집니다.",
     "### Train your own tokenizer\nTrain a small SentencePiece model on pasted text and compare it with the "
     "checkpoint's tokenizer on the text above. A smaller vocabulary cuts the text into more, shorter tokens.")
_add("tok_train_text", "학습할 글 (최대 200,000자)", "Training text (at most 200,000 characters)")
_add("tok_vocab", "사전 크기 (vocab size)", "Vocabulary size")
_add("tok_model_type", "알고리즘", "Algorithm")
_add("tok_train_run", "학습하고 비교하기", "Train and compare")
_add("tok_ckpt_side", "체크포인트의 토크나이저", "The checkpoint's tokenizer")
_add("tok_new_side", "방금 학습한 토크나이저", "The tokenizer you just trained")

# --- tab 2: padding & masks ----------------------------------------------------------------------------------
_add("pad_explain",
     "문장마다 길이가 달라서 배치(batch)로 묶으려면 짧은 문장을 **패딩 토큰**으로 채웁니다. 패딩 id는 0이라고 정해진 것이 "
     "아니라 **토크나이저가 정한 값**입니다 (이 모델은 `<pad>` = 3, id 0은 `<unk>`). 그래서 마스크는 "
     "`input_ids != pad_id`로 토크나이저의 pad id에서 만듭니다. 인과(causal) 마스크는 각 위치가 자기와 앞쪽만 보게 하고, "
     "두 마스크를 AND로 합친 뒤 `torch.where(mask, 0, -inf)`로 어텐션 점수에 더할 값을 만듭니다: -inf가 더해진 자리는 "
     "softmax 뒤 가중치가 0이 됩니다. 왼쪽 패딩에서는 위치 id를 `cumsum - 1`로 계산해 패딩을 건너뜁니다. 길이는 단어가 아니라 "
     "토큰 수로 셉니다: 이 토크나이저에서는 강의의 두 문장이 모두 7토큰입니다.",
     "Sentences have different lengths, so to stack them into one batch the short ones are filled with a **pad "
     "token**. The pad id is not fixed at 0: it is **whatever the tokenizer defines** (here `<pad>` = 3; id 0 is "
     "`<unk>`), so the mask is built from the tokenizer's pad id: `input_ids != pad_id`. The causal mask lets each "
     "position see itself and earlier positions only; the two are combined with AND and turned into numbers added to "
     "the attention scores with `torch.where(mask, 0, -inf)`: a score plus -inf gets weight 0 after the softmax. "
     "Under left padding the position ids are `cumsum - 1`, so they skip the pads. Lengths are counted in tokens, "
     "not words: with this tokenizer both course sentences are 7 tokens long.")
_add("pad_sentences", "문장 (한 줄에 하나)", "Sentences (one per line)")
_add("pad_side", "패딩 방향", "Padding side")
_add("pad_left", "왼쪽 (생성할 때)", "left (for generation)")
_add("pad_right", "오른쪽 (학습할 때)", "right (for training)")
_add("pad_maxlen", "최대 길이 (0 = 가장 긴 문장)", "Max length (0 = the longest sentence)")
_add("pad_run", "패딩과 마스크 만들기", "Build padding and masks")
_add("pad_ids", "1. input_ids = torch.full((B, T), pad_id) 뒤 토큰 복사", "1. input_ids: torch.full((B, T), pad_id), then the tokens")
_add("pad_mask", "2. mask = input_ids != pad_id", "2. mask = input_ids != pad_id")
_add("pad_pos", "6. position_ids (패딩 건너뛰기)", "6. position_ids (pads skipped)")
_add("pad_tokens", "토큰 조각", "Token pieces")
_add("pad_heatmap", "3–5. 인과 마스크, 합친 마스크, 더할 값 (선택한 문장)",
     "3–5. causal mask, combined mask, additive bias (chosen sentence)")
_add("pad_proof", "증명: 마스크가 패딩을 무해하게 만드는가?", "Proof: does the mask make padding harmless?")
_add("pad_attn_title", "### 실제 어텐션 가중치", "### Real attention weights")
_add("pad_sentence", "문장 번호", "Sentence")
_add("pad_layer", "층 (layer)", "Layer")
_add("pad_head", "헤드 (head)", "Head")
_add("pad_attn_run", "어텐션 보기", "Show attention")
_add("pad_attn_plot", "어텐션 가중치 (행 = 질의 위치, 열 = 키 위치)", "Attention weights (row = query, column = key)")
_add("where_title",
     "### torch.where 놀이터\n`torch.where(condition, x, y)`는 condition이 True인 자리에서 x, False인 자리에서 y를 "
     "고릅니다. 세 인자의 모양이 같을 필요는 없습니다: **브로드캐스팅**되므로 y에 `0` 하나만 써도 됩니다.",
     "### torch.where playground\n`torch.where(condition, x, y)` takes x where condition is True and y where it is "
     "False. The three need not have the same shape: they are **broadcast** together, so y can be a single `0`.")
_add("where_cond", "condition", "condition")
_add("where_x", "x", "x")
_add("where_y", "y", "y")
_add("where_run", "torch.where 실행", "Run torch.where")
_add("where_result", "결과", "Result")

# --- tab 3: generation ---------------------------------------------------------------------------------------
_add("gen_explain",
     "모델은 매 단계 다음 토큰의 확률 분포를 냅니다. **temperature**로 분포를 날카롭게(< 1) 또는 평평하게(> 1) 만들고, "
     "**top-k**는 확률이 높은 k개만 남깁니다. **top-p**(nucleus)는 확률이 높은 토큰부터 더해서 합이 top_p 이상이 되는 "
     "**가장 작은 집합**만 남기고 그 안에서 뽑습니다. 그래서 **top_p가 클수록 더 많은 후보가 남고** (더 다양한 글), "
     "작을수록 적게 남습니다 (더 예측 가능한 글). 예를 들어 top_p = 0.95는 상위 5%가 아니라, 누적 확률 95%를 채울 때까지의 "
     "토큰을 모두 남깁니다. top_p = 1은 모든 토큰을 남깁니다. **temperature 0은 greedy**: 항상 가장 확률이 높은 토큰을 "
     "고르므로 top-k, top-p, seed가 결과를 바꾸지 않습니다.",
     "At every step the model gives a probability distribution over the next token. **temperature** sharpens (< 1) "
     "or flattens (> 1) it; **top-k** keeps the k most likely tokens; **top-p (nucleus)** keeps the **smallest set** "
     "of most likely tokens whose probabilities add up to at least top_p, and samples inside it. So **a higher top_p "
     "keeps more candidates** (more varied text) and a lower one fewer (more predictable text). top_p = 0.95 does "
     "not mean the top 5%: it keeps every token needed to reach 95% of the probability. top_p = 1 keeps all tokens. "
     "**temperature 0 is greedy**: always the most likely token, so top-k, top-p and the seed change nothing.")
_add("gen_prompt", "프롬프트", "Prompt")
_add("gen_max_new", "새 토큰 수 (max new tokens)", "Max new tokens")
_add("gen_temperature", "temperature (0 = greedy)", "temperature (0 = greedy)")
_add("gen_top_k", "top-k (0 = 끔)", "top-k (0 = off)")
_add("gen_top_p", "top-p (클수록 후보가 많음)", "top-p (higher keeps more candidates)")
_add("gen_seed", "seed", "seed")
_add("gen_run", "생성하기", "Generate")
_add("gen_stop", "멈추기", "Stop")
_add("gen_next_run", "다음 토큰 분포만 보기", "Next-token distribution only")
_add("gen_output", "생성된 글 (프롬프트 포함)", "Generated text (prompt included)")
_add("gen_tokens", "생성된 토큰 (진할수록 확률이 높음)", "Generated tokens (darker = more likely)")
_add("gen_step", "단계", "Step")
_add("gen_chart", "이 단계의 후보 토큰과 nucleus", "Candidates and the nucleus at this step")
_add("gen_compare_title",
     "### 같은 seed, 다른 top-p\n같은 프롬프트와 seed로 top-p만 바꿔 생성합니다. 평균 nucleus 크기는 top_p가 클수록 커집니다.",
     "### One seed, several top-p values\nThe same prompt and seed, only top-p changes. The mean nucleus size grows "
     "with top_p.")
_add("gen_compare_values", "top-p 값들 (쉼표로 구분)", "top-p values (comma separated)")
_add("gen_compare_run", "나란히 생성하기", "Generate side by side")

# --- tab 4: checkpoints & LoRA -------------------------------------------------------------------------------
_add("ckpt_explain",
     "**소스 코드**와 **가중치**는 따로 공개됩니다. 코드(`modeling_gpt_demo.py`)는 계산 방법이고, 체크포인트 폴더는 "
     "`config.json`(크기 설정)과 `model.safetensors`(학습된 숫자들), 토크나이저, 모델 카드입니다. 같은 코드로 다른 "
     "가중치를 불러오면 다른 모델이 됩니다.\n\n"
     "**LoRA**는 압축이 아니라 **적은 파라미터로 미세조정하는 방법**입니다. 원래 가중치 W는 얼려 두고(학습하지 않음), "
     "선택한 선형 층 옆에 작은 두 행렬의 곱 **ΔW = B·A·(alpha/r)** 을 학습합니다. 병합(merge)하면 W + ΔW가 되어 "
     "모델 크기는 원래 모델과 **정확히 같습니다**.",
     "**Source code** and **weights** are released separately. The code (`modeling_gpt_demo.py`) says how to compute; "
     "a checkpoint folder holds `config.json` (the sizes), `model.safetensors` (the learned numbers), the tokenizer and "
     "a model card. The same code with other weights is another model.\n\n"
     "**LoRA** is **parameter-efficient fine-tuning, not compression**. The base weights W stay frozen; beside chosen "
     "linear layers a trainable low-rank update **ΔW = B·A·(alpha/r)** is learned. After merging, W + ΔW has "
     "**exactly the base model's size**.")
_add("ckpt_choice", "체크포인트", "Checkpoint")
_add("ckpt_load", "불러오기", "Load")
_add("ckpt_refresh", "목록 새로고침", "Refresh list")
_add("ckpt_hub", "Hugging Face Hub 저장소 (owner/name)", "Hugging Face Hub repo (owner/name)")
_add("ckpt_hub_off", "꺼져 있음: python app.py --allow-hub 로 켭니다", "Off: turn it on with python app.py --allow-hub")
_add("ckpt_download", "받아서 불러오기", "Download and load")
_add("ckpt_config", "config.json", "config.json")
_add("ckpt_card", "모델 카드 (README.md)", "Model card (README.md)")
_add("ckpt_info", "파라미터와 파일", "Parameters and files")
_add("adapter_title", "### LoRA 어댑터", "### LoRA adapters")
_add("adapter_choice", "어댑터", "Adapter")
_add("adapter_apply", "어댑터 적용", "Apply adapter")
_add("adapter_merge", "병합하고 차이 재기", "Merge and measure the difference")
_add("adapter_prompt", "비교할 프롬프트", "Prompt to compare")
_add("adapter_base_out", "기본 모델의 답", "Base model's answer")
_add("adapter_out", "어댑터를 붙인 모델의 답", "Adapted model's answer")
_add("adapter_result", "결과", "Result")

# --- tab 5: precision & device -------------------------------------------------------------------------------
_add("prec_explain",
     "같은 모델을 fp32, fp16, bf16으로 실행해 봅니다. **fp16**은 16비트로 범위가 좁아 65504보다 큰 수는 inf가 되고 아주 작은 "
     "수는 0이 됩니다. **bf16**은 fp32와 범위가 같아 넘치지 않지만 유효 숫자가 더 적습니다. GPU에서는 반정밀도가 메모리를 "
     "절반으로 줄이고 빠르지만, CPU에서는 대개 느립니다. 로짓 차이가 작아도 greedy 출력이 바뀔 수 있는지 확인해 보세요.",
     "Run the same model in fp32, fp16 and bf16. **fp16** has 16 bits and a narrow range: numbers above 65504 become "
     "inf and very small ones become 0. **bf16** has fp32's range, so it does not overflow, but keeps fewer digits. On "
     "a GPU half precision halves the memory and is fast; on a CPU it is usually slower. Check whether small logit "
     "differences change the greedy output.")
_add("prec_facts", "이 장치", "This machine")
_add("prec_finfo", "torch.finfo", "torch.finfo")
_add("prec_demos", "fp16 넘침·사라짐 예시", "fp16 overflow and underflow examples")
_add("prec_dtypes", "정밀도", "Precisions")
_add("prec_device", "장치", "Device")
_add("prec_prompt", "프롬프트", "Prompt")
_add("prec_tokens", "생성할 토큰 수", "Tokens to generate")
_add("prec_run", "정밀도 비교하기", "Compare precisions")
_add("prec_table", "비교 결과", "Comparison")


# --- messages built on the server ----------------------------------------------------------------------------
MESSAGES: dict[str, dict[str, str]] = {
    "title_error": {"ko": "입력을 확인해 주세요", "en": "Please check the input"},
    "title_internal": {"ko": "오류", "en": "Error"},
    "internal": {"ko": "예상하지 못한 오류가 났습니다 ({kind}). 입력을 바꿔 다시 시도해 주세요.",
                 "en": "Something unexpected went wrong ({kind}). Change the input and try again."},
    "value": {"ko": "입력 값 문제: {detail}", "en": "Input problem: {detail}"},
    "empty": {"ko": "{what} 비어 있습니다. 글자를 입력해 주세요.", "en": "The {what} is empty: type some text first."},
    "whitespace": {"ko": "{what} 공백뿐입니다. 글자를 입력해 주세요.",
                   "en": "The {what} holds only whitespace: type some text."},
    "whitespace_tok": {"ko": "공백만 있는 텍스트입니다. SentencePiece는 공백도 `▁` 조각으로 바꾸므로 그대로 보여 줍니다.",
                       "en": "The text is only whitespace. SentencePiece turns spaces into `▁` pieces too, so here "
                             "they are."},
    "too_long": {"ko": "{what} 너무 깁니다: {n:,}자 (최대 {limit:,}자). 줄여서 다시 시도해 주세요.",
                 "en": "The {what} is too long: {n:,} characters (at most {limit:,}). Shorten it and try again."},
    # the subject of "empty"/"whitespace"/"too_long", with its Korean subject particle
    "what_text": {"ko": "텍스트가", "en": "text"},
    "what_prompt": {"ko": "프롬프트가", "en": "prompt"},
    "what_sentences": {"ko": "문장 목록이", "en": "sentence list"},
    "what_training": {"ko": "학습할 글이", "en": "training text"},
    "top_p": {"ko": "top_p는 0보다 크고 1 이하여야 합니다 (받은 값: {value}). top_p가 클수록 더 많은 후보 토큰이 남고, "
                    "1이면 모든 토큰이 남습니다.",
              "en": "top_p must be greater than 0 and at most 1 (got {value}). A higher top_p keeps more candidate "
                    "tokens; 1 keeps them all."},
    "temperature": {"ko": "temperature는 0 이상이어야 합니다 (받은 값: {value}). 0은 greedy 디코딩입니다.",
                    "en": "temperature must be 0 or more (got {value}); 0 means greedy decoding."},
    "greedy": {"ko": "temperature 0 = greedy 디코딩: 매 단계 가장 확률이 높은 토큰을 고릅니다. top-k, top-p, seed는 결과를 "
                     "바꾸지 않습니다.",
               "en": "temperature 0 = greedy decoding: the most likely token at every step. top-k, top-p and the seed "
                     "change nothing."},
    "top_k": {"ko": "top_k는 0 이상의 정수여야 합니다 (받은 값: {value}). 0은 top-k를 끕니다.",
              "en": "top_k must be a whole number >= 0 (got {value}); 0 turns top-k off."},
    "max_new_positive": {"ko": "새 토큰 수는 1 이상이어야 합니다 (받은 값: {value}).",
                         "en": "max new tokens must be at least 1 (got {value})."},
    "context": {"ko": "프롬프트 {prompt}토큰 + 새 토큰 {new}개 = {total}토큰으로 모델의 문맥 길이 {context}토큰을 넘습니다. "
                      "새 토큰을 {room}개 이하로 줄여 주세요.",
                "en": "prompt {prompt} tokens + {new} new tokens = {total} exceeds the model's context of {context} "
                      "tokens. Use at most {room} new tokens."},
    "number": {"ko": "0 이상의 정수를 넣어 주세요 (받은 값: {value}).", "en": "Use a whole number >= 0 (got {value})."},
    "seed": {"ko": "seed는 0 이상의 정수여야 합니다 (받은 값: {value}).",
             "en": "seed must be a whole number >= 0 (got {value})."},
    "only_pad_prompt": {"ko": "프롬프트가 패딩 토큰(id {pad_id})뿐입니다. 실제 글자를 입력해 주세요.",
                        "en": "The prompt is only pad tokens (id {pad_id}): type real text."},
    "only_pad": {"ko": "{k}번째 문장은 패딩 토큰 `{pad}`(id {pad_id})만으로 되어 있습니다. 마스크가 모두 False라 볼 토큰이 "
                       "없습니다. 실제 글자를 넣어 주세요.",
                 "en": "Sentence {k} is only pad tokens `{pad}` (id {pad_id}): its mask is all False, so there is "
                       "nothing to attend to. Put real text in it."},
    "pad_inside": {"ko": "{k}번째 문장에 패딩 토큰 `{pad}`이(가) 글자로 들어 있습니다. mask = ids != pad_id 이므로 그 자리도 "
                         "패딩으로 취급됩니다.",
                   "en": "Sentence {k} contains the pad token `{pad}` as text. Since mask = ids != pad_id, those "
                         "positions are treated as padding too."},
    "too_many_sentences": {"ko": "문장이 {n}개입니다. 최대 {limit}개까지 받습니다.",
                           "en": "{n} sentences: at most {limit} are accepted."},
    "truncated": {"ko": "긴 문장은 {limit}토큰으로 잘랐습니다.", "en": "Long sentences were cut to {limit} tokens."},
    "no_checkpoint": {"ko": "체크포인트 `{name}`이(가) 없습니다 (폴더: {folder}). 사용할 수 있는 것: {available}.",
                      "en": "There is no checkpoint `{name}` (folder: {folder}). Available: {available}."},
    "bad_checkpoint_name": {"ko": "체크포인트 이름 `{name}`은(는) 받을 수 없습니다: checkpoints 폴더 안의 이름만 쓸 수 있고 "
                                  "`/`나 `..`는 허용되지 않습니다.",
                            "en": "The checkpoint name `{name}` is refused: only names of folders inside the "
                                  "checkpoints folder are accepted, with no `/` or `..`."},
    "bad_checkpoint": {"ko": "체크포인트 `{name}`을(를) 불러올 수 없습니다: {detail}",
                       "en": "Cannot load checkpoint `{name}`: {detail}"},
    "hub_disabled": {"ko": "Hub 다운로드가 꺼져 있습니다. 서버를 `python app.py --allow-hub`(또는 GPT_DEMO_ALLOW_HUB=1)로 시작하면 켜집니다.",
                     "en": "Hub downloads are off. Start the server with `python app.py --allow-hub` (or "
                           "GPT_DEMO_ALLOW_HUB=1) to turn them on."},
    "bad_repo_id": {"ko": "Hub 저장소 이름 `{repo}`은(는) 받을 수 없습니다: `owner/name` 형식이어야 합니다.",
                    "en": "The Hub repo id `{repo}` is refused: it must look like `owner/name`."},
    "hub_not_found": {"ko": "Hub에 `{repo}` 저장소가 없습니다 (이름을 확인하세요. 비공개 저장소는 로그인이 필요합니다).",
                      "en": "There is no repo `{repo}` on the Hub (check the spelling; private repos need a login)."},
    "hub_unavailable": {"ko": "Hub에서 `{repo}`을(를) 받을 수 없습니다: {detail}",
                        "en": "Cannot download `{repo}` from the Hub: {detail}"},
    "none_available": {"ko": "없음", "en": "none"},
    "dtype_unsupported": {"ko": "{dtype}은(는) 이 장치({device})에서 실행할 수 없습니다: {reason}",
                          "en": "{dtype} cannot run on this device ({device}): {reason}"},
    "dtype_none": {"ko": "정밀도를 하나 이상 고르세요.", "en": "Choose at least one precision."},
    "cpu_half": {"ko": "CPU에서 fp16/bf16은 메모리는 절반이지만 대개 fp32보다 느립니다 (반정밀도 전용 연산 장치가 없음).",
                 "en": "On a CPU fp16/bf16 halve the memory but are usually slower than fp32 (no half-precision units)."},
    "no_lora": {"ko": "LoRA 모듈(gpt_demo.lora)이 아직 없습니다. 체크포인트 부분만 사용할 수 있습니다.",
                "en": "The LoRA module (gpt_demo.lora) is not available yet; only the checkpoint half works."},
    "no_adapter": {"ko": "어댑터를 먼저 고르세요. 사용할 수 있는 어댑터: {available}",
                   "en": "Choose an adapter first. Available adapters: {available}"},
    "bad_adapter": {"ko": "어댑터 `{adapter}`을(를) 이 모델에 붙일 수 없습니다 (다른 기본 모델용이거나 손상됨): {detail}",
                    "en": "The adapter `{adapter}` cannot be used with this model (made for another base, or "
                          "damaged): {detail}"},
    "adapter_needed": {"ko": "병합하려면 먼저 어댑터를 적용하세요.", "en": "Apply an adapter first, then merge."},
    "where": {"ko": "torch.where 입력 문제: {detail}", "en": "torch.where input problem: {detail}"},
    "vocab": {"ko": "사전 크기는 {low}에서 {high} 사이여야 합니다 (받은 값: {value}).",
              "en": "The vocabulary size must be between {low} and {high} (got {value})."},
    "top_p_list": {"ko": "top-p 값을 쉼표로 구분해 1~6개 적어 주세요 (예: 0.5, 0.9, 0.95, 1.0).",
                   "en": "Write 1 to 6 top-p values separated by commas (e.g. 0.5, 0.9, 0.95, 1.0)."},
    # results
    "tok_stats": {"ko": "**{chars}자 → {tokens}토큰** (글자당 {ratio} 토큰) · 바이트 조각 {bytes}개 · {roundtrip}",
                  "en": "**{chars} characters → {tokens} tokens** ({ratio} tokens per character) · {bytes} byte "
                        "pieces · {roundtrip}"},
    "roundtrip_ok": {"ko": "복원 확인: decode(encode(text)) == text ✓", "en": "round trip: decode(encode(text)) == text ✓"},
    "roundtrip_bad": {"ko": "복원 결과가 원문과 다릅니다 ✗", "en": "the round trip differs from the text ✗"},
    "trained": {"ko": "{model_type} 토크나이저 학습 완료: 사전 {vocab}개, {seconds:.2f}초.",
                "en": "Trained a {model_type} tokenizer: {vocab} pieces in {seconds:.2f} s."},
    "proof": {"ko": "- 마스크 **있음** (패딩된 배치 vs 문장 하나씩): 실제 토큰 로짓의 최대 절대 차이 = **{with_mask:.2e}** "
                    "(부동소수점 반올림 수준)\n"
                    "- 마스크 **없음** (같은 배치, 마스크만 뺌): 최대 절대 차이 = **{without_mask:.2e}**\n\n{why}",
              "en": "- **with** the mask (padded batch vs each sentence alone): max abs diff of the real tokens' "
                    "logits = **{with_mask:.2e}** (float rounding)\n"
                    "- **without** the mask (same batch, mask removed): max abs diff = **{without_mask:.2e}**\n\n{why}"},
    "proof_left": {"ko": "왼쪽 패딩에서는 패딩이 실제 토큰 **앞**에 있어서, 마스크가 없으면 실제 토큰이 패딩을 보고 결과가 "
                         "달라집니다.",
                   "en": "Under left padding the pads sit **before** the real tokens: without the mask the real tokens "
                         "attend to them and the logits change."},
    "proof_right": {"ko": "오른쪽 패딩에서는 패딩이 모든 실제 토큰 **뒤**에 있어서 인과 마스크만으로도 가려집니다. 그래서 "
                          "마스크를 빼도 실제 토큰의 로짓은 같습니다 (패딩 위치의 출력만 달라지고, 그것은 쓰지 않습니다). "
                          "왼쪽 패딩으로 바꿔 보세요.",
                    "en": "Under right padding the pads come **after** every real token, so the causal mask alone "
                          "hides them: removing the padding mask leaves the real tokens' logits unchanged (only the "
                          "unused pad positions change). Switch to left padding."},
    "proof_same": {"ko": "모든 문장의 길이가 같아 패딩이 없습니다. 길이가 다른 문장을 넣어 보세요.",
                   "en": "All sentences have the same length, so there is no padding. Try sentences of different "
                         "lengths."},
    "gen_status": {"ko": "{n}개 토큰 생성{stopped} · {mode}", "en": "{n} tokens generated{stopped} · {mode}"},
    "gen_eos": {"ko": " (</s>에서 끝남)", "en": " (ended at </s>)"},
    "mode_greedy": {"ko": "greedy (temperature 0): 매 단계 가장 확률이 높은 토큰, top-k·top-p·seed는 영향 없음",
                    "en": "greedy (temperature 0): the most likely token at every step; top-k, top-p and seed have "
                          "no effect"},
    "mode_sample": {"ko": "샘플링: temperature {t}, top-k {k}, top-p {p}, seed {seed}",
                    "en": "sampling: temperature {t}, top-k {k}, top-p {p}, seed {seed}"},
    "step_caption": {"ko": "{step}단계: `{piece}` 선택 (확률 {prob:.3f}) · nucleus {size}개 토큰, 확률 합 {mass:.3f} "
                           "(top_p = {top_p})",
                     "en": "step {step}: chose `{piece}` (probability {prob:.3f}) · nucleus {size} tokens, total "
                           "probability {mass:.3f} (top_p = {top_p})"},
    "loaded": {"ko": "`{name}` 불러옴: 파라미터 {params:,}개, {device} / {dtype}",
               "en": "Loaded `{name}`: {params:,} parameters, {device} / {dtype}"},
    "params": {"ko": "전체 파라미터 {total:,}개 · 학습 가능(LoRA) {trainable:,}개 ({pct:.3f}%)",
               "en": "{total:,} parameters in total · {trainable:,} trainable under LoRA ({pct:.3f}%)"},
    "merged": {"ko": "병합 완료: 병합 전과 후 로짓의 최대 절대 차이 = **{diff:.2e}**. 병합된 모델의 파라미터 수는 {params:,}개로 "
                     "기본 모델({base:,}개)과 같습니다.",
               "en": "Merged: max abs diff of the logits, merged vs unmerged = **{diff:.2e}**. The merged model has "
                     "{params:,} parameters, the same as the base model ({base:,})."},
    "session": {"ko": "지금 이 세션의 모델: **{name}**", "en": "This session's model: **{name}**"},
    "no_card": {"ko": "(모델 카드가 없습니다)", "en": "(no model card)"},
}


# Korean notes for gpt_demo.precision.overflow_demos(), keyed by the expression (the library's notes are English).
DEMO_NOTES_KO = {
    "70000.0": "넘침(overflow): fp16의 가장 큰 수는 65504",
    "300.0 * 300.0": "곱셈 결과가 넘침",
    "1e-8": "사라짐(underflow): 너무 작아서 0이 됨",
    "1.0 + 0.0001": "반올림: 1.0 다음 수와의 간격이 eps",
    "2049.0 + 1.0": "fp16은 2048보다 큰 정수를 모두 나타내지 못함",
    "exp(12.0)": "fp16에서 exp가 넘침 (그래서 softmax는 먼저 최댓값을 뺌)",
    "softmax([10000, 0])": "큰 로짓의 softmax도 괜찮음: 최댓값을 빼고 계산하기 때문",
}


def lang_of(request) -> str:
    """"ko" if the request's Accept-Language starts with Korean, else "en" (also when there is no request)."""
    headers = getattr(request, "headers", None)
    if headers is None:
        return "en"
    try:
        value = headers.get("accept-language") or ""
    except AttributeError:
        return "en"
    first = value.split(",")[0].strip().lower()
    return "ko" if first.startswith("ko") else "en"


def msg(key: str, lang: str = "en", **values) -> str:
    """The server-side message ``key`` in ``lang`` (falls back to English), formatted with ``values``."""
    table = MESSAGES[key]
    return table.get(lang, table["en"]).format(**values)


def gr_i18n():
    """The ``gr.I18n`` object for ``launch(i18n=...)`` and for the labels (imported lazily: gradio is heavy)."""
    import gradio as gr

    return gr.I18n(**UI)


# --- tab 6: training (tab_train) -----------------------------------------------------------------------------
TAB_TITLES["train"] = "학습 · Train"

_add("train_explain",
     "**나만의 GPT 학습하기.** 글을 붙여 넣거나 UTF-8 `.txt` 파일(최대 2 MB)을 올리고 학습을 누르세요. 먼저 그 글로 "
     "SentencePiece 토크나이저를 학습하고, 그다음 작은 GPT를 처음부터 학습합니다. 글의 마지막 10%는 **검증용**으로 떼어 두어 "
     "학습에 쓰지 않습니다: 검증 손실이 학습 손실과 함께 내려가면 외우는 것이 아니라 일반화하고 있다는 뜻입니다. 몇 단계마다 "
     "같은 프롬프트와 같은 seed로 이어 쓰기를 하므로, 바뀌는 것은 모델뿐입니다: 처음의 뒤죽박죽 글자가 점점 여러분의 글처럼 "
     "바뀝니다. 학습이 끝나거나 멈추면 그 모델이 **이 세션의** 다른 탭(토큰화, 마스크, 생성)에서 쓰이고, zip으로 받을 수 "
     "있습니다. 서버 하나를 여럿이 나눠 쓰므로 동시에 돌아가는 학습 수와 한 번의 학습 시간에 제한이 있고, 기다리는 동안 대기 "
     "순번이 보입니다.",
     "**Train your own GPT.** Paste text or upload a UTF-8 `.txt` file (at most 2 MB) and press Train. A SentencePiece "
     "tokenizer is trained on your text first, then a small GPT from scratch. The last 10% of the text is held out for "
     "**validation** and never trained on: when the validation loss falls with the training loss, the model "
     "generalises instead of memorising. Every few steps the same prompt is continued with the same seed, so only the "
     "model changes between samples: watch gibberish turn into text shaped like yours. When training ends or is "
     "stopped, the model becomes **this session's** model in the other tabs (tokenizer, masks, generation) and can be "
     "downloaded as a zip. One server is shared by many learners: the number of jobs running at once and the length "
     "of one run are limited, and a waiting job shows its place in the queue.")
_add("train_scratch_tab", "처음부터 학습", "From scratch")
_add("train_lora_tab", "LoRA 미세조정", "LoRA fine-tuning")
_add("train_text", "학습할 글", "Training text")
_add("train_upload", "또는 .txt 파일 (UTF-8, 최대 2 MB)", "or a .txt file (UTF-8, at most 2 MB)")
_add("train_example", "예시 글 넣기 (이 프로젝트의 말뭉치)", "Use an example text (this project's corpus)")
_add("train_preset", "프리셋", "Preset")
_add("train_advanced", "고급 설정", "Advanced settings")
_add("field_layers", "층 수 (layers)", "Layers")
_add("field_hidden", "은닉 크기 (hidden size)", "Hidden size")
_add("field_heads", "어텐션 헤드 수", "Attention heads")
_add("field_context", "문맥 길이 (context)", "Context length")
_add("field_vocab", "사전 크기 (vocab size)", "Vocabulary size")
_add("field_steps", "학습 단계 수 (steps)", "Training steps")
_add("field_lr", "학습률 (learning rate)", "Learning rate")
_add("train_prompt", "샘플 프롬프트 (비우면 글의 첫 단어들)", "Sample prompt (empty: the first words of the text)")
_add("train_run", "학습 시작", "Train")
_add("train_stop", "멈추기", "Stop")
_add("train_resume", "이어서 학습", "Resume")
_add("train_chart", "손실 (낮을수록 좋음): 학습 vs 검증", "Loss (lower is better): training vs validation")
_add("train_samples", "학습 중 샘플 (최신이 위)", "Samples while training (newest first)")
_add("train_download", "학습한 모델 (zip: config, safetensors, 토크나이저, 모델 카드)",
     "Trained model (zip: config, safetensors, tokenizer, model card)")
_add("lora_explain",
     "**LoRA 미세조정.** 지금 이 세션의 모델을 질문/답 몇 쌍으로 미세조정합니다. 원래 가중치는 얼려 두고 q_proj, v_proj 옆의 "
     "작은 행렬 B·A만 학습한 뒤 **병합**합니다 (W + B·A·alpha/r). 학습에 쓰지 않은 질문 하나로 학습 전과 후의 답을 비교합니다. "
     "표에 직접 쓰거나 Alpaca JSON 파일(`instruction`, `input`, `output`)을 올리세요.",
     "**LoRA fine-tuning.** Fine-tune this session's model on a few question/answer pairs. The base weights stay "
     "frozen; only the small matrices B·A beside q_proj and v_proj are trained, then **merged** (W + B·A·alpha/r). "
     "One question that is not in the training pairs shows the answer before and after. Type pairs into the table "
     "or upload an Alpaca JSON file (`instruction`, `input`, `output`).")
_add("lora_table", "질문과 답", "Questions and answers")
_add("lora_upload", "또는 Alpaca JSON 파일", "or an Alpaca JSON file")
_add("lora_question", "학습에 쓰지 않은 질문 (전후 비교)", "Held-out question (before/after)")
_add("lora_steps", "학습 단계 수", "Training steps")
_add("lora_lr", "학습률", "Learning rate")
_add("lora_run", "LoRA 학습하고 병합하기", "Train LoRA and merge")
_add("lora_chart", "LoRA 손실 (답 토큰만)", "LoRA loss (answer tokens only)")
_add("lora_before", "학습 전 답", "Answer before")
_add("lora_after", "학습 후 답 (병합된 모델)", "Answer after (merged model)")

MESSAGES.update({
    # bad input (gpt_demo.jobs.InputError keys)
    "setting_type": {"ko": "{field}에는 숫자를 넣어 주세요 (받은 값: {value}).",
                     "en": "{field}: use a number (got {value})."},
    "setting_range": {"ko": "{field}은(는) {low}에서 {high} 사이여야 합니다 (받은 값: {value}).",
                      "en": "{field} must be between {low} and {high} (got {value})."},
    "preset": {"ko": "프리셋은 {presets} 중 하나여야 합니다 (받은 값: {value}).",
               "en": "The preset must be one of {presets} (got {value})."},
    "heads": {"ko": "은닉 크기 {hidden}은(는) 헤드 수 {heads}의 2배의 배수여야 합니다: 각 헤드가 짝수 개의 차원을 받아야 "
                    "RoPE가 두 개씩 회전시킬 수 있습니다.",
              "en": "The hidden size {hidden} must be a multiple of 2 × {heads} heads: each head needs an even number "
                    "of dimensions, since RoPE rotates them in pairs."},
    "file_too_big": {"ko": "파일이 너무 큽니다: {size:,}바이트 (최대 {limit:,}바이트).",
                     "en": "The file is too big: {size:,} bytes (at most {limit:,})."},
    "binary_file": {"ko": "`{name}`은(는) 글이 아니라 바이너리 파일입니다. UTF-8 .txt 파일을 올려 주세요.",
                    "en": "`{name}` is a binary file, not text. Upload a UTF-8 .txt file."},
    "not_utf8": {"ko": "`{name}`은(는) UTF-8 글이 아닙니다 ({position}번째 바이트). UTF-8로 저장해서 다시 올려 주세요.",
                 "en": "`{name}` is not UTF-8 text (byte {position}). Save it as UTF-8 and upload it again."},
    "text_empty": {"ko": "학습할 글이 비어 있습니다. 글을 붙여 넣거나 파일을 올려 주세요.",
                   "en": "The training text is empty: paste some text or upload a file."},
    "text_whitespace": {"ko": "학습할 글이 공백뿐입니다.", "en": "The training text holds only whitespace."},
    "text_too_big": {"ko": "글이 너무 깁니다: UTF-8로 {size:,}바이트 (최대 {limit:,}바이트).",
                     "en": "The text is too long: {size:,} bytes in UTF-8 (at most {limit:,})."},
    "text_too_short": {"ko": "글이 너무 짧습니다: {n:,}자. 모델이 무언가를 배우려면 최소 {need:,}자가 필요합니다.",
                       "en": "The text is too short: {n:,} characters. A model needs at least {need:,} to learn "
                             "anything."},
    "prompt_too_long": {"ko": "샘플 프롬프트가 너무 깁니다: {n}자 (최대 {limit}자).",
                        "en": "The sample prompt is too long: {n} characters (at most {limit})."},
    "vocab_too_big": {"ko": "사전 크기 {vocab}은(는) 이 글에 비해 너무 큽니다: 이 글에서 만들 수 있는 조각은 {max}개뿐입니다. "
                            "사전 크기를 줄이거나 글을 더 넣어 주세요.",
                      "en": "A vocabulary of {vocab} is too large for this text: it only yields {max} pieces. Use a "
                            "smaller vocabulary or more text."},
    "vocab_too_small": {"ko": "사전 크기 {vocab}은(는) 이 글의 글자를 담기에 너무 작습니다. {min} 이상으로 하세요.",
                        "en": "A vocabulary of {vocab} is too small for this text's characters: use at least {min}."},
    "tokenizer": {"ko": "이 글로 토크나이저를 학습할 수 없습니다: {detail}",
                  "en": "A tokenizer cannot be trained on this text: {detail}"},
    "text_too_short_for_context": {
        "ko": "글이 문맥 길이에 비해 짧습니다: {split} 부분이 {tokens}토큰으로, 문맥 하나({context} + 1토큰)보다 적습니다. "
              "글을 더 넣거나 문맥 길이를 줄여 주세요.",
        "en": "The text is short for this context length: the {split} part has {tokens} tokens, fewer than one "
              "context window ({context} + 1). Use more text or a shorter context."},
    "qa_row": {"ko": "표의 {row}번째 줄에 {missing}이(가) 없습니다.", "en": "Row {row} of the table has no {missing}."},
    "qa_too_long": {"ko": "{row}번째 질문이나 답이 너무 깁니다 (최대 {limit}자).",
                    "en": "Question or answer {row} is too long (at most {limit} characters)."},
    "qa_file": {"ko": "Q&A 파일을 쓸 수 없습니다: {detail}", "en": "The Q&A file cannot be used: {detail}"},
    "qa_empty": {"ko": "질문/답 쌍이 없습니다. 표에 몇 쌍을 쓰거나 JSON 파일을 올려 주세요.",
                 "en": "No question/answer pairs: type a few into the table or upload a JSON file."},
    "qa_too_many": {"ko": "질문/답 쌍이 {n}개입니다. 최대 {limit}개까지 받습니다.",
                    "en": "{n} question/answer pairs: at most {limit} are accepted."},
    "qa_question": {"ko": "학습 전후를 비교할 질문(학습에 쓰지 않은 질문)을 써 주세요.",
                    "en": "Type a held-out question to compare the answers before and after training."},
    "qa_not_held_out": {"ko": "비교할 질문이 학습 데이터에도 들어 있습니다. 그러면 배운 것이 아니라 외운 것을 보게 됩니다. "
                              "다른 말로 물어보세요.",
                        "en": "The held-out question is also a training question: the comparison would show "
                              "memorising, not learning. Ask it in other words."},
    "job_running": {"ko": "이 세션의 학습이 아직 진행 중입니다. 멈추거나 끝날 때까지 기다려 주세요.",
                    "en": "This session's training job is still queued or running: stop it or wait for it to end."},
    "nothing_to_resume": {"ko": "이어서 학습할, 멈춘 학습이 없습니다. 새로 시작해 주세요.",
                          "en": "There is no stopped run to resume in this session: start a new one."},
    "already_finished": {"ko": "지난 학습은 {steps}단계를 모두 마쳤습니다. 단계 수를 늘려 새로 시작해 주세요.",
                         "en": "The last run already finished all {steps} steps: start a new run with more steps."},
    "session_left": {"ko": "이 세션은 끝났습니다. 페이지를 새로고침해 주세요.",
                     "en": "This session has ended: reload the page."},
    "trained_gone": {"ko": "학습한 모델 `{name}`을(를) 더 이상 쓸 수 없습니다 (세션이 끝나 지워졌습니다). 다시 학습해 주세요.",
                     "en": "The trained model `{name}` is gone (its session ended and it was deleted). Train it "
                           "again."},
    "lora_needs_plain": {"ko": "이 세션의 모델에는 병합하지 않은 어댑터가 붙어 있습니다. 체크포인트 탭에서 병합하거나 다시 "
                               "불러온 뒤 LoRA를 학습하세요.",
                         "en": "This session's model has an unmerged adapter: merge it (or load the plain checkpoint) "
                               "in the checkpoints tab before training LoRA."},
    "train_failed": {"ko": "학습이 실패했습니다 ({kind}). 설정을 바꿔 다시 시도해 주세요.",
                     "en": "Training failed ({kind}). Change the settings and try again."},
    # field names and words inside messages
    "field_num_hidden_layers": {"ko": "층 수", "en": "the number of layers"},
    "field_hidden_size": {"ko": "은닉 크기", "en": "the hidden size"},
    "field_num_attention_heads": {"ko": "헤드 수", "en": "the number of heads"},
    "field_block_size": {"ko": "문맥 길이", "en": "the context length"},
    "field_vocab_size": {"ko": "사전 크기", "en": "the vocabulary size"},
    "field_max_steps": {"ko": "학습 단계 수", "en": "the number of steps"},
    "field_learning_rate": {"ko": "학습률", "en": "the learning rate"},
    "word_question": {"ko": "질문", "en": "question"},
    "word_answer": {"ko": "답", "en": "answer"},
    "word_train": {"ko": "학습", "en": "training"},
    "word_val": {"ko": "검증", "en": "validation"},
    # status lines
    "job_queued": {"ko": "대기 중: 대기열 {position}번째 (지금 {running}개 학습 중, 동시에 최대 {limit}개).",
                   "en": "Waiting: number {position} in the queue ({running} running now, at most {limit} at once)."},
    "job_preparing": {"ko": "토크나이저를 학습하고 글을 토큰으로 바꾸는 중…",
                      "en": "Training the tokenizer and tokenizing the text…"},
    "job_preparing_lora": {"ko": "모델을 복사하고 학습 전 답을 만드는 중…",
                           "en": "Copying the model and writing the answer before training…"},
    "job_saving": {"ko": "모델을 저장하고 zip을 만드는 중…", "en": "Saving the model and writing the zip…"},
    "job_progress": {"ko": "**{step} / {max_steps}단계** · 학습 손실 {loss} · 검증 손실 {val} · 초당 {tok_s} 토큰 · "
                           "경과 {elapsed} · 남은 시간 약 {eta}",
                     "en": "**step {step} / {max_steps}** · training loss {loss} · validation loss {val} · "
                           "{tok_s} tokens/s · elapsed {elapsed} · about {eta} left"},
    "job_progress_lora": {"ko": "**{step} / {max_steps}단계** · 손실 {loss} · 경과 {elapsed} · 남은 시간 약 {eta}",
                          "en": "**step {step} / {max_steps}** · loss {loss} · elapsed {elapsed} · about {eta} left"},
    "job_finished": {"ko": "✓ 학습 완료. 이제 이 세션의 모델은 `{name}`입니다 (손실 {first} → {last}). 다른 탭에서 써 보세요.",
                     "en": "✓ Done. This session's model is now `{name}` (loss {first} → {last}). Try it in the other "
                           "tabs."},
    "job_stopped": {"ko": "■ {step}단계에서 멈췄습니다. 지금까지의 모델 `{name}`이(가) 이 세션의 모델이 되었습니다. "
                          "'이어서 학습'으로 계속할 수 있습니다.",
                    "en": "■ Stopped at step {step}. The model so far, `{name}`, is now this session's model. Press "
                          "Resume to continue."},
    "job_timeout": {"ko": "■ 한 번의 학습 시간 제한({limit}초)에 닿아 {step}단계에서 멈췄습니다. 모델 `{name}`이(가) 이 세션의 "
                          "모델이 되었습니다. '이어서 학습'을 누르면 대기열 뒤에서 다시 이어집니다.",
                    "en": "■ The time limit of one run ({limit} s) was reached at step {step}. The model `{name}` is "
                          "now this session's model. Resume continues it (from the back of the queue)."},
    "job_stopped_early": {"ko": "■ 첫 단계 전에 멈췄습니다. 모델은 바뀌지 않았습니다.",
                          "en": "■ Stopped before the first step. The model did not change."},
    "job_cancelled": {"ko": "학습이 취소되었습니다.", "en": "The training job was cancelled."},
    "job_none": {"ko": "이 세션에는 학습 작업이 없습니다.", "en": "This session has no training job."},
    "job_stop_requested": {"ko": "멈추는 중: 지금 단계를 마치고 체크포인트를 저장합니다…",
                           "en": "Stopping: finishing this step and saving a checkpoint…"},
    "lora_done": {"ko": "✓ LoRA {step}단계 (손실 {first} → {last}), 학습한 파라미터 {trainable:,}개 ({pct}%). 병합 후 로짓 "
                        "최대 차이 {diff:.2e}. 이제 이 세션의 모델은 `{name}`입니다.",
                  "en": "✓ LoRA: {step} steps (loss {first} → {last}), {trainable:,} trained parameters ({pct}%). "
                        "Merged: max logit difference {diff:.2e}. This session's model is now `{name}`."},
})
