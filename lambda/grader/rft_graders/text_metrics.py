"""Text-similarity measures for ``text_similarity``, implemented from their standard
definitions (no corpora to download at run time) and tested against NLTK / rouge-score.

- fuzzy_match: rapidfuzz ``fuzz.ratio`` / 100 (normalised Indel similarity).
- bleu: sentence BLEU-4 (Papineni et al.), uniform weights, brevity penalty, no smoothing;
  equals ``nltk.translate.bleu_score.sentence_bleu`` for answers of 4+ tokens. Shorter
  answers use only the n-gram orders they have ("effective order", as sacrebleu's sentence
  BLEU does), so a correct two-word answer is not scored 0.
- gleu: sentence GLEU (Wu et al. 2016), n = 1..4; equals NLTK ``sentence_gleu``.
- meteor: METEOR (Banerjee & Lavie) with exact word matches only, alpha 0.9, beta 3,
  gamma 0.5; equals NLTK ``meteor_score`` with stemming and WordNet synonyms off (WordNet is
  a corpus download, which the Lambda cannot do).
- rouge_1..rouge_5, rouge_l: F1 of n-gram overlap / longest common subsequence, tokenised
  like ``rouge_score`` without stemming (lower-case, alphanumeric runs).
"""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD_OR_PUNCT = re.compile(r"\w+|[^\w\s]")
_ALNUM = re.compile(r"[^\W_]+")
_MAX_TOKENS = 5000  # bounds LCS work (quadratic) on pathological inputs


def tokens(text: str) -> list[str]:
    """Tokens for BLEU/GLEU/METEOR: lower-cased words and punctuation marks."""
    return _WORD_OR_PUNCT.findall(text.lower())[:_MAX_TOKENS]


def rouge_tokens(text: str) -> list[str]:
    return _ALNUM.findall(text.lower())[:_MAX_TOKENS]


def _ngrams(seq: list[str], n: int) -> Counter:
    return Counter(tuple(seq[i : i + n]) for i in range(len(seq) - n + 1))


def fuzzy_match(hypothesis: str, reference: str) -> float:
    from rapidfuzz import fuzz

    return fuzz.ratio(hypothesis, reference) / 100.0


def bleu(hyp: list[str], ref: list[str], max_n: int = 4) -> float:
    if not hyp or not ref:
        return 0.0
    max_n = min(max_n, len(hyp))  # effective order for short answers
    log_precision = 0.0
    for n in range(1, max_n + 1):
        hyp_counts = _ngrams(hyp, n)
        total = sum(hyp_counts.values())
        matched = sum((hyp_counts & _ngrams(ref, n)).values())
        if total == 0 or matched == 0:
            return 0.0
        log_precision += math.log(matched / total) / max_n
    brevity = 1.0 if len(hyp) > len(ref) else math.exp(1 - len(ref) / len(hyp))
    return brevity * math.exp(log_precision)


def gleu(hyp: list[str], ref: list[str], min_n: int = 1, max_n: int = 4) -> float:
    hyp_counts: Counter = Counter()
    ref_counts: Counter = Counter()
    for n in range(min_n, max_n + 1):
        hyp_counts.update(_ngrams(hyp, n))
        ref_counts.update(_ngrams(ref, n))
    matched = sum((hyp_counts & ref_counts).values())
    hyp_total, ref_total = sum(hyp_counts.values()), sum(ref_counts.values())
    if hyp_total == 0 or ref_total == 0:
        return 0.0
    return min(matched / hyp_total, matched / ref_total)


def meteor(hyp: list[str], ref: list[str], alpha: float = 0.9, beta: float = 3.0, gamma: float = 0.5) -> float:
    # Alignment as NLTK does it: from the end of both sequences, pair each word with the
    # last still-unpaired equal word of the reference (an index stack per word: linear,
    # where scanning the reference for every word was quadratic).
    unpaired: dict[str, list[int]] = {}
    for j, word in enumerate(ref):
        unpaired.setdefault(word, []).append(j)
    matches = []
    for i in range(len(hyp) - 1, -1, -1):
        stack = unpaired.get(hyp[i])
        if stack:
            matches.append((i, stack.pop()))
    matched = len(matches)
    if matched == 0:
        return 0.0
    matches.sort()
    chunks = 1
    for (h0, r0), (h1, r1) in zip(matches, matches[1:], strict=False):
        if not (h1 == h0 + 1 and r1 == r0 + 1):
            chunks += 1
    precision, recall = matched / len(hyp), matched / len(ref)
    fmean = precision * recall / (alpha * precision + (1 - alpha) * recall)
    penalty = gamma * (chunks / matched) ** beta
    return fmean * (1 - penalty)


def _f1(matched: int, hyp_total: int, ref_total: int) -> float:
    if matched == 0 or hyp_total == 0 or ref_total == 0:
        return 0.0
    precision, recall = matched / hyp_total, matched / ref_total
    return 2 * precision * recall / (precision + recall)


def rouge_n(hyp: list[str], ref: list[str], n: int) -> float:
    hyp_counts, ref_counts = _ngrams(hyp, n), _ngrams(ref, n)
    matched = sum((hyp_counts & ref_counts).values())
    return _f1(matched, sum(hyp_counts.values()), sum(ref_counts.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Longest common subsequence length, bit-parallel (Allison & Dix 1986, Hyyroe 2004):
    one big-integer step per token of ``a`` instead of the len(a) x len(b) table, which
    took seconds at the token cap."""
    masks: dict[str, int] = {}
    for j, word in enumerate(b):
        masks[word] = masks.get(word, 0) | (1 << j)
    full = (1 << len(b)) - 1
    v = full
    for word in a:
        u = v & masks.get(word, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - v.bit_count()


def rouge_l(hyp: list[str], ref: list[str]) -> float:
    if not hyp or not ref:
        return 0.0
    return _f1(lcs_length(hyp, ref), len(hyp), len(ref))


def similarity(metric: str, hypothesis: str, reference: str) -> float:
    """Score in [0, 1] for one of the OpenAI ``evaluation_metric`` names."""
    if metric == "fuzzy_match":
        return fuzzy_match(hypothesis, reference)
    if metric.startswith("rouge_"):
        hyp, ref = rouge_tokens(hypothesis), rouge_tokens(reference)
        return rouge_l(hyp, ref) if metric == "rouge_l" else rouge_n(hyp, ref, int(metric[-1]))
    hyp, ref = tokens(hypothesis), tokens(reference)
    if metric == "bleu":
        return bleu(hyp, ref)
    if metric == "gleu":
        return gleu(hyp, ref)
    if metric == "meteor":
        return meteor(hyp, ref)
    raise ValueError(f"unknown metric {metric}")
