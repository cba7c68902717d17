"""Writes math_corpus.jsonl: the labelled spec of the math_reasoning template.

    .venv/bin/python tests/lambda/grader/data/make_math_corpus.py

Every label is fixed by how the case is built (a genuine solution of a problem whose answer
is known, a wrong value, a hedge in some phrasing), never by running the grader. The file is
committed; ``test_math_corpus.py`` asserts the grader scores it as labelled and
``benchmarks/math_corpus.py`` reports the error rates.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("math_corpus.jsonl")

# (id, working that leads to the answer, answer as a number string, a wrong neighbour)
PROBLEMS = [
    ("clips", "Natalia sold 48/2 = 24 clips in May. Altogether she sold 48 + 24 = 72 clips.", "72", "71"),
    ("weng", "Weng earns 12/60 = $0.2 per minute. Working 50 minutes, she earned 0.2 x 50 = $10.", "10", "12"),
    (
        "betty",
        "Betty has 100 / 2 = $50. Her grandparents give her 15 * 2 = $30. She needs 100 - 50 - 30 - 15 = $5 more.",
        "5",
        "15",
    ),
    (
        "julie",
        "Yesterday she read 12 pages, today 12 x 2 = 24 pages, so 36 in total. 120 - 36 = 84 pages remain; half is 84/2 = 42.",
        "42",
        "84",
    ),
    (
        "james",
        "He writes 3 pages x 2 friends = 6 pages twice a week, 12 pages a week, so 12 x 52 = 624 pages a year.",
        "624",
        "312",
    ),
    (
        "mark",
        "There are 80/100 * 10 = 8 more purple flowers, so 18 purple. Yellow and purple: 10 + 18 = 28. Green: 25/100 * 28 = 7. Total 28 + 7 = 35.",
        "35",
        "28",
    ),
    (
        "albert",
        "Two large pizzas have 2 * 16 = 32 slices and two small ones 2 * 8 = 16 slices, so 32 + 16 = 48 slices.",
        "48",
        "32",
    ),
    ("ken", "The box weighed 2 pounds, then 2 * 3 = 6, then 6 + 2 = 8, then 8 * 2 = 16 pounds.", "16", "8"),
    ("alexis", "She spent 30 + 46 + 38 + 11 + 18 = 143 dollars. 200 - 16 - 143 = 41 dollars on shoes.", "41", "143"),
    (
        "tina",
        "Regular pay is 8 * 18 = 144 per day; overtime 2 hours at 27 = 54. Per day 198, for 5 days 198 * 5 = 990.",
        "990",
        "900",
    ),
    ("area", "The rectangle is 12 by 7, so its area is 12 * 7 = 84 square units.", "84", "19"),
    ("train", "The train covers 360 km in 4 hours, so its speed is 360 / 4 = 90 km/h.", "90", "80"),
    (
        "eggs",
        "Janet's ducks lay 16 eggs; she eats 3 and bakes with 4, leaving 16 - 3 - 4 = 9 eggs sold at $2: 9 * 2 = 18 dollars.",
        "18",
        "16",
    ),
    ("robe", "A robe takes 2 bolts of blue fiber and 2/2 = 1 bolt of white, so 2 + 1 = 3 bolts.", "3", "2"),
    (
        "house",
        "Cost 80,000 + 50,000 = 130,000. Value 80,000 * 2.5 = 200,000 more, 280,000. Profit 280,000 - 130,000 = 70,000.",
        "70000",
        "130000",
    ),
    ("sprint", "He runs 3 sprints * 3 times = 9 sprints of 60 meters: 9 * 60 = 540 meters a week.", "540", "180"),
    ("neg", "The temperature fell from 4 degrees by 11 degrees: 4 - 11 = -7 degrees.", "-7", "7"),
    ("half", "Each of the 3 friends gets 7.5 / 3 = 2.5 liters.", "2.5", "2"),
    ("pct", "Out of 40 students, 10 passed with honours, which is 10 / 40 * 100 = 25 percent.", "25", "20"),
    (
        "big",
        "The city has 1,234,000 residents and 333,567 arrive, so 1,234,000 + 333,567 = 1,567,567.",
        "1567567",
        "1567657",
    ),
]

# (id, response, gold, label) written by hand: formats, LaTeX, symbolic, edge cases.
HAND: list[tuple[str, str, str, bool, str]] = []


def add(category, response, gold, passes, prompt="q"):
    HAND.append((category, response, gold, passes, prompt))


# ---- number formats (pass) ------------------------------------------------------------------
for resp, gold in [
    ("\\boxed{1,234,567}", "1234567"),
    ("\\boxed{1234567}", "1,234,567"),
    ("\\boxed{1\u2009234\u2009567}", "1234567"),
    ("\\boxed{1\u00a0234\u00a0567}", "1234567"),
    ("\\boxed{1\u202f234\u202f567}", "1234567"),
    ("\\boxed{1 234 567}", "1234567"),
    ("\\boxed{1.234.567}", "1234567"),
    ("\\boxed{1'234'567}", "1234567"),
    ("\\boxed{1\u2019234\u2019567}", "1234567"),
    ("\\boxed{12,34,567}", "1234567"),
    ("\\boxed{1,23,45,678}", "12345678"),
    ("\\boxed{12,34,567.50}", "1234567.5"),
    ("\\boxed{1.234.567,5}", "1234567.5"),
    ("\\boxed{1.234,5}", "1234.5"),
    ("\\boxed{1 234,5}", "1234.5"),
    ("\\boxed{1,234.5}", "1234.5"),
    ("The answer is 1\u2009000.", "1000"),
    ("Total: 12\u00a0500 people. #### 12\u00a0500", "12500"),
    ("#### 2,500", "2500"),
    ("#### 2500", "2,500"),
    ("The answer is $1,000,000.", "1000000"),
    ("\\boxed{2 1/2}", "2.5"),
    ("\\boxed{2 1/2}", "5/2"),
    ("\\boxed{2\\frac{1}{2}}", "2.5"),
    ("\\boxed{2 \\frac{1}{2}}", "\\frac{5}{2}"),
    ("\\boxed{-2 1/2}", "-2.5"),
    ("\\boxed{3 3/4} cups", "3.75"),
    ("The answer is 2½.", "2.5"),
    ("\\boxed{½}", "0.5"),
    ("#### 1 1/3", "4/3"),
    ("\\boxed{7\\frac{1}{4}}", "29/4"),
    ("\\boxed{٧٢}", "72"),
    ("الجواب هو ٧٢", "72"),
    ("\\boxed{７２}", "72"),
    ("答案是 \\boxed{７２}", "72"),
    ("\\boxed{٣٫٥}", "3.5"),
    ("\\boxed{١٬٢٣٤}", "1234"),
    ("उत्तर \\boxed{४२} है", "42"),
    ("\\boxed{৭২}", "72"),
    ("\\boxed{72}", "٧٢"),
    ("\\boxed{−5}", "-5"),
    ("\\boxed{－5}", "-5"),
    ("\\boxed{50\\%}", "50"),
    ("\\boxed{50\\%}", "0.5"),
    ("\\boxed{0.5}", "50%"),
    ("The answer is 25 percent.", "25"),
    ("\\boxed{\\$18}", "18"),
    ("\\boxed{18 \\text{ dollars}}", "18"),
    ("\\boxed{€18}", "18"),
    ("\\boxed{₹ 1,20,000}", "120000"),
    ("\\boxed{5 \\text{ cm}}", "5"),
    ("\\boxed{90^\\circ}", "90"),
    ("\\boxed{90°}", "90"),
    ("\\boxed{x = 4}", "4"),
    ("\\boxed{2.5 million}", "2500000"),
    ("\\boxed{3 thousand}", "3000"),
    ("\\boxed{1.5e3}", "1500"),
    ("\\boxed{.5}", "0.5"),
    ("\\boxed{0.50}", "0.5"),
    ("\\boxed{+7}", "7"),
    ("**Answer:** 72", "72"),
    ("**Final Answer:** $72$", "72"),
    ("Final Answer: The final answer is $72$. I hope it is correct.", "72"),
    ("The answer is: **72**", "72"),
    ("Answer = 72", "72"),
    ("The correct answer is 72 clips.", "72"),
    ("So my final answer is therefore 72.", "72"),
    ("The answer is \\(72\\).", "72"),
    ("The answer is $\\boxed{72}$.", "72"),
    ("\\boxed{\\textbf{72}}", "72"),
    ("\\fbox{72}", "72"),
    ("\\boxed 72", "72"),
    ("\\boxed{\\boxed{7}}", "7"),
]:
    add("number_format", resp, gold, True)

# ---- number formats (fail: ambiguous or different) ----------------------------------------------
for resp, gold in [
    ("\\boxed{1,5}", "1.5"),
    ("\\boxed{1,5}", "15"),
    ("\\boxed{0,25}", "0.25"),
    ("\\boxed{0,25}", "25"),
    ("\\boxed{1,234,56}", "123456"),
    ("\\boxed{1,234,56}", "1234.56"),
    ("\\boxed{1.234}", "1234"),
    ("\\boxed{12,3}", "12.3"),
    ("\\boxed{1,2,3}", "123"),
    ("\\boxed{2 1/2}", "2"),
    ("\\boxed{2 1/2}", "0.5"),
    ("\\boxed{2\\frac{1}{2}}", "1"),
    ("\\boxed{٧٢}", "27"),
    ("\\boxed{1.234.567}", "1.234567"),
    ("\\boxed{5 million}", "5"),
    ("\\boxed{5 or six}", "5"),
    ("\\boxed{1e999999999}", "1"),
    ("\\boxed{1'234}", "1.234"),
    ("\\boxed{1 234}", "234"),
    ("\\boxed{12,34,567}", "1234576"),
]:
    add("number_format_fail", resp, gold, False)

# ---- symbolic (pass / fail) ---------------------------------------------------------------------
for resp, gold, ok in [
    ("\\boxed{\\frac{3}{4}}", "0.75", True),
    ("\\boxed{3/4}", "\\frac{3}{4}", True),
    ("\\boxed{\\dfrac{3}{4}}", "3/4", True),
    ("\\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{1}{\\sqrt{2}}", True),
    ("\\boxed{(x+1)^2}", "x^2 + 2x + 1", True),
    ("\\boxed{2\\sqrt{3}}", "\\sqrt{12}", True),
    ("\\boxed{\\pi/2}", "\\frac{\\pi}{2}", True),
    ("\\boxed{(1, 2)}", "(1, 2)", True),
    ("\\boxed{(2, 1)}", "(1, 2)", False),
    ("\\boxed{[0, 1)}", "[0,1)", True),
    ("\\boxed{\\frac{4}{3}}", "0.75", False),
    ("\\boxed{x^2 + 1}", "(x+1)^2", False),
    ("\\boxed{\\pi}", "3", False),
    ("\\boxed{3, -3}", "3, -3", True),
    ("\\boxed{x = 3 \\text{ or } x = -3}", "3, -3", True),
    ("\\boxed{\\pm 3}", "\\pm 3", True),
    ("\\boxed{9^{9^{9}}}", "1", False),
]:
    add("symbolic", resp, gold, ok)

# ---- hedges: several values offered (all fail) ----------------------------------------------
HEDGES = [
    "The answer is {w}, {g}.",
    "The answer is {w} or {g}.",
    "The answer is either {w} or {g}.",
    "The answer could be {w} or {g}.",
    "It could be {w}, but it could also be {g}. \\boxed{{{g}}}",
    "Possible answers: {w}, {g}.",
    "Possible answers: {w}, {g}.\n\nFinal answer: {g}",
    "Candidates:\n- {w}\n- {g}\n\n\\boxed{{{g}}}",
    "\\boxed{{{w}}} or maybe \\boxed{{{g}}}",
    "\\boxed{{{w}}}\n\\boxed{{{g}}}",
    "\\boxed{{{w}, {g}}}",
    "\\boxed{{{w} \\text{{ or }} {g}}}",
    "#### {w}\n#### {g}",
    "#### {w}\n\n\\boxed{{{g}}}",
    "The answer is {w}.\n\\boxed{{{g}}}",
    "x = {w} or x = {g}",
    "x = {w} or x = {g}. \\boxed{{{g}}}",
    "\\boxed{{x = {w} \\text{{ or }} x = {g}}}",
    "I'm not sure whether it is {w} or {g}. The answer is {g}.",
    "Maybe {w}, maybe {g}. #### {g}",
    "It's {w}, {g}, or something close. The answer is {g}.",
    "Options: {w} | {g}. I pick \\boxed{{{g}}}",
    "| Option | Value |\n|---|---|\n| A | {w} |\n| B | {g} |\n\nAnswer: {g}",
    "| Candidate answer |\n|---|\n| {w} |\n| {g} |\n\n\\boxed{{{g}}}",
    "The answer is one of {w}, {g}.",
    "Either {w} or {g}; I'll say \\boxed{{{g}}}.",
    "{w}? or {g}? Final answer: {g}",
    "{w} or {g}",
    "The result is {w} or possibly {g}.",
    "Answer: {w}\nAnswer: {g}",
    "The final answer is {w}. The final answer is {g}.",
    "I guess {w}, {g}. \\boxed{{{g}}}",
    "\\boxed{{{g}}} (or {w} if rounding differently)",
    "It might be {w} and it might be {g}. So \\boxed{{{g}}}",
    "My options are {w} and {g}. \\boxed{{{g}}}",
    "We get {w} or {g} depending on interpretation. \\boxed{{{g}}}",
    "\\boxed{{{w}}} \\boxed{{{g}}}",
    "So the answer would be {w} or {g}, and I'd go with {g}.",
    "Perhaps {w} or {g}.\n\n**Final Answer:** {g}",
]
for pid, working, gold, wrong in PROBLEMS:
    for index, hedge in enumerate(HEDGES):
        if (index + len(pid)) % 2 and pid not in ("clips", "big"):
            continue  # half the phrasings per problem keeps the corpus readable
        add(f"hedge_{index:02d}", working + "\n\n" + hedge.format(w=wrong, g=gold), gold, False)
# "plus or minus" against a single gold
add("hedge_pm", "x^2 = 9 so \\boxed{\\pm 3}", "3", False)
add("hedge_pm", "\\boxed{x = \\pm 3}", "3", False)
add("hedge_many_boxes", " ".join(f"\\boxed{{{n}}}" for n in range(30)), "7", False)
add("hedge_many_boxes", "\\boxed{7} " * 25, "7", False)

# ---- genuine solutions of every problem (pass) and wrong ones (fail) ---------------------
FINALS = [
    "#### {a}",
    "The answer is {a}.",
    "\\boxed{{{a}}}",
    "So the answer is $\\boxed{{{a}}}$.",
    "Final answer: {a}",
    "**Answer:** {a}",
    "",
    "Therefore, the total is {a}.",
]
for _pid, working, gold, wrong in PROBLEMS:
    for final in FINALS:
        add("genuine", (working + "\n\n" + final.format(a=gold)).strip(), gold, True)
        if final:
            add("wrong", (working.replace(gold, wrong) + "\n\n" + final.format(a=wrong)).strip(), gold, False)
    # gold written as a GSM8K worked solution
    add("genuine_gold_solution", working + "\n#### " + gold, working + "\n#### " + gold, True)
    add("genuine_repeat", f"{working} The answer is {gold}.\n\n\\boxed{{{gold}}}", gold, True)
    add("genuine_markdown", f"#### Step 1\n{working}\n\n#### Final answer\n\\boxed{{{gold}}}", gold, True)
    add(
        "genuine_restate",
        f"The question gives the numbers {working[:40]}... Let me solve.\n{working}\n#### {gold}",
        gold,
        True,
    )

# ---- legitimate "or" in working (pass) -----------------------------------------------------
for resp, gold in [
    ("x^2 = 9 gives x = 3 or x = -3. Since x is a length, it is positive, so \\boxed{3}.", "3"),
    ("x^2 - 5x + 6 = 0 factors as (x-2)(x-3), so x = 2 or x = 3. The larger root is 3: \\boxed{3}", "3"),
    ("n = 4 or n = -5, but n must be a natural number, so n = 4. #### 4", "4"),
    ("Either we add 48 and 24, or we count again; both give 72. #### 72", "72"),
    ("We could compute 48/2 = 24 first, then 48 + 24 = 72. The answer is 72.", "72"),
    ("The primes below 10 are 2, 3, 5 and 7, and their sum is 17. \\boxed{17}", "17"),
    ("The sides are 3, 4 and 5, so the perimeter is 12. #### 12", "12"),
    ("t = 2 or t = -1.5; time cannot be negative, so t = 2. \\boxed{2}", "2"),
    ("Either way, the answer is 72.", "72"),
    ("Between 1 and 10 there are 4 primes. The answer is 4.", "4"),
    ("Hmm, 71? No wait, 48 + 24 = 72. \\boxed{72}", "72"),
    ("Apples cost $3 or less each; she buys 4 at $3, spending 4 * 3 = 12. #### 12", "12"),
    ("The options in the question are A) 10, B) 12, C) 14; computing 3 * 4 = 12 gives \\boxed{12}", "12"),
    ("| Day | Clips |\n|---|---|\n| April | 48 |\n| May | 24 |\n| Total | 72 |\n\n#### 72", "72"),
]:
    add("legit_or", resp, gold, True)

# ---- realistic genuine solutions (pass): the false-fail side of the hedge detector ---------
for resp, gold in [
    ("The units digit can be 1, 3, 5, 7, or 9, so there are 5 choices. \\boxed{5}", "5"),
    ("The possible values of the last digit are 0, 2, 4, 6, 8, so there are 5 possibilities. The answer is 5.", "5"),
    ("The last digit must be one of 0, 2, 4, 6, 8. So there are $\\boxed{5}$ such digits.", "5"),
    ("The probability is 1/2, or 50%. \\boxed{\\frac{1}{2}}", "1/2"),
    ("That is 3/4 or 0.75 of the tank. #### 0.75", "0.75"),
    ("She keeps 75% or 0.75 of the money, which is 0.75 * 80 = 60 dollars. #### 60", "60"),
    ("x = 2 or x = 3. Plugging x = 2 into the original equation gives 4 = 5, which fails, so \\boxed{3}.", "3"),
    ("Solving, k = -4 or k = 4; k must be positive, so k = 4.\n\nThe answer is 4.", "4"),
    ("Let the numbers be a and b with a + b = 10 and a - b = 2. Then a = 6 and b = 4, so ab = 24. \\boxed{24}", "24"),
    ("We have x = 3, y = 5, so x + y = 8. \\boxed{8}", "8"),
    (
        "**Step 1.** April: 48 clips.\n**Step 2.** May: 48 / 2 = 24 clips.\n**Step 3.** Total: 48 + 24 = 72.\n\n**Answer:** 72",
        "72",
    ),
    ("- April: 48\n- May: 24\n- Total: 72\n\nThe answer is 72.", "72"),
    (
        "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 72",
        "72",
    ),
    ("\\begin{align*} 2x + 5 &= 13 \\\\ 2x &= 8 \\\\ x &= 4 \\end{align*} So $x = \\boxed{4}$.", "4"),
    (
        "The first digit has 9 choices and each of the other two has 10, so there are 9 \\cdot 10 \\cdot 10 = 900 numbers. \\boxed{900}",
        "900",
    ),
    (
        "Using the quadratic formula, $x = \\frac{5 \\pm 1}{2}$, so $x = 3$ or $x = 2$. The question asks for the larger root: $\\boxed{3}$.",
        "3",
    ),
    ("The sum of 1, 2, 3, ..., 10 is 10 * 11 / 2 = 55. \\boxed{55}", "55"),
    ("We test n = 1, 2, 3: only n = 3 works. \\boxed{3}", "3"),
    ("If each box holds 12 eggs and there are 7 boxes, there are 12 * 7 = 84 eggs.\n\nFinal answer: 84", "84"),
    ("The answer is 72 clips, which is 48 + 24.", "72"),
    ("The answer is 72 (that is 48 + 24).", "72"),
    ("The answer is 10 dollars, or $10.", "10"),
    ("The train is 90 km/h fast; at 80 km/h it would be slower. #### 90", "90"),
    ("Hmm, is it 71? Let me recount: 48 + 24 = 72. So the answer is 72.", "72"),
    ("I think the answer is 72, since 48 + 24 = 72.", "72"),
    ("The answer is 72. (If May sales had been 25, it would be 73.)", "72"),
    ("The remainder when 2^{10} = 1024 is divided by 7 is 2, since 1024 = 7 * 146 + 2. \\boxed{2}", "2"),
    ("Since 15 = 3 \\times 5 and 21 = 3 \\times 7, gcd(15, 21) = 3. \\boxed{3}", "3"),
    ("The angles are 30, 60 and 90 degrees, so the largest is $\\boxed{90^\\circ}$.", "90"),
    ("There are 5 options for the shirt and 3 for the pants: 5 * 3 = 15 outfits. \\boxed{15}", "15"),
    ("x could be 2 or 3 from the factorisation; only x = 3 satisfies x > 2. \\boxed{3}", "3"),
    ("Either 4 or 5 of the coins are dimes; checking the total, 5 dimes gives 50 cents. #### 5", "5"),
    ("The roots are 1 and 2, and their product is 2. \\boxed{2}", "2"),
    ("$f(2) = 4$ and $f(3) = 9$, so $f(2) + f(3) = 13$. \\boxed{13}", "13"),
    ("It costs $1,250 for 5 people, so $1,250 / 5 = $250 each. #### 250", "250"),
    ("Each of the 3 or more friends pays the same; with 4 friends that is 100 / 4 = 25. #### 25", "25"),
    ("```python\nprint(48 + 24)\n```\nOutput: 72\n\n#### 72", "72"),
    ("Answer: 72\n\nExplanation: she sold 48 in April and 24 in May.", "72"),
    ("So, the total number of clips Natalia sold is **72**.", "72"),
    ("Total = 48 + 24 = **72 clips**", "72"),
    ("The final answer is $\\boxed{\\frac{7}{2}}$.", "3.5"),
    ("The value is $\\frac{7}{2} = 3.5$. Final answer: 3.5", "7/2"),
    ("We need 1,000 - 250 = 750 more. #### 750", "750"),
    ("The population is 1.2 million, i.e. 1,200,000. \\boxed{1200000}", "1200000"),
    ("Das Ergebnis ist \\boxed{1.234.567}.", "1234567"),
    ("La réponse est \\boxed{1\u202f234,5}.", "1234.5"),
    ("Die Antwort: \\boxed{3,5}", "3.5"),
]:
    add("genuine_hand", resp, gold, not resp.startswith("Die Antwort"))

# ---- realistic hedges (fail) ----------------------------------------------------------------
for resp, gold in [
    ("The units digit is 1, 3, 5, 7, or 9. \\boxed{5}", "5"),
    ("I'm not sure, but the answer is probably 72, maybe 71.", "72"),
    ("My guesses: 70, 71, 72. \\boxed{72}", "72"),
    ("It could be 71. It could also be 72. Final answer: 72", "72"),
    ("Maybe 71 or 72. \\boxed{72}", "72"),
    ("Answer options: 70, 72. I'll choose 72.", "72"),
    ("Perhaps the answer is 70 or 72. #### 72", "72"),
    ("The result might be 71 and it might be 72; \\boxed{72}", "72"),
    ("\\boxed{71}, \\boxed{72}", "72"),
    ("\\boxed{72} \\boxed{71} \\boxed{72}", "72"),
    ("\\boxed{\\{71, 72\\}}", "72"),
    ("\\boxed{71 \\lor 72}", "72"),
    ("\\boxed{71 \\text{ and } 72}", "72"),
    ("\\boxed{71; 72}", "72"),
    ("The answer is 71 and 72.", "72"),
    ("The answers are 71 and 72.", "72"),
    ("Final answer: 71 / 72", "72"),
    ("71\n72", "72"),
    ("70, 71, 72", "72"),
    ("It's 71 or so, or 72. \\boxed{72}", "72"),
    ("x = 3 or x = 5.\n\n\\boxed{5}", "5"),
    ("The answer is x = 3 or x = 5.", "5"),
    ("$x = 3$ or $x = 5$, so $\\boxed{5}$", "5"),
    ("\\boxed{3} or \\boxed{5}", "5"),
    ("The answer is \\boxed{3}. Actually \\boxed{5}.", "5"),
    ("#### 3\n#### 5", "5"),
    ("#### 3 or 5", "5"),
    ("| guess | value |\n|---|---|\n| 1 | 3 |\n| 2 | 5 |\n\n#### 5", "5"),
    ("Possible results: 3, 5.\nFinal answer: 5", "5"),
    ("Candidates are 3 and 5; I'll go with \\boxed{5}.", "5"),
    ("I'm torn between 3 and 5. \\boxed{5}", "5"),
    ("\\boxed{x = \\pm 5}", "5"),
    ("\\boxed{5} (or possibly 3)", "5"),
    ("\\boxed{5}\n\nAlternatively, 3.", "5"),
]:
    add("hedge_hand", resp, gold, False)

# ---- reasoning (think / harmony) -----------------------------------------------------------
for resp, gold, ok in [
    ("<think>48/2 = 24, so 71? no, 72.</think>\n\n\\boxed{72}", "72", True),
    ("<think>Let me try 70, 71 or 72.</think>\n\nThe answer is 72.", "72", True),
    ("48 / 2 = 24 ... maybe 71 or 72</think>\n\n#### 72", "72", True),
    ("<think>The answer is 72.</think>\n\nThe answer is 71.", "72", False),
    ("<think>The answer is \\boxed{72}.</think>", "72", False),
    ("<think>The answer is \\boxed{72}. Still thinking", "72", False),
    (
        "<|channel|>analysis<|message|>Maybe 70 or 71.<|end|><|start|>assistant<|channel|>final<|message|>\\boxed{72}<|return|>",
        "72",
        True,
    ),
    (
        "<|channel|>analysis<|message|>It is 72.<|end|><|start|>assistant<|channel|>final<|message|>\\boxed{71}<|return|>",
        "72",
        False,
    ),
    ("<|channel|>analysis<|message|>The answer is 72 but I keep thinking", "72", False),
    ("analysisWe need 48+24 = 72, or 71?assistantfinalThe answer is 72.", "72", True),
    ("<THINK>71 or 73</THINK> \\boxed{72}", "72", True),
    ("<thinking>candidates 70, 71</thinking>Final answer: 72", "72", True),
]:
    add("reasoning", resp, gold, ok)

# ---- holdout round 1 ------------------------------------------------------------------------
HOLDOUT_PASS = [  # written after the detector, scored once before any fix (see the report)
    ("First, 15% of 80 is 0.15 * 80 = 12. Then 80 - 12 = 68.\n\nSo the sale price is $68.", "68"),
    ("Let's denote the number of apples as a. We know a + 2a = 36, so 3a = 36 and a = 12.\n\nThe answer is: 12", "12"),
    ("We want 3x + 7 = 22. Subtract 7: 3x = 15. Divide by 3: x = 5.\n\n\\[\\boxed{5}\\]", "5"),
    ("The sequence goes 2, 4, 8, 16, 32, so the 6th term is 64.\n\n#### 64", "64"),
    ("Total cost: 3 × $4.50 = $13.50.\nChange: $20 − $13.50 = $6.50.\n\n**Final answer: $6.50**", "6.5"),
    ("There are 52 cards, 13 of which are hearts. P = 13/52 = 1/4.\n\nThe answer is $\\frac{1}{4}$.", "0.25"),
    ("The equation $x^2 - 4 = 0$ has solutions $x = 2$ and $x = -2$. The positive solution is $\\boxed{2}$.", "2"),
    ("He drives 60 mph for 2.5 hours: 60 * 2.5 = 150 miles.\nAnswer: 150 miles", "150"),
    ("Step 1: 12 + 8 = 20\nStep 2: 20 / 4 = 5\nStep 3: 5 * 3 = 15\n\nTherefore the answer is 15.", "15"),
    (
        "$$\\frac{3}{4} + \\frac{1}{8} = \\frac{6}{8} + \\frac{1}{8} = \\frac{7}{8}$$\nThe answer is $\\boxed{\\frac{7}{8}}$",
        "7/8",
    ),
    ("The cube has side 3, volume 3^3 = 27.\n\nThe volume is **27** cubic units.", "27"),
    ("The number of ways is C(5,2) = 10.\n\n\\boxed{10}", "10"),
    ("Each student gets 24 / 6 = 4 pencils, or 4 pencils each. #### 4", "4"),
    ("The interest is 1000 * 0.05 * 3 = 150 dollars. So she'll have 1,150 dollars. #### 1150", "1150"),
    ("So the answer is 1 234 567.", "1234567"),
    ("If n is even, n = 2k; if odd, n = 2k + 1. For n = 7, the remainder is 1. \\boxed{1}", "1"),
    ("Checking a = 1, 2, 3, 4: only a = 4 gives 16. So a = 4.\n\n#### 4", "4"),
    ("Either the red or the blue ball is drawn first; the probability is 2/5 either way. \\boxed{\\frac{2}{5}}", "2/5"),
    ("The answer is 7 (seven).", "7"),
    ("48 + 24 = 72.\nTherefore, Natalia sold 72 clips altogether in April and May.", "72"),
    ("Since 2^5 = 32 and 2^6 = 64, the answer is 6. \\boxed{6}", "6"),
    ("The median of 3, 5, 7, 9, 11 is 7. \\boxed{7}", "7"),
    ("The answer should be 72.", "72"),
    ("Answer (in dollars): 45", "45"),
    ("$\\boxed{x=5}$", "5"),
    ("Thus, $a+b = \\boxed{-1}$.", "-1"),
    ("ANSWER: 8", "8"),
    ("The answer is **B) 12**.", "12"),
    ("It's between 12 and 13, so I'd say \\boxed{12}.", "12"),  # a range estimate, then one answer
    ("A) 11  B) 12  C) 13\nThe answer is one of these: \\boxed{12}", "12"),  # restated choices, one answer
]
HOLDOUT_FAIL = [
    ("The answer is 12. Or 13. \\boxed{12}", "12"),
    ("12 (maybe 13)", "12"),
    ("Final answer: 12 or 13 depending on rounding", "12"),
    ("Answer: 12/13", "12"),
    ("\\boxed{12}\\boxed{13}", "12"),
    ("\\[\\boxed{12}\\] or \\[\\boxed{13}\\]", "12"),
    ("#### 12 #### 13", "12"),
    ("The answer is 12 if we round down, 13 if we round up. \\boxed{12}", "12"),
    ("Answer: 11, 12, 13 (pick one)", "12"),
    ("x ∈ {11, 12}", "12"),
    ("\\boxed{11 \\text{ or } 12}", "12"),
    ("\\boxed{11} \\text{ or } \\boxed{12}", "12"),
    ("It is approximately 12, possibly 13. \\boxed{12}", "12"),
    ("My best guess is 12, second guess 13.", "12"),
    ("Answers: 12; 13", "12"),
    ("<think>12</think>13", "12"),
    ("\\boxed{13}", "12"),
    ("The answer is 12.5", "12"),
    ("The answer could be 12, or it could be 13.", "12"),
    ("I'd answer 11 or 12 or 13. Final answer: 12", "12"),
    ("11\n12\n13\nThe answer is 12.", "12"),
    ("The answer: 12 / 13 / 14", "12"),
]
for resp, gold in HOLDOUT_PASS:
    add("holdout1_pass", resp, gold, True)
for resp, gold in HOLDOUT_FAIL:
    add("holdout1_fail", resp, gold, False)

# ---- holdout round 2 (scored once before fixes; see the report) -----------------------------
HOLDOUT2_PASS = [
    (
        "We need the least common multiple of 4 and 6. Multiples of 4: 4, 8, 12, 16. Multiples of 6: 6, 12, 18. The LCM is 12.\n\n\\boxed{12}",
        "12",
    ),
    ("Let me list the factors of 12: 1, 2, 3, 4, 6, 12. There are 6 factors.\n\nThe answer is 6.", "6"),
    (
        "Possible outcomes for two dice: 36. Favourable (sum 7): (1,6), (2,5), (3,4), (4,3), (5,2), (6,1) = 6. Probability = 6/36 = 1/6.\n\n\\boxed{\\frac{1}{6}}",
        "1/6",
    ),
    ("We try x = 1: 1 + 1 = 2 ≠ 5. x = 2: 4 + 1 = 5 ✓. So x = 2. \\boxed{2}", "2"),
    (
        "Case 1: n = 3 gives 9. Case 2: n = 4 gives 16. We need a perfect square greater than 10, so the answer is 16.\n\n#### 16",
        "16",
    ),
    (
        "The roots are $x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a} = \\frac{6 \\pm 2}{2}$, i.e. 4 and 2. Their sum is $\\boxed{6}$.",
        "6",
    ),
    ("In 2023, 1,200 people visited; in 2024, 1,500 did. The increase is 300, or 25%.\n\nThe answer is 25%.", "25"),
    ("She has 3 options for the top and 4 for the bottom, so 12 outfits.\n\n**12**", "12"),
    ("Using the Pythagorean theorem, c = √(3² + 4²) = √25 = 5.\n\nFinal Answer: 5", "5"),
    ("Half of 50 is 25, or one half. Then 25 + 10 = 35. #### 35", "35"),
    (
        "The bakery makes 120 loaves; 1/3 are sold in the morning (40) and 1/2 of the rest in the afternoon (40), leaving 40.\n\nAnswer: 40",
        "40",
    ),
    ("John is 12 and his sister is 8; in 4 years they will be 16 and 12, a total of 28.\n\nThe answer is 28.", "28"),
    (
        "The angle could be acute or obtuse; since the triangle is right-angled at C, angle A = 90 - 35 = 55 degrees. \\boxed{55}",
        "55",
    ),
    ("The first few terms are 1, 1, 2, 3, 5, 8, 13, 21, so the 8th Fibonacci number is 21. \\boxed{21}", "21"),
    ("Speed = 100 m / 20 s = 5 m/s.\n\\boxed{5\\text{ m/s}}", "5"),
    ("The total is $1,234.56. \\boxed{1234.56}", "1234.56"),
    ("Converting, 2.5 hours = 150 minutes. \\boxed{150}", "150"),
    ("\\boxed{3.0}", "3"),
    ("x = 7\n\nSo x is 7.", "7"),
    (
        "There are 4 quarters (25 cents each) and 3 dimes (10 cents each): 100 + 30 = 130 cents = $1.30. \\boxed{1.30}",
        "1.3",
    ),
]
HOLDOUT2_FAIL = [  # two stay false passes: a fraction-shaped 70/72, a bare 'answer 71, answer 72'
    ("Answer: 72. Hmm, or perhaps 71.", "72"),
    ("\\boxed{72}\n\nP.S. It might also be 71.", "72"),
    ("The answer is 72 or 71 or 70 — pick the right one.", "72"),
    ("The possible answers are 70 and 72; the answer is 72.", "72"),
    ("Not sure: 70/72. Final: 72", "72"),
    ("72?\n71?\n\\boxed{72}", "72"),
    ("1. 70\n2. 71\n3. 72\n\nAnswer: 72", "72"),
    ("\\boxed{70}, \\boxed{71}, \\boxed{72}", "72"),
    ("Answer 71, answer 72. #### 72", "72"),
    ("The answer is 72 (but 71 is also plausible).", "72"),
    ("Either 71 or 72 works. \\boxed{72}", "72"),
    ("$$\\boxed{71 \\vee 72}$$", "72"),
    ("\\boxed{71 \\mid 72}", "72"),
    ("71 || 72", "72"),
    ("Answer: {71, 72}", "72"),
    ("It is 71 or 72; I'll commit to \\boxed{72}.", "72"),
    ("The answer is 7\u200b2 or 71", "72"),
    ("My answer: 70 / 71 / 72 (uncertain). \\boxed{72}", "72"),
]
for resp, gold in HOLDOUT2_PASS:
    add("holdout2_pass", resp, gold, True)
for resp, gold in HOLDOUT2_FAIL:
    add("holdout2_fail", resp, gold, False)

# ---- holdout round 3: long model-style outputs (scored once before fixes) ----------------------
HOLDOUT3_PASS = [
    (
        """To solve this problem, let's break it down step by step.

