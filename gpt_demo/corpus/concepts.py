# ruff: noqa: E501
"""Short explanations of the course's concepts, in Korean and English.

Each :class:`Concept` holds several differently worded explanation paragraphs (2-4 sentences, one line
each), several ways a learner might ask about it, and one canonical short answer. The tiny GPT's corpus
mixes in :func:`concept_paragraph`; the LoRA instruction set pairs ``questions_*`` with ``answer_*``.

The texts are written for this project and correct the course glossary's known mistakes
(see the course notes' list of mistakes, shared/course-notes/README.md): top_p = 0.95 is not "the top 5%" and a higher top_p keeps
more tokens; LoRA is fine-tuning, not compression; SentencePiece has no "bidirectional tokenization";
``torch.where`` broadcasts its arguments; the pad id is whatever the tokenizer defines.

Only the standard library is used here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Concept", "CONCEPTS", "LANGS", "concept_paragraph"]

LANGS = ("ko", "en")


@dataclass(frozen=True)
class Concept:
    key: str
    name_ko: str
    name_en: str
    explanations_ko: tuple[str, ...]
    explanations_en: tuple[str, ...]
    questions_ko: tuple[str, ...]
    questions_en: tuple[str, ...]
    answer_ko: str
    answer_en: str

    def explanations(self, lang: str) -> tuple[str, ...]:
        _check_lang(lang)
        return self.explanations_ko if lang == "ko" else self.explanations_en

    def questions(self, lang: str) -> tuple[str, ...]:
        _check_lang(lang)
        return self.questions_ko if lang == "ko" else self.questions_en

    def answer(self, lang: str) -> str:
        _check_lang(lang)
        return self.answer_ko if lang == "ko" else self.answer_en


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


_ALL: list[Concept] = []

# --- padding, masks, tensor helpers -------------------------------------------------------------

_ALL.append(Concept(
    key="padding",
    name_ko="패딩 (pad 토큰)",
    name_en="Padding (pad tokens)",
    explanations_ko=(
        "한 배치에 들어가는 문장들은 길이가 제각각이라서, 짧은 문장 뒤에 pad 토큰을 채워 모두 같은 길이로 맞춥니다. 그래야 여러 문장을 하나의 직사각형 텐서로 묶을 수 있어요. pad 토큰의 id는 정해진 숫자가 아니라 토크나이저가 정한 값을 써야 합니다.",
        "패딩은 길이를 맞추려고 넣는 빈칸 같은 토큰입니다. 예를 들어 \"나는 공부를 합니다.\"가 네 토큰이고 배치 길이가 여섯이면, 뒤에 pad 토큰 두 개를 붙여 여섯 칸을 채웁니다. pad 토큰의 id는 토크나이저에서 가져오고, 의미 없는 칸이니 모델이 보지 않도록 마스크로 가려야 해요.",
        "pad id가 항상 0이라고 생각하기 쉽지만, 그 값은 토크나이저마다 다릅니다. LLaMA 계열의 SentencePiece 어휘에서는 0번이 <unk>이고, 우리 토크나이저는 3번을 <pad>로 씁니다. 그래서 코드에서는 숫자를 직접 쓰지 말고 토크나이저의 pad_token_id를 물어봐야 합니다.",
        "학습할 때는 보통 문장 오른쪽에 pad를 채우고, 여러 문장을 한꺼번에 생성할 때는 왼쪽에 채웁니다. 왼쪽에 채우면 모든 줄의 마지막 칸이 진짜 토큰이 되어 바로 다음 토큰을 이어 붙일 수 있어요. 어느 쪽이든 pad 토큰의 id는 토크나이저가 정한 값입니다.",
        "pad 토큰은 자리만 채울 뿐 내용이 없기 때문에, 어텐션에서도 손실 계산에서도 빠져야 합니다. 마스크는 input_ids != pad_id로 만들고, 여기서 pad_id는 토크나이저가 알려 주는 값을 씁니다. 라벨에서는 pad 위치를 -100으로 바꿔 손실에서 제외하는 경우가 많아요.",
    ),
    explanations_en=(
        "Sentences in one batch have different lengths, so the short ones are filled up with pad tokens until they all match the longest. Only then can the batch be stacked into one rectangular tensor. The pad id is not a fixed number: it is whatever the tokenizer defines.",
        "Padding is filler that only makes lengths equal. If \"I like green tea.\" is five tokens and the batch is six tokens long, one pad token is appended to fill the row. The pad id comes from the tokenizer, and a mask tells the model to ignore that position.",
        "Many examples use 0 as the pad id, but that is only one tokenizer's choice. LLaMA-style SentencePiece vocabularies use id 0 for <unk>, and our tokenizer uses id 3 for <pad>. So code should ask the tokenizer for pad_token_id instead of assuming a number.",
        "For training, pad tokens usually go on the right of each sentence; for batched generation they go on the left. Left padding makes the last position of every row a real token, so the next token can be appended directly. Either way, the pad id comes from the tokenizer.",
        "A pad token carries no meaning, so it must be left out of attention and out of the loss. The mask is built as input_ids != pad_id, where pad_id is the value your tokenizer defines. In the labels, pad positions are often set to -100 so the loss skips them.",
    ),
    questions_ko=(
        "패딩이 뭐예요?",
        "pad 토큰은 왜 넣나요?",
        "패딩 토큰의 id는 항상 0인가요?",
        "문장 길이가 다를 때 배치는 어떻게 만드나요?",
        "pad_token_id는 어디서 정해지나요?",
        "왼쪽 패딩과 오른쪽 패딩은 어떻게 다른가요?",
    ),
    questions_en=(
        "What is padding?",
        "Why do we add pad tokens?",
        "Is the pad id always 0?",
        "How do you batch sentences of different lengths?",
        "Where does pad_token_id come from?",
        "What is the difference between left and right padding?",
    ),
    answer_ko="패딩은 짧은 문장 뒤(또는 앞)에 pad 토큰을 채워 배치 안의 모든 문장 길이를 맞추는 일입니다. pad id는 정해진 숫자가 아니라 토크나이저가 정한 값이에요. LLaMA 계열 어휘는 0번이 <unk>이고 우리 토크나이저는 3번이 <pad>입니다.",
    answer_en="Padding fills short sequences with pad tokens so every sequence in a batch has the same length. The pad id is whatever the tokenizer defines: LLaMA-style vocabularies use 0 for <unk>, and ours uses 3 for <pad>.",
))

_ALL.append(Concept(
    key="attention_mask",
    name_ko="어텐션 마스크",
    name_en="Attention mask",
    explanations_ko=(
        "어텐션 마스크는 모델이 어떤 위치를 봐도 되는지 알려 주는 표입니다. 패딩 마스크는 input_ids != pad_id로 만들어 진짜 토큰은 True, pad는 False가 됩니다. 가려진 위치의 어텐션 점수에는 아주 큰 음수(또는 -inf)를 더해서 softmax 뒤 가중치가 0이 되게 해요.",
        "GPT에는 마스크가 두 가지 있습니다. 인과 마스크(causal mask)는 아직 나오지 않은 미래 토큰을 가리고, 패딩 마스크는 pad 토큰을 가립니다. 두 마스크를 합쳐서 둘 다 허용하는 위치만 볼 수 있게 합니다.",
        "마스크는 점수를 지우는 대신 점수에 매우 큰 음수를 더하는 방식으로 적용됩니다. softmax는 지수 함수를 쓰기 때문에 그런 점수는 거의 0, -inf라면 정확히 0의 확률이 됩니다. 그래서 가려진 토큰은 결과에 아무 영향도 주지 못해요.",
        "인과 마스크는 아래쪽 삼각형 모양입니다. i번째 토큰은 0번부터 i번까지만 볼 수 있고 그 뒤는 볼 수 없어요. 학습할 때 정답인 다음 토큰을 미리 보지 못하게 하려는 장치입니다.",
    ),
    explanations_en=(
        "An attention mask tells the model which positions it may look at. The padding mask is input_ids != pad_id: True for real tokens, False for pads. Masked positions get a very negative number (or -inf) added to their attention scores, so after the softmax their weight is zero.",
        "A GPT uses two masks. The causal mask hides future tokens, and the padding mask hides pad tokens. They are combined, so a position can be attended to only when both masks allow it.",
        "Masking does not delete scores; it adds a huge negative number to them before the softmax. Because the softmax exponentiates, such a score turns into a probability of almost zero, or exactly zero with -inf. So a masked token cannot influence the output at all.",
        "The causal mask has a lower-triangular shape. Token i may attend to positions 0 through i and never to later ones. This stops the model from peeking at the very next token it is being trained to predict.",
    ),
    questions_ko=(
        "어텐션 마스크가 뭐예요?",
        "attention_mask는 어떻게 만드나요?",
        "마스크된 위치에 왜 -inf를 더하나요?",
        "인과 마스크와 패딩 마스크는 어떻게 다른가요?",
        "모델이 pad 토큰을 무시하게 하려면 어떻게 하나요?",
    ),
    questions_en=(
        "What is an attention mask?",
        "How is attention_mask built?",
        "Why add -inf to masked attention scores?",
        "What is the difference between the causal mask and the padding mask?",
        "How does the model ignore pad tokens?",
    ),
    answer_ko="어텐션 마스크는 input_ids != pad_id처럼 볼 수 있는 위치를 표시한 것이고, 가려진 위치의 점수에는 아주 큰 음수(또는 -inf)를 더해 softmax 뒤 가중치가 0이 되게 합니다. GPT에서는 미래 토큰을 가리는 인과 마스크와 패딩 마스크를 합쳐서 씁니다.",
    answer_en="An attention mask marks which positions may be attended to, for example input_ids != pad_id; masked positions get a very negative number (or -inf) added to their scores so the softmax gives them zero weight. A GPT combines this padding mask with the causal mask that hides future tokens.",
))

_ALL.append(Concept(
    key="torch_where",
    name_ko="torch.where 함수",
    name_en="torch.where",
    explanations_ko=(
        "torch.where(condition, x, y)는 condition이 True인 자리에서는 x 값을, False인 자리에서는 y 값을 가져옵니다. 예를 들어 torch.where([T,F,T,F], [1,2,3,4], [10,20,30,40])의 결과는 [1,20,3,40]입니다. 세 인자는 서로 브로드캐스팅되므로 모양이 꼭 같을 필요는 없어요.",
        "torch.where는 조건에 따라 두 텐서 중 하나를 원소마다 고르는 함수입니다. condition, x, y는 브로드캐스팅 규칙으로 함께 맞춰지기 때문에 y 자리에 숫자 하나나 모양이 다른 텐서를 넣어도 됩니다. 결과의 모양은 세 인자를 브로드캐스팅한 모양이에요.",
        "마스크 처리에서 torch.where가 자주 쓰입니다. torch.where(mask, scores, -inf)처럼 쓰면 마스크가 True인 곳은 점수를 그대로 두고 나머지는 -inf로 바꿔요. 여기서 -inf는 숫자 하나지만 브로드캐스팅 덕분에 scores와 같은 모양으로 퍼집니다.",
        "x와 y가 condition과 같은 모양이어야 한다고 오해하기 쉽습니다. 실제로는 세 인자가 브로드캐스팅되어 공통 모양으로 늘어나므로, (2, 1) 모양과 (1, 3) 모양을 섞어도 (2, 3) 결과가 나옵니다. 조건이 True인 자리는 x에서, False인 자리는 y에서 값을 가져온다는 규칙만 기억하면 됩니다.",
    ),
    explanations_en=(
        "torch.where(condition, x, y) takes the value from x where condition is True and from y everywhere else. For example, torch.where([T,F,T,F], [1,2,3,4], [10,20,30,40]) gives [1,20,3,40]. The three arguments are broadcast together, so they need not have the same shape.",
        "torch.where picks, element by element, between two tensors according to a condition. Condition, x and y are broadcast against each other, so y can be a single number or a tensor of another shape. The result has the broadcast shape of all three.",
        "Masking code uses torch.where a lot. torch.where(mask, scores, -inf) keeps the scores where the mask is True and puts -inf everywhere else. The -inf is a single number, but broadcasting spreads it to the shape of scores.",
        "A common misunderstanding is that x and y must have the same shape as the condition. In fact the three are broadcast to one common shape, so mixing a (2, 1) tensor with a (1, 3) tensor gives a (2, 3) result. Just remember the rule: True positions come from x, False positions from y.",
    ),
    questions_ko=(
        "torch.where는 뭐 하는 함수예요?",
        "torch.where(condition, x, y)는 어떻게 동작하나요?",
        "torch.where에서 x와 y는 condition과 모양이 같아야 하나요?",
        "torch.where([T,F,T,F], [1,2,3,4], [10,20,30,40])의 결과는 뭔가요?",
        "마스크 처리에 torch.where를 어떻게 쓰나요?",
    ),
    questions_en=(
        "What does torch.where do?",
        "How does torch.where(condition, x, y) work?",
        "Do x and y need the same shape as the condition in torch.where?",
        "What is torch.where([T,F,T,F], [1,2,3,4], [10,20,30,40])?",
        "How is torch.where used for masking?",
    ),
    answer_ko="torch.where(condition, x, y)는 condition이 True인 자리는 x에서, False인 자리는 y에서 값을 가져옵니다. 세 인자는 브로드캐스팅되므로 모양이 같을 필요가 없어요. 예: torch.where([T,F,T,F], [1,2,3,4], [10,20,30,40]) → [1,20,3,40].",
    answer_en="torch.where(condition, x, y) takes x where condition is True and y elsewhere; the three are broadcast together, so they need not have the same shape. Example: torch.where([T,F,T,F], [1,2,3,4], [10,20,30,40]) gives [1,20,3,40].",
))

_ALL.append(Concept(
    key="torch_full",
    name_ko="torch.full 함수",
    name_en="torch.full",
    explanations_ko=(
        "torch.full(size, value)는 원하는 모양의 텐서를 만들고 모든 칸을 같은 값 하나로 채웁니다. 예를 들어 torch.full((2, 3), 7)은 2행 3열짜리 텐서를 만들고 여섯 칸 모두 7을 넣어요. torch.zeros나 torch.ones는 이 함수의 특별한 경우라고 보면 됩니다.",
        "패딩된 배치를 만들 때 torch.full이 편리합니다. 먼저 torch.full((2, 6), pad_id)로 전부 pad로 채운 2×6 텐서를 만들고, 그다음 각 줄의 앞부분에 진짜 토큰 id를 복사해 넣어요. 그러면 남은 칸은 자연스럽게 pad 토큰으로 남습니다.",
        "torch.full의 첫 인자는 모양이고 두 번째 인자는 채울 값입니다. 채울 값이 정수면 정수 텐서가, 실수면 실수 텐서가 만들어지고, dtype이나 device 인자로 직접 정할 수도 있어요. 만들고 나면 보통 텐서처럼 인덱싱해서 일부 값을 바꿀 수 있습니다.",
        "어텐션 마스크를 만들 때도 torch.full을 씁니다. torch.full((T, T), float(\"-inf\"))로 모든 칸이 -inf인 정사각 행렬을 만든 뒤 torch.triu(..., diagonal=1)로 대각선 위쪽에만 -inf를 남기면 미래 토큰을 가리는 마스크가 돼요. 이처럼 한 값으로 가득 찬 텐서는 여러 곳에서 출발점으로 쓰입니다.",
    ),
    explanations_en=(
        "torch.full(size, value) creates a tensor of the given shape with every element set to one value. For example, torch.full((2, 3), 7) is a 2-by-3 tensor whose six entries are all 7. torch.zeros and torch.ones are special cases of the same idea.",
        "torch.full is handy for building a padded batch. First torch.full((2, 6), pad_id) makes a 2-by-6 tensor that is all pad, then the real token ids are copied into the start of each row. Whatever is not overwritten simply stays a pad token.",
        "The first argument of torch.full is the shape and the second is the fill value. An integer value gives an integer tensor and a float gives a float tensor, and you can also choose with the dtype and device arguments. Afterwards it is an ordinary tensor, so you can index into it and change entries.",
        "Attention masks are often started with torch.full too. torch.full((T, T), float(\"-inf\")) makes a square matrix of -inf, and torch.triu(..., diagonal=1) keeps -inf only above the diagonal, which gives the mask that hides future tokens. A tensor filled with one value is a common starting point like this.",
    ),
    questions_ko=(
        "torch.full은 뭐 하는 함수예요?",
        "torch.full(size, value)는 어떻게 쓰나요?",
        "torch.full로 패딩된 배치를 어떻게 만드나요?",
        "torch.full((2, 6), pad_id)는 무슨 뜻인가요?",
        "torch.full과 torch.zeros는 어떻게 다른가요?",
    ),
    questions_en=(
        "What does torch.full do?",
        "How do I use torch.full(size, value)?",
        "How can torch.full build a padded batch?",
        "What does torch.full((2, 6), pad_id) mean?",
        "What is the difference between torch.full and torch.zeros?",
    ),
    answer_ko="torch.full(size, value)는 주어진 모양의 텐서를 만들어 모든 칸을 value 하나로 채웁니다. 예를 들어 torch.full((2, 6), pad_id)로 전부 pad인 배치를 만든 뒤 진짜 토큰을 복사해 넣을 수 있어요.",
    answer_en="torch.full(size, value) creates a tensor of that shape filled with one value. For example, torch.full((2, 6), pad_id) gives an all-pad batch into which the real tokens are then copied.",
))

_ALL.append(Concept(
    key="sentencepiece",
    name_ko="SentencePiece 토크나이저",
    name_en="SentencePiece",
    explanations_ko=(
        "SentencePiece는 띄어쓰기로 미리 나누지 않은 원문 텍스트에서 바로 서브워드 어휘를 학습하는 토크나이저 라이브러리입니다. 학습 방식으로 BPE와 unigram 중 하나를 고를 수 있어요. 그래서 한국어처럼 공백 규칙이 영어와 다른 언어에도 그대로 쓸 수 있습니다.",
        "SentencePiece는 공백도 ▁라는 기호로 바꿔 다른 글자처럼 다룹니다. 덕분에 토큰을 다시 이어 붙이면 원래 띄어쓰기가 그대로 돌아와서, decode(encode(text)) == text가 성립해요. 이렇게 정보를 잃지 않는 성질을 무손실(lossless)이라고 합니다.",
        "어휘에 없는 글자가 나오면 보통은 <unk>가 되어 정보가 사라집니다. SentencePiece의 바이트 폴백(byte fallback)을 켜면 그런 글자를 UTF-8 바이트 토큰 여러 개로 적어서, 드문 한자나 이모지도 잃지 않아요. 우리 토크나이저도 이 방식을 씁니다.",
        "SentencePiece에 \"양방향 토큰화\"라는 기능은 없습니다. 앞뒤 문맥을 보는 것은 토크나이저가 아니라 모델이 하는 일이고, SentencePiece는 학습한 서브워드 어휘로 텍스트를 조각낼 뿐이에요. 핵심은 원문에서 직접 학습하고, 공백을 ▁로 다루고, 원문을 정확히 되살릴 수 있다는 점입니다.",
    ),
    explanations_en=(
        "SentencePiece is a tokenizer library that learns a subword vocabulary directly from raw text, without splitting on spaces first. It can train either a BPE or a unigram model. That makes it work the same way for languages like Korean, whose spacing rules differ from English.",
        "SentencePiece treats whitespace as an ordinary symbol, written ▁. Joining the pieces back together restores the original spaces, so decode(encode(text)) == text holds. This property is called lossless tokenization.",
        "Normally a character that is not in the vocabulary becomes <unk> and its information is lost. With byte fallback, SentencePiece spells such a character as several UTF-8 byte tokens, so rare Hanja or emoji survive. Our tokenizer uses this option.",
        "SentencePiece has no \"bidirectional tokenization\" feature. Looking at the context before and after a word is the model's job, not the tokenizer's; SentencePiece just cuts text into pieces from its learned subword vocabulary. What matters is that it trains on raw text, treats spaces as ▁ and can rebuild the text exactly.",
    ),
    questions_ko=(
        "SentencePiece가 뭐예요?",
        "SentencePiece는 어떻게 텍스트를 토큰으로 나누나요?",
        "SentencePiece에서 ▁ 기호는 무슨 뜻인가요?",
        "SentencePiece가 양방향 토큰화를 하나요?",
        "바이트 폴백(byte fallback)이 뭔가요?",
    ),
    questions_en=(
        "What is SentencePiece?",
        "How does SentencePiece split text into tokens?",
        "What does the ▁ symbol mean in SentencePiece?",
        "Does SentencePiece do bidirectional tokenization?",
        "What is byte fallback?",
    ),
    answer_ko="SentencePiece는 원문 텍스트에서 바로 서브워드 어휘(BPE 또는 unigram)를 학습하는 토크나이저로, 공백을 ▁ 기호로 다뤄 decode(encode(text)) == text가 되는 무손실 방식입니다. 바이트 폴백을 켜면 어휘에 없는 글자도 <unk> 대신 UTF-8 바이트 토큰으로 표현해요.",
    answer_en="SentencePiece learns a subword vocabulary (BPE or unigram) directly from raw text and treats whitespace as the symbol ▁, so tokenization is lossless: decode(encode(text)) == text. With byte fallback, characters outside the vocabulary become UTF-8 byte tokens instead of <unk>.",
))

_ALL.append(Concept(
    key="half_precision",
    name_ko="반정밀도 (fp16/bf16)",
    name_en="Half precision (fp16/bf16)",
    explanations_ko=(
        "반정밀도는 숫자 하나를 4바이트(fp32) 대신 2바이트로 저장하는 방식입니다. 그래서 같은 모델이 메모리를 절반만 쓰고, 이를 지원하는 GPU에서는 계산도 빨라져요. 대신 표현할 수 있는 숫자의 범위나 정밀도가 줄어듭니다.",
        "fp16이 표현할 수 있는 가장 큰 수는 65504입니다. 계산 중에 값이 이보다 커지면 inf가 되는 오버플로가 생기고, 아주 작은 값은 0이 되어 버릴 수 있어요. 그래서 fp16으로 학습할 때는 손실 값을 키워서 계산하는 loss scaling을 함께 쓰곤 합니다.",
        "bf16도 2바이트지만 fp16과 비트를 나누는 방식이 다릅니다. 지수 부분은 fp32와 같은 8비트라서 fp32만큼 큰 수와 작은 수를 다룰 수 있고, 대신 가수 비트가 적어 정밀도가 낮아요. 오버플로 걱정이 적어서 최근 GPU에서는 학습에 bf16을 많이 씁니다.",
        "PyTorch에서는 model.half()나 model.to(torch.bfloat16)으로 모델을 반정밀도로 바꿀 수 있습니다. 숫자당 2바이트이므로 1억 개 파라미터라면 fp32의 약 400MB가 약 200MB로 줄어요. 중요한 계산만 fp32로 하는 혼합 정밀도(mixed precision)도 자주 쓰입니다.",
    ),
    explanations_en=(
        "Half precision stores each number in 2 bytes instead of the 4 bytes of fp32. The same model then needs half the memory, and GPUs that support it compute faster too. The price is a smaller range or less precision.",
        "The largest value fp16 can hold is 65504. If a value grows past that during a computation it overflows to inf, and very small values can underflow to zero. That is why fp16 training often uses loss scaling.",
        "bf16 also uses 2 bytes, but it splits the bits differently from fp16. Its exponent has the same 8 bits as fp32, so it keeps fp32's range, while its fewer mantissa bits give less precision. Because overflow is rarely a problem, bf16 is popular for training on recent GPUs.",
        "In PyTorch, model.half() or model.to(torch.bfloat16) converts a model to half precision. At 2 bytes per number, 100 million parameters take about 200 MB instead of about 400 MB in fp32. Mixed precision, which keeps sensitive parts in fp32, is also common.",
    ),
    questions_ko=(
        "반정밀도가 뭐예요?",
        "fp16과 bf16은 어떻게 다른가요?",
        "half 텐서를 쓰면 뭐가 좋아요?",
        "fp16에서 오버플로는 왜 생기나요?",
        "모델을 fp16으로 바꾸면 메모리가 얼마나 줄어요?",
    ),
    questions_en=(
        "What is half precision?",
        "What is the difference between fp16 and bf16?",
        "Why use half-precision tensors?",
        "Why can fp16 overflow?",
        "How much memory does fp16 save?",
    ),
    answer_ko="반정밀도(fp16/bf16)는 숫자 하나를 4바이트 대신 2바이트로 저장해서 메모리를 절반으로 줄이고 GPU 계산을 빠르게 합니다. fp16은 가장 큰 값이 65504라 오버플로가 날 수 있고, bf16은 fp32와 같은 범위를 유지하는 대신 정밀도가 낮아요.",
    answer_en="Half precision (fp16/bf16) stores each number in 2 bytes instead of 4, halving memory and speeding up GPU computation. fp16's largest value is 65504, so it can overflow; bf16 keeps fp32's range but has fewer mantissa bits, so less precision.",
))

# --- running and saving models ------------------------------------------------------------------

_ALL.append(Concept(
    key="cuda",
    name_ko="CUDA",
    name_en="CUDA",
    explanations_ko=(
        "CUDA는 NVIDIA GPU에서 일반 계산을 실행할 수 있게 해 주는 NVIDIA의 플랫폼입니다. GPU에는 동시에 일하는 작은 코어가 아주 많아서, 트랜스포머 안의 큰 행렬 곱셈을 빠르게 처리해요. PyTorch가 CUDA를 대신 불러 주기 때문에 CUDA 코드를 직접 짤 일은 거의 없습니다.",
        "PyTorch에서는 torch.cuda.is_available()로 쓸 수 있는 NVIDIA GPU가 있는지 확인합니다. 텐서는 tensor.to(\"cuda\"), 모델은 model.to(\"cuda\")로 GPU에 올려요. 보통 device = \"cuda\" if torch.cuda.is_available() else \"cpu\"처럼 장치를 정해 두고 씁니다.",
        "모델과 입력 데이터는 반드시 같은 장치에 있어야 합니다. 모델은 GPU에 있는데 input_ids가 CPU에 남아 있으면, 텐서들이 서로 다른 장치에 있다는 오류가 나요. 그래서 모델을 부르기 전에 배치도 .to(\"cuda\")로 옮겨 줍니다.",
        "CUDA는 NVIDIA GPU에서만 동작하고, GPU가 없는 컴퓨터에서는 같은 PyTorch 코드가 CPU에서 더 느리게 돌아갑니다. GPU 메모리는 컴퓨터의 메인 메모리와 따로 있어서, 데이터를 GPU에서 쓰려면 먼저 그쪽으로 복사해야 해요. torch.cuda.memory_allocated()로 텐서들이 GPU 메모리를 얼마나 쓰는지 볼 수 있습니다.",
    ),
    explanations_en=(
        "CUDA is NVIDIA's platform for running general computations on its GPUs. A GPU has thousands of small cores working in parallel, which suits the large matrix multiplications inside a transformer. PyTorch calls CUDA for you, so you rarely write CUDA code yourself.",
        "In PyTorch, torch.cuda.is_available() tells you whether a usable NVIDIA GPU is present. A tensor moves to it with tensor.to(\"cuda\") and a model with model.to(\"cuda\"). A common pattern is device = \"cuda\" if torch.cuda.is_available() else \"cpu\".",
        "The model and its input data must be on the same device. If the model is on the GPU but input_ids are still on the CPU, PyTorch raises an error saying the tensors are on different devices. So move the batch with .to(\"cuda\") before calling the model.",
        "CUDA works only with NVIDIA GPUs; without one, the same PyTorch code runs on the CPU, just more slowly. GPU memory is separate from the computer's main memory, so data must be copied to the GPU before it is used there. torch.cuda.memory_allocated() shows how much GPU memory your tensors take.",
    ),
    questions_ko=(
        "CUDA가 뭐예요?",
        "파이썬에서 CUDA는 어떻게 쓰나요?",
        "GPU를 쓸 수 있는지 어떻게 확인하나요?",
        "모델을 GPU로 옮기려면 어떻게 하나요?",
        "텐서가 서로 다른 장치에 있다는 오류는 왜 나요?",
    ),
    questions_en=(
        "What is CUDA?",
        "How do I use CUDA from Python?",
        "How can I check whether a GPU is available?",
        "How do I move a model to the GPU?",
        "Why do I get an error that tensors are on different devices?",
    ),
    answer_ko="CUDA는 NVIDIA GPU에서 계산을 실행하게 해 주는 NVIDIA의 플랫폼입니다. PyTorch에서는 torch.cuda.is_available()로 확인하고 tensor.to(\"cuda\"), model.to(\"cuda\")로 옮기며, 데이터와 모델은 같은 장치에 있어야 해요.",
    answer_en="CUDA is NVIDIA's platform for running computation on the GPU. In PyTorch you check torch.cuda.is_available() and move things with tensor.to(\"cuda\") and model.to(\"cuda\"); data and model must be on the same device.",
))

_ALL.append(Concept(
    key="checkpoint",
    name_ko="체크포인트 (모델 가중치)",
    name_en="Checkpoint (model weights)",
    explanations_ko=(
        "체크포인트는 모델의 가중치를 저장해 둔 것으로, 보통 모델 구조를 적은 설정(config) 파일도 함께 들어 있습니다. 이것을 불러오면 저장할 때와 똑같이 동작하는 모델을 다시 얻을 수 있어요. transformers에서는 save_pretrained로 저장하고 from_pretrained로 불러옵니다.",
        "학습을 중간부터 이어 가려면 가중치만으로는 부족합니다. 옵티마이저 상태, 학습률 스케줄러, 현재 스텝 수, 난수 생성기 상태까지 저장해야 멈춘 지점에서 정확히 다시 시작할 수 있어요. 그래서 학습 코드는 이런 정보를 주기적으로 체크포인트에 함께 저장합니다.",
        "모델의 소스코드를 공개하는 것과 가중치를 공개하는 것은 다릅니다. 코드는 모델의 구조, 즉 어떤 계산을 할지를 정하고, 가중치는 학습으로 얻은 숫자들이에요. 모델을 실행하려면 둘 다 필요하고, 가중치 없는 코드는 아직 아무것도 배우지 않은 신경망일 뿐입니다.",
        "큰 모델을 학습하려면 계산 비용이 많이 들기 때문에, 사람들은 처음부터 학습하는 대신 체크포인트를 공유합니다. 다른 사람이 학습한 가중치를 내려받아 맞는 코드에 불러오면 바로 쓰거나 미세조정할 수 있어요. 이때 체크포인트의 설정이 코드의 구조와 맞아야 가중치가 제자리에 들어갑니다.",
    ),
    explanations_en=(
        "A checkpoint is a saved copy of a model's weights, usually together with a config file that describes the architecture. Loading it gives back a model that behaves exactly as it did when it was saved. With transformers, save_pretrained writes one and from_pretrained loads it.",
        "To resume training, weights alone are not enough. The optimizer state, the learning-rate scheduler, the step number and the random number generator state must be saved too, so training can continue exactly where it stopped. Training loops therefore save these pieces in their checkpoints periodically.",
        "Releasing a model's source code is not the same as releasing its weights. The code defines the architecture, meaning which computation happens, while the weights are the numbers training learned. You need both to run the model: code without weights is a network that has learned nothing yet.",
        "Training a large model costs a lot of compute, so people share checkpoints instead of everyone training from scratch. You download someone's trained weights, load them into matching code, and use or fine-tune the model. The checkpoint's config must match the code, or the weights will not fit.",
    ),
    questions_ko=(
        "체크포인트가 뭐예요?",
        "체크포인트에는 무엇이 저장되나요?",
        "소스코드 공개와 모델 공개는 뭐가 다른가요?",
        "학습을 중간부터 다시 시작하려면 뭘 저장해야 하나요?",
        "다른 사람이 학습한 모델은 어떻게 쓰나요?",
    ),
    questions_en=(
        "What is a checkpoint?",
        "What is stored in a checkpoint?",
        "What is the difference between releasing source code and releasing a model?",
        "What do I need to save to resume training?",
        "How do I use a model someone else trained?",
    ),
    answer_ko="체크포인트는 학습된 모델 가중치와 설정(config)을 저장한 것이고, 학습을 이어 가려면 옵티마이저 상태 등도 함께 저장합니다. 소스코드는 모델 구조를 정하고 가중치는 학습으로 얻은 값이라서, 모델을 실행하려면 둘 다 필요해요.",
    answer_en="A checkpoint is the saved model weights plus config, and for resuming training also the optimizer state and similar. Source code defines the architecture while the weights are what training learned, so you need both to run the model.",
))

# --- generation ---------------------------------------------------------------------------------

_ALL.append(Concept(
    key="top_p",
    name_ko="top-p (뉴클리어스) 샘플링",
    name_en="Top-p (nucleus) sampling",
    explanations_ko=(
        "top-p 샘플링(뉴클리어스 샘플링)은 다음 토큰 후보를 확률이 높은 순서로 정렬한 뒤, 확률을 더한 값이 top_p 이상이 되는 가장 작은 묶음만 남깁니다. 남은 토큰들의 확률을 합이 1이 되도록 다시 맞추고 그중에서 하나를 뽑아요. top_p가 높을수록 더 많은 후보가 남아 문장이 다양해지고, 낮을수록 후보가 줄어 예측하기 쉬운 문장이 나옵니다.",
        "top_p = 0.95는 \"상위 5%\"라는 뜻이 아닙니다. 확률이 높은 토큰부터 차례로 더해 합이 95%에 이를 때까지의 토큰만 후보로 쓴다는 뜻이에요. 그래서 top_p를 높이면 더 많은 토큰이 후보에 들어가고, top_p = 1.0이면 모든 토큰을 그대로 씁니다.",
        "다음 토큰의 확률이 0.5, 0.3, 0.15, 0.05라고 해 봅시다. top_p = 0.7이면 앞의 두 토큰(0.5 + 0.3 = 0.8)만 남고, top_p = 0.9이면 세 토큰(합 0.95)이 남아요. 이처럼 top_p를 올리면 더 많은 토큰이 남아 결과가 다양해집니다.",
        "top-k는 항상 정해진 개수의 토큰을 남기지만, top-p는 확률 분포에 따라 남는 개수가 달라집니다. 모델이 확신할 때는 몇 개만으로도 top_p에 도달하고, 헷갈릴 때는 많은 토큰이 필요해요. 어느 경우든 top_p가 높을수록 더 많은 후보를 남기고, 낮을수록 더 예측 가능한 글이 나옵니다.",
    ),
    explanations_en=(
        "Top-p, or nucleus sampling, sorts the candidate tokens by probability and keeps the smallest set whose probabilities add up to at least top_p. The kept probabilities are renormalised to sum to 1, and the next token is sampled from them. A higher top_p keeps more candidate tokens, so the text gets more varied; a lower top_p keeps fewer, so it gets more predictable.",
        "top_p = 0.95 does not mean the top 5% of tokens. It means: take the most likely tokens until together they cover 95% of the probability, and sample only among those. So a higher top_p lets more tokens in, and top_p = 1.0 keeps every token.",
        "Suppose the next-token probabilities are 0.5, 0.3, 0.15 and 0.05. With top_p = 0.7 the first two tokens stay (0.5 + 0.3 = 0.8), and with top_p = 0.9 three stay (together 0.95). A higher top_p therefore keeps more tokens and gives more varied text.",
        "Top-k always keeps a fixed number of tokens, but top-p adapts to the distribution. When the model is confident, a few tokens already reach top_p; when it is unsure, many are needed. Either way, a higher top_p keeps more candidates, and a lower one makes the output more predictable.",
    ),
    questions_ko=(
        "top-p가 뭐예요?",
        "top-p 샘플링은 어떻게 동작하나요?",
        "top_p 값을 올리면 어떻게 되나요?",
        "top_p = 0.95는 상위 5%만 쓴다는 뜻인가요?",
        "뉴클리어스 샘플링이 뭔가요?",
        "top_p를 낮추면 문장이 어떻게 달라져요?",
    ),
    questions_en=(
        "What does top_p do?",
        "How does nucleus sampling work?",
        "What happens if I raise top_p?",
        "Does top_p = 0.95 mean the top 5% of tokens?",
        "What is top-p sampling?",
        "How does a lower top_p change the generated text?",
    ),
    answer_ko="top-p(뉴클리어스) 샘플링은 확률이 높은 토큰부터 더해 합이 top_p 이상이 되는 가장 작은 묶음만 남기고 그 안에서 다시 정규화해 뽑습니다. top_p가 높을수록 더 많은 후보가 남아 다양한 글이, 낮을수록 예측 가능한 글이 나와요. top_p = 0.95는 상위 5%가 아니라 확률의 95%를 차지하는 토큰들이라는 뜻입니다.",
    answer_en="Top-p (nucleus) sampling keeps the smallest set of most likely tokens whose probabilities add up to at least top_p, renormalises them and samples. A higher top_p keeps more candidate tokens, giving more varied text, while a lower one keeps fewer and is more predictable. top_p = 0.95 does not mean the top 5%; it means the tokens covering 95% of the probability.",
))

_ALL.append(Concept(
    key="temperature",
    name_ko="온도 (temperature)",
    name_en="Temperature",
    explanations_ko=(
        "온도 T는 softmax에 넣기 전에 로짓을 T로 나누는 값입니다. T가 1보다 작으면 분포가 뾰족해져서 확률 높은 토큰이 더 자주 뽑히고 글이 예측하기 쉬워져요. T가 1보다 크면 분포가 평평해져서 글이 더 무작위해집니다.",
        "T = 1이면 모델이 낸 확률을 그대로 씁니다. T = 0으로는 나눌 수 없으므로, 보통 T = 0은 언제나 로짓이 가장 큰 토큰을 고르는 탐욕적 디코딩(argmax)을 뜻해요. 탐욕적 디코딩은 같은 프롬프트에 항상 같은 결과를 냅니다.",
        "온도로 나누어도 토큰들의 순서는 바뀌지 않고, 확률 사이의 차이만 커지거나 작아집니다. 가장 확률이 높은 토큰은 어떤 T에서도 여전히 가장 높아요. 그래서 후보 개수를 정하는 top_k나 top_p와 함께 쓰는 경우가 많습니다.",
        "두 토큰의 로짓이 2와 1이라고 해 봅시다. T = 1이면 확률은 약 0.73과 0.27이고, T = 0.5이면 로짓이 4와 2가 되어 약 0.88과 0.12가 돼요. T = 2이면 로짓이 1과 0.5가 되어 약 0.62와 0.38로 차이가 줄어듭니다.",
    ),
    explanations_en=(
        "Temperature T divides the logits before the softmax. With T below 1 the distribution gets sharper, so likely tokens win even more often and the text is more predictable. With T above 1 it gets flatter and the text becomes more random.",
        "T = 1 leaves the model's probabilities unchanged. Dividing by 0 is impossible, so T = 0 conventionally means greedy decoding: always take the token with the highest logit (argmax). Greedy decoding gives the same output every time for the same prompt.",
        "Dividing by the temperature never changes the order of the tokens, only how far apart their probabilities are. The most likely token stays the most likely at any T. That is why temperature is often combined with top_k or top_p, which decide how many tokens are candidates at all.",
        "Take two tokens with logits 2 and 1. At T = 1 their probabilities are about 0.73 and 0.27, and at T = 0.5 the logits become 4 and 2, giving about 0.88 and 0.12. At T = 2 they become 1 and 0.5, giving about 0.62 and 0.38, a much smaller gap.",
    ),
    questions_ko=(
        "temperature가 뭐예요?",
        "온도를 낮추면 생성 결과가 어떻게 달라지나요?",
        "temperature를 0으로 하면 어떻게 되나요?",
        "온도가 1보다 크면 왜 글이 엉뚱해지나요?",
        "temperature는 로짓에 어떻게 적용되나요?",
    ),
    questions_en=(
        "What is temperature in text generation?",
        "What happens when I lower the temperature?",
        "What does temperature = 0 mean?",
        "Why does a high temperature make the text more random?",
        "How is temperature applied to the logits?",
    ),
    answer_ko="온도 T는 softmax 전에 로짓을 T로 나누는 값으로, T가 1보다 작으면 분포가 뾰족해져 예측 가능한 글이, 1보다 크면 평평해져 더 무작위한 글이 나옵니다. T = 0은 가장 확률이 높은 토큰만 고르는 탐욕적 디코딩(argmax)을 뜻해요.",
    answer_en="Temperature T divides the logits before the softmax: T below 1 makes the distribution sharper and the text more predictable, T above 1 makes it flatter and more random. T = 0 means greedy decoding, always taking the argmax token.",
))

# --- fine-tuning --------------------------------------------------------------------------------

_ALL.append(Concept(
    key="lora",
    name_ko="LoRA (저랭크 적응)",
    name_en="LoRA (Low-Rank Adaptation)",
    explanations_ko=(
        "LoRA(Low-Rank Adaptation)는 큰 모델을 적은 비용으로 미세조정하는 방법입니다. 원래 모델의 가중치는 얼려 두고, q_proj나 v_proj 같은 선형 층 옆에 학습 가능한 저랭크 업데이트 ΔW = B·A를 붙여 학습해요. A와 B만 학습하므로 기울기와 옵티마이저 상태가 필요한 파라미터 수가 훨씬 적습니다.",
        "LoRA에서 A는 r × k, B는 d × r 행렬이고 랭크 r은 8이나 16처럼 작은 수입니다. 두 행렬의 곱 B·A는 얼려 둔 가중치 W와 같은 모양이고, alpha/r을 곱해서 W에 더해져요. B를 0으로 시작하기 때문에 학습 첫 단계의 모델은 원래 모델과 정확히 같습니다.",
        "학습이 끝나면 A와 B만 저장하므로 LoRA 어댑터 파일은 보통 몇 MB 정도입니다. 이 어댑터를 원래 모델 위에 불러 쓰거나, W + B·A·alpha/r로 가중치에 합칠 수 있어요. 합친 모델의 크기는 원래 모델과 정확히 같고, LoRA는 압축 기법이 아니라 미세조정 기법입니다.",
        "LoRA는 배포용으로 모델을 작게 만드는 압축 기법이 아닙니다. 실행하려면 원래 모델의 가중치가 모두 필요하고, 업데이트를 합쳐도 모델 크기는 그대로예요. LoRA가 아껴 주는 것은 학습할 때의 메모리와, 작업마다 따로 저장해야 하는 파일의 양입니다.",
    ),
    explanations_en=(
        "LoRA (Low-Rank Adaptation) is a cheap way to fine-tune a large model. The base model's weights stay frozen, and beside chosen linear layers such as q_proj and v_proj a trainable low-rank update ΔW = B·A is learned. Only A and B are trained, so far fewer parameters need gradients and optimizer state.",
        "In LoRA, A is an r × k matrix and B is a d × r matrix, where the rank r is a small number like 8 or 16. Their product B·A has the same shape as the frozen weight W and is added to it scaled by alpha/r. B starts at zero, so at the first training step the model is exactly the base model.",
        "After training only A and B are saved, so a LoRA adapter file is often just a few megabytes. You can load it on top of the base model or merge it into the weights as W + B·A·alpha/r. The merged model has exactly the base model's size, because LoRA is a fine-tuning method, not a compression method.",
        "LoRA does not make a model smaller for deployment, although that is a common misunderstanding. Running the model still needs every base weight, and merging the update leaves the model exactly as big as before. What LoRA saves is training memory and the storage needed for each fine-tuned task.",
    ),
    questions_ko=(
        "LoRA가 뭐예요?",
        "LoRA는 어떻게 동작하나요?",
        "LoRA는 모델을 압축하는 기법인가요?",
        "LoRA에서 A와 B 행렬은 무슨 역할을 하나요?",
        "LoRA 어댑터를 합치면 모델 크기가 어떻게 되나요?",
        "LoRA의 rank와 alpha는 뭔가요?",
    ),
    questions_en=(
        "What is LoRA?",
        "How does LoRA work?",
        "Is LoRA a compression method?",
        "What do the A and B matrices in LoRA do?",
        "How big is the model after merging a LoRA adapter?",
        "What are rank and alpha in LoRA?",
    ),
    answer_ko="LoRA는 파라미터 효율적인 미세조정 방법으로, 원래 가중치는 얼려 두고 q_proj, v_proj 같은 선형 층 옆에서 alpha/r로 스케일한 저랭크 업데이트 ΔW = B·A만 학습합니다. A와 B만 작은 어댑터 파일로 저장하며, 합친 뒤의 모델은 원래 모델과 크기가 똑같으니 압축 기법이 아닙니다.",
    answer_en="LoRA is parameter-efficient fine-tuning: the base weights stay frozen and a trainable low-rank update ΔW = B·A, scaled by alpha/r, is learned beside chosen linear layers such as q_proj and v_proj. Only A and B are trained and saved as a small adapter, and after merging the model has exactly the base model's size, so LoRA is not a compression method.",
))

# --- how a GPT works ----------------------------------------------------------------------------

_ALL.append(Concept(
    key="token",
    name_ko="토큰과 어휘",
    name_en="Tokens and vocabulary",
    explanations_ko=(
        "언어 모델은 글자나 단어를 직접 읽지 않고, 먼저 텍스트를 토큰이라는 조각으로 나눕니다. 토큰은 단어 하나일 수도 있고, 단어의 일부나 글자 하나, 심지어 바이트 하나일 수도 있어요. 텍스트를 어떻게 자를지는 토크나이저가 정합니다.",
        "어휘에 있는 토큰마다 id라는 번호가 있고, 모델이 실제로 보는 것은 이 번호들뿐입니다. 모델 안에서 각 id는 임베딩 표의 한 줄, 즉 학습된 벡터를 꺼내 와요. 출력 쪽에서는 어휘의 모든 id에 점수를 매겨 다음 토큰을 예측합니다.",
        "어휘는 토크나이저가 아는 모든 토큰의 고정된 목록이고, 그 크기가 모델의 vocab_size입니다. 특수 토큰에도 id가 있어서, 우리 토크나이저에서는 <unk>가 0, <s>가 1, </s>가 2, <pad>가 3이에요. <s>는 글의 시작을, </s>는 글의 끝을 표시합니다.",
        "토큰 수는 단어 수와 다릅니다. 자주 쓰는 단어는 토큰 하나인 경우가 많지만 드문 단어는 여러 조각으로 나뉘고, 조사가 붙은 한국어 단어도 두 개 이상의 토큰이 되곤 해요. max_length나 모델이 한 번에 볼 수 있는 길이는 언제나 토큰 수로 셉니다.",
    ),
    explanations_en=(
        "A language model does not read letters or words directly; the text is first cut into pieces called tokens. A token can be a whole word, part of a word, a single character or even a single byte. The tokenizer decides how the text is cut.",
        "Every token in the vocabulary has a number, its id, and the model only ever sees these ids. Inside the model each id selects one row of the embedding table, a learned vector. At the output the model gives a score to every id in the vocabulary to predict the next token.",
        "The vocabulary is the fixed list of all tokens a tokenizer knows, and its size is the model's vocab_size. Special tokens have ids too: in our tokenizer <unk> is 0, <s> is 1, </s> is 2 and <pad> is 3. The <s> token marks the start of a text and </s> its end.",
        "Token counts are not word counts. A common word is often a single token while a rare word is split into several pieces, and a Korean word with a particle attached often becomes two or more tokens. Lengths such as max_length or the model's context window are always counted in tokens.",
    ),
    questions_ko=(
        "토큰이 뭐예요?",
        "토큰 id는 어떻게 정해지나요?",
        "어휘(vocabulary)가 뭔가요?",
        "토큰 수와 단어 수는 같은가요?",
        "모델은 텍스트를 어떻게 숫자로 바꿔서 읽나요?",
    ),
    questions_en=(
        "What is a token?",
        "What is a token id?",
        "What is the vocabulary of a tokenizer?",
        "Is the number of tokens the same as the number of words?",
        "How does a model turn text into numbers?",
    ),
    answer_ko="토큰은 토크나이저가 텍스트를 자른 조각(단어, 단어의 일부, 글자나 바이트)이고, 어휘에 있는 각 토큰에는 id라는 번호가 있습니다. 모델은 이 id들을 입력으로 받아 다음 토큰의 id를 예측해요.",
    answer_en="A token is a piece of text cut out by the tokenizer: a word, part of a word, a character or a byte. Each token in the vocabulary has an id, and the model reads these ids and predicts the id of the next token.",
))

_ALL.append(Concept(
    key="kv_cache",
    name_ko="KV 캐시",
    name_en="KV cache",
    explanations_ko=(
        "GPT가 글을 생성할 때 새 토큰은 앞선 모든 토큰의 키(key)와 값(value)을 봅니다. 인과 마스크 때문에 이미 계산한 키와 값은 뒤에 토큰이 붙어도 바뀌지 않으니, KV 캐시에 저장해 두고 다시 쓸 수 있어요. 그러면 매 단계에서 새 토큰 하나의 쿼리, 키, 값만 계산하고 새 키와 값을 캐시에 덧붙이면 됩니다.",
        "캐시가 없으면 생성 단계마다 지금까지의 문장 전체를 모델에 다시 통과시켜야 합니다. KV 캐시를 쓰면 프롬프트는 한 번만 처리하고, 그 뒤로는 단계마다 새 토큰 하나만 넣어요. 그래서 특히 긴 글을 만들 때 생성이 훨씬 빨라집니다.",
        "KV 캐시의 대가는 메모리입니다. 층마다, 지나간 토큰마다 키 벡터와 값 벡터를 하나씩 들고 있어서 글이 길어지고 배치가 커질수록 캐시도 커져요. 여러 쿼리 헤드가 키·값 헤드 하나를 함께 쓰는 grouped-query attention은 캐시 메모리를 아끼는 방법 중 하나입니다.",
        "캐시는 속도만 높일 뿐 결과를 바꾸지 않습니다. KV 캐시를 쓰든 안 쓰든 아주 작은 부동소수점 오차를 빼면 같은 로짓이 나와요. transformers에서는 use_cache=True 옵션과 모델이 돌려주는 past_key_values가 바로 이 캐시입니다.",
    ),
    explanations_en=(
        "When a GPT generates text, each new token attends to the keys and values of all earlier tokens. Because of the causal mask, those keys and values never change once computed, so they can be stored in a KV cache and reused. At each step only the new token's query, key and value are computed, and its key and value are appended to the cache.",
        "Without a cache, every generation step would run the whole text so far through the model again. With a KV cache the prompt is processed once, and after that each step feeds in only the one new token. This makes generation much faster, especially for long texts.",
        "The price of a KV cache is memory. It holds one key vector and one value vector per layer and per past token, so it grows with the length of the text and the batch size. Grouped-query attention, where several query heads share one key-value head, is one way to save cache memory.",
        "The cache only speeds generation up; it does not change the result. Generating with or without a KV cache gives the same logits, apart from tiny floating-point differences. In transformers this is the use_cache=True option and the past_key_values that the model returns.",
    ),
    questions_ko=(
        "KV 캐시가 뭐예요?",
        "KV 캐시를 쓰면 왜 생성이 빨라지나요?",
        "KV 캐시는 메모리를 얼마나 쓰나요?",
        "use_cache=True는 무슨 뜻인가요?",
        "past_key_values에는 무엇이 들어 있나요?",
    ),
    questions_en=(
        "What is a KV cache?",
        "Why does a KV cache make generation faster?",
        "How much memory does the KV cache use?",
        "What does use_cache=True do?",
        "What is stored in past_key_values?",
    ),
    answer_ko="KV 캐시는 앞선 토큰들의 키와 값을 저장해 두어, 새 토큰을 만들 때마다 그 토큰 하나의 것만 새로 계산하게 하는 장치입니다. 덕분에 생성이 빨라지고, 대신 글 길이에 비례해 메모리를 더 씁니다.",
    answer_en="A KV cache keeps the keys and values of past tokens, so each new token only computes its own instead of reprocessing the whole text. This makes generation faster, at the cost of memory that grows with the text length.",
))

_ALL.append(Concept(
    key="rope",
    name_ko="RoPE (회전 위치 임베딩)",
    name_en="RoPE (rotary position embedding)",
    explanations_ko=(
        "RoPE(회전 위치 임베딩)는 쿼리와 키 벡터를 회전시켜서 어텐션에 토큰의 위치를 알려 줍니다. 벡터의 차원을 두 개씩 짝지어, 각 짝을 토큰 위치에 따라 커지는 각도만큼 돌려요. 토큰 임베딩에 무언가를 더하지 않고, 모든 어텐션 층 안에서 회전을 적용합니다.",
        "회전의 핵심은 내적에서 일어나는 일입니다. m번 위치의 쿼리와 n번 위치의 키를 내적하면 두 회전이 각도 차이만큼의 회전 하나로 합쳐져서, 점수는 두 벡터의 내용과 거리 m − n에만 좌우돼요. 그래서 어텐션 점수는 두 토큰의 절대 위치가 아니라 얼마나 떨어져 있는지에 따라 정해집니다.",
        "차원 짝마다 회전 속도가 다릅니다. 어떤 짝은 위치가 바뀔 때 빠르게 돌고 어떤 짝은 아주 천천히 돌아서, 가까운 거리와 먼 거리를 모두 구별할 수 있어요. 회전 속도는 rope_theta라는 기준값으로 정하며 흔히 10000을 씁니다.",
        "RoPE는 쿼리와 키에만 적용하고 값(value)에는 적용하지 않습니다. 학습되는 파라미터가 없어서 모델 크기를 늘리지도 않아요. 우리 모델 같은 LLaMA 계열 모델은 학습된 위치 임베딩 표 대신 RoPE를 씁니다.",
    ),
    explanations_en=(
        "RoPE (rotary position embedding) tells attention where each token is by rotating the query and key vectors. Their dimensions are grouped in pairs, and each pair is rotated by an angle that grows with the token's position. Nothing is added to the token embeddings; the rotation happens inside every attention layer.",
        "The point of the rotation is what happens in the dot product. When a query at position m meets a key at position n, the two rotations combine into one rotation by the difference of their angles, so the score depends on the content and on the distance m − n. Attention scores therefore depend on how far apart two tokens are, not on their absolute positions.",
        "Different pairs of dimensions rotate at different speeds. Some pairs turn quickly as the position changes and others very slowly, so the model can tell apart both short and long distances. The speeds come from a base value, rope_theta, which is often 10000.",
        "RoPE is applied to queries and keys only, not to values. It has no learned parameters, so it adds nothing to the model's size. LLaMA-style models such as ours use RoPE instead of a learned table of position embeddings.",
    ),
    questions_ko=(
        "RoPE가 뭐예요?",
        "회전 위치 임베딩은 어떻게 동작하나요?",
        "RoPE를 쓰면 왜 상대적인 거리가 반영되나요?",
        "rope_theta는 무슨 값인가요?",
        "RoPE는 값(value) 벡터에도 적용되나요?",
    ),
    questions_en=(
        "What is RoPE?",
        "How do rotary position embeddings work?",
        "Why does RoPE capture relative distance?",
        "What is rope_theta?",
        "Is RoPE applied to the value vectors too?",
    ),
    answer_ko="RoPE는 쿼리와 키 벡터의 차원 짝을 위치에 따라 정해지는 각도만큼 회전시키는 위치 표현 방법입니다. 그래서 어텐션 점수가 두 토큰 사이의 상대적인 거리에 따라 달라져요.",
    answer_en="RoPE (rotary position embedding) rotates pairs of query and key dimensions by an angle that depends on the token's position. As a result, attention scores depend on the relative distance between tokens.",
))

_ALL.append(Concept(
    key="language_model",
    name_ko="언어 모델 (GPT)",
    name_en="Language model (GPT)",
    explanations_ko=(
        "GPT 같은 언어 모델은 앞에 나온 토큰들을 보고 다음 토큰을 예측합니다. 위치마다 어휘의 모든 토큰에 대한 확률을 내놓아요. 학습은 실제로 다음에 온 토큰이 높은 확률을 받도록 가중치를 조금씩 고치는 과정입니다.",
        "글을 생성하는 방법은 간단한 한 단계를 되풀이하는 것입니다. 모델이 지금까지의 글을 읽고, 예측한 확률에서 다음 토큰을 하나 고른 뒤, 그 토큰을 뒤에 붙여 다시 읽어요. 끝 토큰 </s>가 나오거나 정한 길이에 닿으면 멈춥니다.",
        "GPT는 Generative Pre-trained Transformer의 줄임말입니다. 트랜스포머 디코더 블록을 여러 층 쌓은 구조이고, 인과 마스크가 있는 셀프 어텐션 때문에 각 위치는 앞쪽 토큰만 볼 수 있어요. 이것이 바로 다음 토큰 예측에 필요한 조건입니다.",
        "학습할 때는 모든 위치의 다음 토큰을 한꺼번에 예측합니다. 입력은 글 그대로이고, 정답은 같은 글을 한 토큰 왼쪽으로 민 것이며, 손실은 예측 확률과 실제 다음 토큰 사이의 교차 엔트로피예요. 반면 생성할 때는 토큰을 한 번에 하나씩 만들어 냅니다.",
    ),
    explanations_en=(
        "A language model such as GPT predicts the next token from the tokens before it. At every position it outputs a probability for each token in the vocabulary. Training nudges the weights so that the token that really came next gets a high probability.",
        "Generation repeats one simple step. The model reads the text so far, picks the next token from its predicted probabilities, appends it, and reads again. It stops when it produces the end token </s> or reaches a length limit.",
        "GPT stands for Generative Pre-trained Transformer. It is a stack of transformer decoder blocks with causal self-attention, so each position can only see earlier tokens. That is exactly what next-token prediction needs.",
        "During training the model predicts the next token at every position at once. The input is the text, the target is the same text shifted one token to the left, and the loss is the cross-entropy between the predicted probabilities and the real next tokens. During generation, by contrast, tokens are produced one at a time.",
    ),
    questions_ko=(
        "언어 모델이 뭐예요?",
        "GPT는 어떻게 글을 만들어 내나요?",
        "GPT는 무엇을 예측하도록 학습되나요?",
        "GPT는 무슨 뜻의 약자인가요?",
        "모델은 생성을 언제 멈추나요?",
    ),
    questions_en=(
        "What is a language model?",
        "How does GPT generate text?",
        "What is a GPT trained to predict?",
        "What does GPT stand for?",
        "When does the model stop generating?",
    ),
    answer_ko="GPT 같은 언어 모델은 앞의 토큰들을 보고 다음 토큰을 예측합니다. 글을 생성할 때는 다음 토큰을 하나 골라 뒤에 붙이는 일을 한 토큰씩 되풀이해요.",
    answer_en="A language model such as GPT predicts the next token from the previous ones. Generation repeats this one token at a time: pick the next token, append it, and predict again.",
))

_ALL.append(Concept(
    key="llama_alpaca",
    name_ko="LLaMA, Alpaca, Vicuna",
    name_en="LLaMA, Alpaca and Vicuna",
    explanations_ko=(
        "LLaMA는 Meta가 만든 대규모 언어 모델 계열로, 2023년에 처음 공개될 때 70억에서 650억 개 파라미터 크기의 가중치와 코드가 함께 나왔습니다. 디코더만 쓰는 트랜스포머이고, 우리 데모 모델도 RMSNorm, SwiGLU, RoPE를 쓰는 LLaMA의 구조를 따라요. 첫 LLaMA 가중치는 비상업적 연구용 라이선스로 연구자들에게 제공되었습니다.",
        "Alpaca는 스탠퍼드에서 LLaMA 7B를 약 5만 2천 개의 지시문–답변 쌍으로 미세조정한 모델입니다. 이 데이터는 OpenAI 모델로 만들어졌고, 그 결과 원래 LLaMA보다 지시를 훨씬 잘 따르게 되었어요. 비교적 적은 지시 데이터로도 기본 모델이 지시를 따르게 만들 수 있음을 보여 준 사례입니다.",
        "Vicuna는 사용자들이 공유한 ChatGPT 대화로 LLaMA를 미세조정한 모델입니다. 실제로 여러 번 주고받은 대화로 학습해서 크기에 비해 대화를 꽤 잘하는 채팅 모델이 되었어요. Alpaca처럼 처음부터 학습하지 않고 공개된 LLaMA 가중치 위에서 출발했습니다.",
        "세 이름에는 공통된 흐름이 있습니다. 기본 모델을 많은 텍스트로 한 번 사전학습하고, 그 뒤 지시 데이터로 적은 비용을 들여 미세조정하는 것이에요. LLaMA는 글을 이어 쓰기만 하는 기본 모델이고 Alpaca와 Vicuna는 그것을 지시 학습한 버전이며, 우리 강의도 작은 GPT에 LoRA를 얹어 같은 일을 작게 해 봅니다.",
    ),
    explanations_en=(
        "LLaMA is a family of large language models from Meta; its first release in 2023 came with weights and code in sizes from 7 to 65 billion parameters. It is a decoder-only transformer, and our demo model follows its layout with RMSNorm, SwiGLU and RoPE. The first LLaMA weights were shared with researchers under a non-commercial research license.",
        "Alpaca is a model from Stanford that fine-tuned LLaMA 7B on about 52,000 instruction–answer pairs. The pairs were generated with an OpenAI model, and the result follows instructions much better than the plain base model. It showed that a fairly small instruction set can teach a base model to follow instructions.",
        "Vicuna fine-tuned LLaMA on ChatGPT conversations that users had shared. Training on real multi-turn dialogues made it a fairly capable chat model for its size. Like Alpaca, it started from LLaMA's released weights instead of training from scratch.",
        "The three names show a common pattern: a base model is pre-trained once on a lot of text, then fine-tuned cheaply on instruction data. LLaMA is the base model that only continues text, while Alpaca and Vicuna are instruction-tuned versions of it. Our course does the same on a tiny scale, with LoRA on top of a small GPT.",
    ),
    questions_ko=(
        "LLaMA가 뭐예요?",
        "Alpaca는 LLaMA와 어떻게 다른가요?",
        "Vicuna는 어떻게 만들어졌나요?",
        "라마, 알파카, 비쿠나는 서로 무슨 관계인가요?",
        "Alpaca는 어떤 데이터로 학습했나요?",
    ),
    questions_en=(
        "What is LLaMA?",
        "How is Alpaca different from LLaMA?",
        "How was Vicuna made?",
        "How are LLaMA, Alpaca and Vicuna related?",
        "What data was Alpaca trained on?",
    ),
    answer_ko="LLaMA는 Meta가 가중치와 코드를 공개한 언어 모델 계열입니다. Alpaca는 LLaMA를 지시문–답변 쌍으로, Vicuna는 사용자들이 공유한 대화로 미세조정한 모델이에요.",
    answer_en="LLaMA is a family of language models whose weights and code Meta released. Alpaca fine-tuned LLaMA on instruction–answer pairs, and Vicuna fine-tuned it on conversations that users had shared.",
))

CONCEPTS: dict[str, Concept] = {c.key: c for c in _ALL}
if len(CONCEPTS) != len(_ALL):  # pragma: no cover - guards against a copy-pasted key
    raise RuntimeError("duplicate concept key")
del _ALL

_KEYS = tuple(sorted(CONCEPTS))


def concept_paragraph(rng: random.Random, lang: str) -> str:
    """One explanation paragraph (a single line) of a random concept in ``lang`` ("ko" or "en").

    Deterministic given the state of ``rng``: it draws a concept key, then one of its explanations.
    """
    _check_lang(lang)
    concept = CONCEPTS[rng.choice(_KEYS)]
    return rng.choice(concept.explanations(lang))