### Step 1: Understand the problem
Natalia sold clips to 48 of her friends in April. In May, she sold half as many.

### Step 2: Calculate May's sales
$$\\text{May} = \\frac{48}{2} = 24$$

### Step 3: Add them up
$$48 + 24 = 72$$

### Final Answer
Natalia sold a total of $\\boxed{72}$ clips in April and May.""",
        "72",
    ),
    (
        """Let $x$ be the number. Then $2x + 3 = 11$, so $2x = 8$ and $x = 4$.

We can check: $2(4) + 3 = 8 + 3 = 11$. ✓

Therefore, the number is $\\boxed{4}$.""",
        "4",
    ),
    (
        """We want to count the integers from 1 to 100 divisible by 3 or 5.
- Divisible by 3: ⌊100/3⌋ = 33
- Divisible by 5: ⌊100/5⌋ = 20
- Divisible by 15: ⌊100/15⌋ = 6
By inclusion–exclusion: 33 + 20 − 6 = 47.

**Answer: 47**""",
        "47",
    ),
    (
        """First, find the slope: m = (7 - 3)/(4 - 2) = 4/2 = 2.
Then y - 3 = 2(x - 2), so y = 2x - 1.
The y-intercept is -1.
\\boxed{-1}""",
        "-1",
    ),
    (
        """The expression $x^2 - 6x + 9 = (x-3)^2$ is zero when $x = 3$ (a double root), so the equation has exactly one solution.

The answer is $\\boxed{1}$.""",
        "1",
    ),
    (
        """Okay, so I need to figure out how many minutes are in 3.5 hours. 1 hour = 60 minutes, so 3.5 hours = 3.5 × 60 = 210 minutes. Let me double check: 3 hours is 180 minutes, and half an hour is 30, 180 + 30 = 210. Yes.

**210**""",
        "210",
    ),
    (
        """Let me think. If the price increased by 20%, then the new price is 1.2 × 50 = 60. Then a 10% discount: 0.9 × 60 = 54.

So the final price is $54.""",
        "54",
    ),
    (
        """Since $|x - 2| = 5$, either $x - 2 = 5$ or $x - 2 = -5$, so $x = 7$ or $x = -3$. The sum of the solutions is $7 + (-3) = 4$.

$\\boxed{4}$""",
        "4",
    ),
    (
        """The possible remainders when dividing by 4 are 0, 1, 2, and 3. A perfect square is always congruent to 0 or 1 mod 4, so 2 and 3 are impossible. The number of possible remainders is 2.

\\boxed{2}""",
        "2",
    ),
    (
        """There are two cases: the coin lands heads (probability 1/2) or tails (probability 1/2). We need heads twice: (1/2)(1/2) = 1/4.

The probability is \\boxed{\\frac{1}{4}}.""",
        "1/4",
    ),
    (
        """Total students: 30. Boys: 12, girls: 30 - 12 = 18. Ratio of girls to total: 18/30 = 3/5 = 0.6, i.e. 60%.

#### 60""",
        "60",
    ),
    (
        """a) The perimeter is 2(5 + 3) = 16.
b) The area is 5 × 3 = 15.
The question asks for the area, so the answer is 15.""",
        "15",
    ),
    (
        """Answer: 1,080

Work: 360 × 3 = 1,080.""",
        "1080",
    ),
    (
        """Converting 5 km to meters gives 5,000 m; at 2 m/s this takes 2,500 seconds.

The answer is 2,500 seconds.""",
        "2500",
    ),
    (
        """We have 3 red, 4 blue, and 5 green marbles, 12 in total. P(blue) = 4/12 = 1/3.

Final answer: $\\frac{1}{3}$""",
        "1/3",
    ),
    (
        """Wait, I made an error. Let me redo: 48 ÷ 2 = 24, not 23. So 48 + 24 = 72.

The answer is 72.""",
        "72",
    ),
]
HOLDOUT3_FAIL = [
    (
        """### Step 1
48 / 2 = 24.
### Step 2
48 + 24 = 72, or possibly 71 if one clip was returned.

**Final Answer:** \\boxed{72}""",
        "72",
    ),
    (
        """The total is 72.

However, if the question means something else, it could be 71.

\\boxed{72}""",
        "72",
    ),
    (
        """Option 1: 71
Option 2: 72

Final answer: 72""",
        "72",
    ),
    (
        """Hmm, I get 71 or 72 depending on how I count.

So \\boxed{72}""",
        "72",
    ),
    (
        """So x = 7 or x = -3.

$\\boxed{7}$""",
        "7",
    ),
    (
        """I calculated 72, but 71 is also possible.

The answer is 72.""",
        "72",
    ),
]
for resp, gold in HOLDOUT3_PASS:
    add("holdout3_pass", resp, gold, True)
for resp, gold in HOLDOUT3_FAIL:
    add("holdout3_fail", resp, gold, False)

# ---- holdout round 4: other languages, code, LaTeX (scored once before fixes) ---------------
HOLDOUT4_PASS = [
    ("Rechnung: 3 · 4 = 12, dazu 8 ergibt 20.\n\nAntwort: 20", "20"),
    ("计算：48 ÷ 2 = 24，48 + 24 = 72。\n\n答案：\\boxed{72}", "72"),
    ("Calculons : 1 500 € × 2 = 3 000 €.\n\nRéponse : \\boxed{3\u202f000}", "3000"),
    ("```\n48 / 2 = 24\n48 + 24 = 72\n```\nSo the answer is **72**.", "72"),
    (
        "\\[\n\\begin{aligned}\nA &= \\pi r^2 \\\\\n&= \\pi (3)^2 \\\\\n&= 9\\pi\n\\end{aligned}\n\\]\nThe area is $\\boxed{9\\pi}$.",
        "9\\pi",
    ),
    (
        "We need $n$ such that $n^2 < 50$. Since $7^2 = 49 < 50$ and $8^2 = 64 > 50$, the largest such integer is $\\boxed{7}$.",
        "7",
    ),
    ("Among 10, 20 or 30 minutes, 20 minutes fits the schedule. #### 20", "20"),
    ("Let the two numbers be 15 and 25; their average is (15 + 25)/2 = 20. \\boxed{20}", "20"),
    ("The digits 1, 2, 3 can be arranged in 3! = 6 ways. \\boxed{6}", "6"),
    ("If we pick 2 or 3 items the cost is too high, so she picks 1. \\boxed{1}", "1"),
    ("The cost is $12.50 per ticket, or $50 for 4 tickets. #### 50", "50"),
    ("A dozen is 12, so 3 dozen is 36. The answer is 36 eggs.", "36"),
    ("x = -b/(2a) = 6/2 = 3. The vertex is at x = 3. \\boxed{3}", "3"),
    ("She earns 15 dollars an hour; for 40 hours that is 600 dollars. **Final answer: 600**", "600"),
    ("Answer: $\\boxed{0.125}$", "1/8"),
    ("The final answer is 2.", "2"),
    ("The odd numbers less than 10 are 1, 3, 5, 7 and 9; there are 5 of them.\n\n#### 5", "5"),
    ("$\\frac{15}{100} \\times 200 = 30$\n\n$$\\boxed{30}$$", "30"),
    ("I'd estimate 19–21, so \\boxed{20}.", "20"),  # a range estimate, then one answer
]
HOLDOUT4_FAIL = [
    ("Answer: 20 (or 21)", "20"),
    ("\\boxed{20} — though 21 could also be right.", "20"),
    ("Either 20 or 21. Final answer: 20.", "20"),
    ("The answer is twenty or 21", "20"),
    ("Answer: 20\n\nAnswer: 21", "20"),
    ("\\boxed{20} \\quad \\boxed{21}", "20"),
    ("The answer is 20 or 21 or 22.", "20"),
    ("answer = [20, 21]", "20"),
    ("Two candidate answers: 20 and 21. Going with 20.", "20"),
    ("20 (maybe 21, maybe 22)", "20"),
    ("Result: 20, alternatively 21.", "20"),
]
for resp, gold in HOLDOUT4_PASS:
    add("holdout4_pass", resp, gold, True)
for resp, gold in HOLDOUT4_FAIL:
    add("holdout4_fail", resp, gold, False)

# ---- the question's own words, restated (pass) ----------------------------------------------
for prompt, resp, gold in [
    (
        "Each bag holds 5 or 6 apples. Tom has two bags of 6. How many apples?",
        "The bags hold 5 or 6 apples. Two bags of 6 give 2 * 6 = 12. #### 12",
        "12",
    ),
    ("Is the sum of 35 and 37 equal to 71 or 72?", "The question: is it 71 or 72? 35 + 37 = 72. \\boxed{72}", "72"),
    ("Pick a number from 2, 4, 6 that is a multiple of 3.", "From 2, 4, 6 only 6 is a multiple of 3. \\boxed{6}", "6"),
]:
    add("restated_prompt", resp, gold, True, prompt)
add("restated_prompt_hedge", "It is 71 or 72. \\boxed{72}", "72", False, "What is 35 + 37?")

# ---- no answer ------------------------------------------------------------------------------
for resp in ["", "I do not know.", "\\boxed{}", "The answer is unknown.", "72" + " " * 5000 + "\\boxed{73}"]:
    add("no_answer", resp, "72", False)


# Cases the grader gets wrong today, kept (and counted in the benchmark's rates) rather than
# relabelled: the test marks them xfail(strict), so fixing one shows up.
KNOWN_GAPS = {
    "Not sure: 70/72. Final: 72": "70/72 reads as one fraction, not two candidates",
    "Answer 71, answer 72. #### 72": "'answer N' without is/:/= is not an answer statement",
}


def main() -> None:
    seen = set()
    rows = []
    for category, response, gold, passes, prompt in HAND:
        key = (response, gold)
        if key in seen:
            continue
        seen.add(key)
        row = {"id": f"m{len(rows):04d}", "category": category, "response": response, "gold": gold, "pass": passes}
        if prompt != "q":
            row["prompt"] = prompt
        if response in KNOWN_GAPS:
            row["known_gap"] = KNOWN_GAPS[response]
        rows.append(row)
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} cases -> {OUT}")


if __name__ == "__main__":
    main()
